/// A labelled image set as loaded from disk: 8-bit pixels, N x C x H x W (CHW per image,
/// the layout CIFAR stores and the one models read), kept as bytes because the float
/// form of a training split would be four times larger and is only needed per batch.
public struct LabeledImages: Sendable, Equatable {
    public let pixels: [UInt8]
    public let labels: [Int]
    public let channels: Int
    public let height: Int
    public let width: Int
    public let classCount: Int
    /// Human-readable class names, indexed by label, where the dataset defines them.
    public let classNames: [String]?

    public var count: Int { labels.count }
    public var imageSize: Int { channels * height * width }
    /// [C, H, W] of one image.
    public var imageShape: [Int] { [channels, height, width] }

    /// Checks that the pieces agree; `path` names the source for the error message.
    public init(
        pixels: [UInt8], labels: [Int], channels: Int, height: Int, width: Int,
        classCount: Int, classNames: [String]? = nil, path: String = ""
    ) throws(DatasetError) {
        guard channels > 0, height > 0, width > 0 else {
            throw DatasetError(path: path, kind: .badDimensions,
                               reason: "image dimensions \(channels)x\(height)x\(width) must be positive")
        }
        guard classCount > 0 else {
            throw DatasetError(path: path, kind: .invalidArgument, reason: "class count must be positive")
        }
        if let classNames, classNames.count != classCount {
            throw DatasetError(path: path, kind: .invalidArgument,
                               reason: "\(classNames.count) class names for \(classCount) classes")
        }
        guard let size = checkedProduct([labels.count, channels, height, width]), size == pixels.count else {
            throw DatasetError(path: path, kind: .countMismatch,
                               reason: "\(pixels.count) pixel bytes do not hold \(labels.count) images of \(channels)x\(height)x\(width)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw DatasetError(path: path, kind: .labelOutOfRange,
                               reason: "label \(labels[bad]) of image \(bad) is outside 0..<\(classCount)")
        }
        self.pixels = pixels
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classCount = classCount
        self.classNames = classNames
    }

    /// The bytes of image `index`, CHW.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        pixels[index * imageSize ..< (index + 1) * imageSize]
    }

    /// Labels of the images at `indices`, in order (the companion of a pixel batch).
    public func labels(at indices: some Sequence<Int>) -> [Int] {
        indices.map { labels[$0] }
    }

    /// How many images carry each label.
    public func labelCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }
}

/// The product of `values`, or nil when it overflows an Int.
func checkedProduct(_ values: [Int]) -> Int? {
    var product = 1
    for value in values {
        let (next, overflow) = product.multipliedReportingOverflow(by: value)
        if overflow { return nil }
        product = next
    }
    return product
}
