import CZlib

/// An 8-bit image, rows top to bottom, pixels interleaved (RGB) or single (grey).
public struct PixelImage: Sendable, Equatable {
    public enum Color: Sendable {
        case grey, rgb

        public var channels: Int { self == .grey ? 1 : 3 }
        /// PNG colour type: 0 greyscale, 2 truecolour.
        var pngColorType: UInt8 { self == .grey ? 0 : 2 }
    }

    public let width: Int
    public let height: Int
    public let color: Color
    public let pixels: [UInt8]

    public init(width: Int, height: Int, color: Color, pixels: [UInt8]) throws(DatasetError) {
        guard width > 0, height > 0, width <= PNG.maximumSide, height <= PNG.maximumSide else {
            throw .invalidArgument("image size \(width)x\(height) must be within 1...\(PNG.maximumSide)")
        }
        guard pixels.count == width * height * color.channels else {
            throw .invalidArgument("\(pixels.count) bytes do not hold a \(width)x\(height) image with \(color.channels) channels")
        }
        self.width = width
        self.height = height
        self.color = color
        self.pixels = pixels
    }
}

/// A minimal PNG encoder: signature, IHDR, one IDAT (zlib stream of the rows, each with
/// filter type 0), IEND. No filtering heuristics: sample grids are small.
public enum PNG {
    /// Keeps the raw data well inside zlib's 32-bit lengths.
    public static let maximumSide = 16384

    public static func encode(_ image: PixelImage) throws(DatasetError) -> [UInt8] {
        let rowBytes = image.width * image.color.channels
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * image.height)
        for y in 0..<image.height {
            raw.append(0)
            raw.append(contentsOf: image.pixels[(y * rowBytes) ..< ((y + 1) * rowBytes)])
        }
        var header = [UInt8]()
        appendBigEndian(UInt32(image.width), to: &header)
        appendBigEndian(UInt32(image.height), to: &header)
        header += [8, image.color.pngColorType, 0, 0, 0]   // depth, colour, deflate, filter 0, no interlace

        var file: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", try compress(raw), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// Encodes and writes atomically (temporary file, fsync, rename).
    public static func write(_ image: PixelImage, to path: String) throws(DatasetError) {
        try FileIO.writeAtomically(try encode(image), to: path)
    }

    private static func compress(_ raw: [UInt8]) throws(DatasetError) -> [UInt8] {
        var capacity = compressBound(uLong(raw.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { input in
                compress2(out.baseAddress!, &capacity, input.baseAddress!, uLong(input.count), Z_BEST_COMPRESSION)
            }
        }
        guard status == Z_OK else { throw .invalidArgument("zlib compress2 failed (\(status))") }
        output.removeLast(output.count - Int(capacity))
        return output
    }

    /// Length, type, data, then the CRC-32 of type and data.
    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeAndData = Array(type.utf8) + data
        appendBigEndian(UInt32(data.count), to: &file)
        file += typeAndData
        let checksum = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress!, uInt($0.count)) }
        appendBigEndian(UInt32(checksum), to: &file)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }
}
