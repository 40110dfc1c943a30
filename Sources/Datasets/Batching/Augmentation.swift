import Tensor

/// One sample's random augmentation: where the crop window sits in the padded image
/// and whether the result is mirrored.
public struct AugmentationDraw: Sendable, Equatable {
    /// Offsets of the crop window in the padded image, each in 0...2*padding.
    public let cropY: Int
    public let cropX: Int
    public let flip: Bool

    public init(cropY: Int, cropX: Int, flip: Bool) {
        self.cropY = cropY
        self.cropX = cropX
        self.flip = flip
    }
}

/// Training augmentation on float batches [B, C, H, W]: a random crop of the original
/// size from the image zero-padded by `padding` on every side (torchvision's
/// RandomCrop(size, padding=padding)), then a horizontal flip with probability
/// `flipProbability` (RandomHorizontalFlip). Not differentiable; used for teacher
/// training and for the KD memory bank.
///
/// Draw order, relied on by checkpoint-resume determinism: for sample 0, 1, ..., B-1 in
/// turn, `integer(below: 2*padding+1)` for the crop row offset, the same for the crop
/// column offset, then `uniform() < flipProbability` for the flip. Exactly three draws
/// per sample, all made before any pixel is touched.
public struct Augmentation: Sendable, Equatable {
    public let padding: Int
    public let flipProbability: Float
    /// The value padded pixels take, one for all channels or one per channel. Zero suits
    /// generator output; for normalised real images pass `Normalization.normalized(pixel: 0, ...)`
    /// to match torchvision, which pads before normalising.
    public let fill: [Float]

    public init(padding: Int = 4, flipProbability: Float = 0.5, fill: [Float] = [0]) throws(DatasetError) {
        guard padding >= 0 else { throw .invalidArgument("crop padding \(padding) is negative") }
        guard flipProbability >= 0 && flipProbability <= 1 else {
            throw .invalidArgument("flip probability \(flipProbability) is outside 0...1")
        }
        guard !fill.isEmpty else { throw .invalidArgument("augmentation fill needs at least one value") }
        self.padding = padding
        self.flipProbability = flipProbability
        self.fill = fill
    }

    /// The draws for a batch of `count` samples, in the documented order.
    public func draw(count: Int, using generator: inout RandomGenerator) -> [AugmentationDraw] {
        (0..<count).map { _ in
            let cropY = generator.integer(below: 2 * padding + 1)
            let cropX = generator.integer(below: 2 * padding + 1)
            let flip = generator.uniform() < flipProbability
            return AugmentationDraw(cropY: cropY, cropX: cropX, flip: flip)
        }
    }

    /// Draws and applies a fresh augmentation to every sample of `batch`.
    public func apply(to batch: Tensor, using generator: inout RandomGenerator) throws(DatasetError) -> Tensor {
        guard batch.rank == 4 else { throw .invalidArgument("augmentation needs a [B, C, H, W] batch, got \(batch.shape)") }
        return try apply(draw(count: batch.shape[0], using: &generator), to: batch)
    }

    /// Applies given draws, one per sample.
    public func apply(_ draws: [AugmentationDraw], to batch: Tensor) throws(DatasetError) -> Tensor {
        guard batch.rank == 4 else { throw .invalidArgument("augmentation needs a [B, C, H, W] batch, got \(batch.shape)") }
        let (samples, channels, height, width) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        guard draws.count == samples else {
            throw .invalidArgument("\(draws.count) augmentation draws for \(samples) samples")
        }
        guard fill.count == 1 || fill.count == channels else {
            throw .invalidArgument("augmentation fill has \(fill.count) values for \(channels) channels")
        }
        let limit = 2 * padding
        guard draws.allSatisfy({ (0...limit).contains($0.cropY) && (0...limit).contains($0.cropX) }) else {
            throw .invalidArgument("crop offsets must lie in 0...\(limit)")
        }
        let output = Tensor(uninitializedShape: batch.shape)
        let source = batch.storage.pointer
        let destination = output.storage.pointer
        let plane = height * width
        Parallel.forEachChunk(of: 0..<(samples * channels), minimumChunk: 16) { chunk in
            for planeIndex in chunk {
                let draw = draws[planeIndex / channels]
                let value = fill.count == 1 ? fill[0] : fill[planeIndex % channels]
                copyPlane(from: source + planeIndex * plane, to: destination + planeIndex * plane,
                          height: height, width: width, draw: draw, fill: value)
            }
        }
        return output
    }

    /// out[y][x] = in[y + cropY - padding][x' + cropX - padding] with x' = x, or
    /// width-1-x when flipped; `fill` outside the image.
    private func copyPlane(from input: UnsafeMutablePointer<Float>, to out: UnsafeMutablePointer<Float>,
                           height: Int, width: Int, draw: AugmentationDraw, fill: Float) {
        let shiftY = draw.cropY - padding
        let shiftX = draw.cropX - padding
        for y in 0..<height {
            let row = out + y * width
            let sourceY = y + shiftY
            guard sourceY >= 0 && sourceY < height else {
                row.update(repeating: fill, count: width)
                continue
            }
            let sourceRow = input + sourceY * width
            for x in 0..<width {
                let sourceX = (draw.flip ? width - 1 - x : x) + shiftX
                row[x] = sourceX >= 0 && sourceX < width ? sourceRow[sourceX] : fill
            }
        }
    }
}
