/// The IDX format of MNIST and Fashion-MNIST: a big-endian magic (two zero bytes, a type
/// byte, 0x08 for unsigned bytes, and a dimension count), one 32-bit big-endian size per
/// dimension, then the data. Files may be gzip-compressed or plain.
public enum IDX {
    public static let imagesMagic: UInt32 = 0x0000_0803
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Images as N x 1 x H x W bytes.
    public static func readImages(path: String) throws(DatasetError) -> (count: Int, height: Int, width: Int, pixels: [UInt8]) {
        let (dimensions, data) = try read(path: path, magic: imagesMagic, kind: "image")
        guard dimensions[1] > 0, dimensions[2] > 0 else {
            throw DatasetError(path: path, kind: .badDimensions,
                               reason: "image size \(dimensions[1])x\(dimensions[2]) must be positive")
        }
        return (dimensions[0], dimensions[1], dimensions[2], data)
    }

    public static func readLabels(path: String) throws(DatasetError) -> [UInt8] {
        try read(path: path, magic: labelsMagic, kind: "label").data
    }

    /// Pairs an image file with its label file, checking counts and label range.
    public static func load(
        imagesPath: String, labelsPath: String, classCount: Int, classNames: [String]? = nil
    ) throws(DatasetError) -> LabeledImages {
        let images = try readImages(path: imagesPath)
        let labels = try readLabels(path: labelsPath)
        guard labels.count == images.count else {
            throw DatasetError(path: labelsPath, kind: .countMismatch,
                               reason: "holds \(labels.count) labels but \(imagesPath) holds \(images.count) images")
        }
        if let bad = labels.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError(path: labelsPath, kind: .labelOutOfRange,
                               reason: "label \(labels[bad]) of item \(bad) is outside 0..<\(classCount)")
        }
        return try LabeledImages(
            pixels: images.pixels, labels: labels.map(Int.init), channels: 1,
            height: images.height, width: images.width,
            classCount: classCount, classNames: classNames, path: imagesPath)
    }

    /// Parses header and checks the payload length against it. Returns the dimension
    /// sizes and the payload bytes.
    static func read(path: String, magic expected: UInt32, kind: String) throws(DatasetError) -> (dimensions: [Int], data: [UInt8]) {
        var bytes = try FileIO.readAll(path)
        if Gzip.isCompressed(bytes) { bytes = try Gzip.inflate(bytes, path: path) }
        guard bytes.count >= 4 else {
            throw DatasetError(path: path, kind: .truncated, reason: "only \(bytes.count) bytes, too short for an IDX header")
        }
        let magic = bigEndianWord(bytes, at: 0)
        guard magic == expected else {
            throw DatasetError(path: path, kind: .badMagic,
                               reason: "magic 0x\(hex(magic)) is not that of an IDX \(kind) file (0x\(hex(expected)))")
        }
        let dimensionCount = Int(expected & 0xff)
        let headerSize = 4 + 4 * dimensionCount
        guard bytes.count >= headerSize else {
            throw DatasetError(path: path, kind: .truncated,
                               reason: "only \(bytes.count) bytes, the header needs \(headerSize)")
        }
        let dimensions = (0..<dimensionCount).map { Int(bigEndianWord(bytes, at: 4 + 4 * $0)) }
        // Three 32-bit sizes can multiply past Int.max, so check before trusting them.
        guard let payload = checkedProduct(dimensions) else {
            throw DatasetError(path: path, kind: .badDimensions, reason: "dimensions \(dimensions) are too large")
        }
        let available = bytes.count - headerSize
        if available < payload {
            throw DatasetError(path: path, kind: .truncated,
                               reason: "dimensions \(dimensions) need \(payload) data bytes, file has \(available) (truncated)")
        }
        if available > payload {
            throw DatasetError(path: path, kind: .trailingBytes,
                               reason: "dimensions \(dimensions) need \(payload) data bytes, file has \(available)")
        }
        bytes.removeFirst(headerSize)
        return (dimensions, bytes)
    }

    private static func bigEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { ($0 << 8) | UInt32(bytes[offset + $1]) }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
