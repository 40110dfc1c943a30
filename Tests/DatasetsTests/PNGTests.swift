import CZlib
import Foundation
import Tensor
import Testing
@testable import Datasets

/// An independent PNG reader for the encoder's output: chunk walk, CRC check with zlib's
/// crc32, IDAT inflated with zlib's uncompress, filter bytes stripped (all must be 0).
struct DecodedPNG {
    var width = 0
    var height = 0
    var colorType: UInt8 = 255
    var pixels: [UInt8] = []
    var chunkTypes: [String] = []

    init(_ bytes: [UInt8]) throws {
        try #require(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        var offset = 8
        var compressed: [UInt8] = []
        func word(_ at: Int) -> Int { (0..<4).reduce(0) { ($0 << 8) | Int(bytes[at + $1]) } }
        while offset < bytes.count {
            try #require(offset + 12 <= bytes.count)
            let length = word(offset)
            try #require(offset + 12 + length <= bytes.count)
            let typeAndData = Array(bytes[(offset + 4) ..< (offset + 8 + length)])
            let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            #expect(Int(crc) == word(offset + 8 + length), "CRC of chunk at \(offset)")
            let type = String(decoding: typeAndData.prefix(4), as: UTF8.self)
            let data = Array(typeAndData.dropFirst(4))
            chunkTypes.append(type)
            if type == "IHDR" {
                width = data[0..<4].reduce(0) { ($0 << 8) | Int($1) }
                height = data[4..<8].reduce(0) { ($0 << 8) | Int($1) }
                #expect(data[8] == 8)
                colorType = data[9]
            } else if type == "IDAT" {
                compressed += data
            }
            offset += 12 + length
        }
        let channels = colorType == 0 ? 1 : 3
        let rowBytes = width * channels
        var rawSize = uLong((rowBytes + 1) * height)
        var raw = [UInt8](repeating: 0, count: Int(rawSize))
        let status = uncompress(&raw, &rawSize, compressed, uLong(compressed.count))
        try #require(status == Z_OK)
        try #require(Int(rawSize) == raw.count)
        for y in 0..<height {
            #expect(raw[y * (rowBytes + 1)] == 0, "filter type of row \(y)")
            pixels += raw[(y * (rowBytes + 1) + 1) ..< ((y + 1) * (rowBytes + 1))]
        }
    }
}

@Suite struct PNGTests {
    @Test(arguments: [PixelImage.Color.grey, .rgb])
    func encodedImagesDecodeToTheSamePixels(color: PixelImage.Color) throws {
        let (width, height) = (13, 5)
        let pixels = (0..<(width * height * color.channels)).map { UInt8(($0 * 37) % 256) }
        let image = try PixelImage(width: width, height: height, color: color, pixels: pixels)
        let decoded = try DecodedPNG(PNG.encode(image))
        #expect(decoded.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.width == width)
        #expect(decoded.height == height)
        #expect(decoded.colorType == (color == .grey ? 0 : 2))
        #expect(decoded.pixels == pixels)
    }

    @Test func gridTilesImagesRowMajorWithPadding() throws {
        // Five 2x3 RGB images, value n/10 in channel 0, (n+1)/10 in 1, 0 in 2.
        var scalars: [Float] = []
        for n in 0..<5 {
            scalars += [Float](repeating: Float(n) / 10, count: 6)
            scalars += [Float](repeating: Float(n + 1) / 10, count: 6)
            scalars += [Float](repeating: 0, count: 6)
        }
        let image = try ImageGrid.make(from: Tensor(shape: [5, 3, 2, 3], scalars: scalars), columns: 3)
        // 3 columns x (3 + 2) + 2 wide, 2 rows x (2 + 2) + 2 high.
        #expect(image.width == 17)
        #expect(image.height == 10)
        #expect(image.color == .rgb)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(image.pixels[((y * 17 + x) * 3) ..< ((y * 17 + x) * 3 + 3)]) }
        #expect(pixel(0, 0) == [0, 0, 0])
        #expect(pixel(2, 2) == [0, 26, 0])           // image 0: round(0.1 * 255) = 26
        #expect(pixel(7 + 2, 2 + 1) == [26, 51, 0])  // image 1, bottom-right pixel
        #expect(pixel(6, 2) == [0, 0, 0])            // gap between images 0 and 1
        #expect(pixel(7, 6) == [102, 128, 0])        // image 4: row 1, column 1
        #expect(pixel(12, 6) == [0, 0, 0])           // the empty sixth cell stays background
    }

    @Test func greyGridClampsAndWritesAValidFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let values: [Float] = [-1, 0.5, 2, .nan, 1, 0, 0.25, 0.75]
        let path = directory.file("grid.png")
        try ImageGrid.write(Tensor(shape: [2, 1, 2, 2], scalars: values), columns: 1, to: path, padding: 1, background: 9)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let decoded = try DecodedPNG(bytes)
        #expect(decoded.width == 4)
        #expect(decoded.height == 7)
        #expect(decoded.colorType == 0)
        #expect(Array(decoded.pixels[0..<4]) == [9, 9, 9, 9])
        #expect(Array(decoded.pixels[4..<12]) == [9, 0, 128, 9, 9, 255, 0, 9])
        #expect(Array(decoded.pixels[16..<24]) == [9, 255, 0, 9, 9, 64, 191, 9])
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["grid.png"])
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/pngfix") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/pngfix")
            process.arguments = [path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
    }

    @Test func writeErrorsCarryPathAndErrno() throws {
        let image = try PixelImage(width: 1, height: 1, color: .grey, pixels: [0])
        let error = datasetError { try PNG.write(image, to: "/nonexistent-dir/x.png") }
        #expect(error?.kind == .system(errno: ENOENT))
        #expect(error?.path.hasPrefix("/nonexistent-dir/") == true)
    }

    @Test func rejectsImpossibleImages() {
        #expect(datasetError { _ = try PixelImage(width: 2, height: 2, color: .rgb, pixels: [1, 2, 3]) } != nil)
        #expect(datasetError { _ = try PixelImage(width: 0, height: 2, color: .grey, pixels: []) } != nil)
        #expect(datasetError { _ = try ImageGrid.make(from: Tensor(zeros: [1, 2, 2, 2]), columns: 1) } != nil)
        #expect(datasetError { _ = try ImageGrid.make(from: Tensor(zeros: [1, 1, 2, 2]), columns: 0) } != nil)
    }
}
