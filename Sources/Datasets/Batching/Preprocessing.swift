import Tensor

/// Per-channel normalisation `(x - mean) / std` applied after scaling pixels to [0, 1].
/// One value applies to every channel.
public struct Normalization: Sendable, Equatable {
    public let mean: [Float]
    public let standardDeviation: [Float]

    public static let identity = Normalization(uncheckedMean: [0], standardDeviation: [1])

    public init(mean: [Float], standardDeviation: [Float]) throws(DatasetError) {
        guard !mean.isEmpty, !standardDeviation.isEmpty else {
            throw .invalidArgument("normalisation needs at least one mean and one standard deviation")
        }
        guard mean.allSatisfy(\.isFinite) else { throw .invalidArgument("normalisation mean \(mean) is not finite") }
        guard standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw .invalidArgument("normalisation standard deviation \(standardDeviation) must be positive")
        }
        self.init(uncheckedMean: mean, standardDeviation: standardDeviation)
    }

    private init(uncheckedMean mean: [Float], standardDeviation: [Float]) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Whether this fits a model with `channels` input channels.
    func check(channels: Int) throws(DatasetError) {
        for (label, values) in [("mean", mean), ("standard deviation", standardDeviation)]
        where values.count != 1 && values.count != channels {
            throw .invalidArgument("normalisation \(label) has \(values.count) values for \(channels) channels")
        }
    }

    /// The normalised value of an 8-bit pixel in `channel`; for pixel 0 this is the
    /// value zero padding takes, which augmentation needs as its fill.
    public func normalized(pixel: UInt8, channel: Int) -> Float {
        let m = mean.count == 1 ? mean[0] : mean[channel]
        let s = standardDeviation.count == 1 ? standardDeviation[0] : standardDeviation[channel]
        return (Float(pixel) / 255 - m) / s
    }

    /// What a zero pixel becomes in each of `channels` channels: the fill for
    /// `Augmentation` on normalised real images.
    public func zeroPixelValues(channels: Int) -> [Float] {
        (0..<channels).map { normalized(pixel: 0, channel: $0) }
    }
}

/// A model's input shape, [C, H, W].
public struct InputShape: Sendable, Equatable, CustomStringConvertible {
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    public var dimensions: [Int] { [channels, height, width] }
    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// Turns stored 8-bit images into the float batch a model reads: zero padding to the
/// model's size (centred; 28x28 -> 32x32 pads 2 each side), grey replicated to every
/// channel when the model wants colour, scaling to [0, 1] and normalisation.
/// Padding happens in pixel space before normalisation, as torchvision's Pad before
/// ToTensor/Normalize does, so padded pixels read (0 - mean) / std.
public struct ImagePreprocessor: Sendable {
    public let source: InputShape
    public let target: InputShape
    public let normalization: Normalization
    /// For each target channel, 256 entries: the normalised value of every pixel byte.
    private let table: [Float]

    public init(source: InputShape, target: InputShape, normalization: Normalization = .identity) throws(DatasetError) {
        guard [source.channels, source.height, source.width, target.height, target.width].allSatisfy({ $0 > 0 }) else {
            throw .invalidArgument("image shapes \(source) and \(target) must be positive")
        }
        guard source.channels == target.channels || source.channels == 1 else {
            throw .invalidArgument("cannot turn \(source.channels)-channel images into \(target.channels)-channel input")
        }
        guard source.height <= target.height, source.width <= target.width else {
            throw .invalidArgument("images of \(source) do not fit the model's input \(target)")
        }
        try normalization.check(channels: target.channels)
        self.source = source
        self.target = target
        self.normalization = normalization
        table = (0..<target.channels).flatMap { channel in
            (0...255).map { normalization.normalized(pixel: UInt8($0), channel: channel) }
        }
    }

    /// A preprocessor for `images` feeding a model with input `target`.
    public init(images: LabeledImages, target: InputShape, normalization: Normalization = .identity) throws(DatasetError) {
        try self.init(source: InputShape(channels: images.channels, height: images.height, width: images.width),
                      target: target, normalization: normalization)
    }

    /// The batch [B, C, H, W] of the images at `indices`, in order. Indices must be valid.
    public func batch(from images: LabeledImages, indices: [Int]) -> Tensor {
        precondition(images.channels == source.channels && images.height == source.height
                     && images.width == source.width, "images do not have the preprocessor's source shape")
        precondition(indices.allSatisfy { $0 >= 0 && $0 < images.count }, "batch index out of range")
        let output = Tensor(uninitializedShape: [indices.count] + target.dimensions)
        let outputPointer = output.storage.pointer
        let targetSize = target.channels * target.height * target.width
        images.pixels.withUnsafeBufferPointer { pixels in
            table.withUnsafeBufferPointer { table in
                indices.withUnsafeBufferPointer { indices in
                    Parallel.forEachChunk(of: 0..<indices.count, minimumChunk: 16) { chunk in
                        for sample in chunk {
                            let image = pixels.baseAddress! + indices[sample] * images.imageSize
                            fill(outputPointer + sample * targetSize, from: image, table: table.baseAddress!)
                        }
                    }
                }
            }
        }
        return output
    }

    private func fill(_ out: UnsafeMutablePointer<Float>, from image: UnsafePointer<UInt8>, table: UnsafePointer<Float>) {
        let top = (target.height - source.height) / 2
        let left = (target.width - source.width) / 2
        let planeSize = source.height * source.width
        for channel in 0..<target.channels {
            let lookup = table + channel * 256
            let pad = lookup[0]
            let plane = image + (source.channels == 1 ? 0 : channel) * planeSize
            let outPlane = out + channel * target.height * target.width
            for y in 0..<target.height {
                let row = outPlane + y * target.width
                let sourceY = y - top
                guard sourceY >= 0 && sourceY < source.height else {
                    row.update(repeating: pad, count: target.width)
                    continue
                }
                row.update(repeating: pad, count: left)
                let sourceRow = plane + sourceY * source.width
                for x in 0..<source.width { row[left + x] = lookup[Int(sourceRow[x])] }
                let right = left + source.width
                (row + right).update(repeating: pad, count: target.width - right)
            }
        }
    }
}
