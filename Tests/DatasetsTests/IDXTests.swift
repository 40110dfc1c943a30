import Foundation
import Testing
@testable import Datasets

@Suite struct IDXTests {
    /// Three 2x3 images with distinct bytes and labels 2, 0, 1.
    let pixels: [UInt8] = (0..<18).map { UInt8($0 * 7 % 256) }
    let labels: [UInt8] = [2, 0, 1]

    func writePair(in directory: TemporaryDirectory, compressed: Bool,
                   labels overrideLabels: [UInt8]? = nil) throws -> (images: String, labels: String) {
        let labelValues = overrideLabels ?? labels
        var imageFile = idxBytes(magic: IDX.imagesMagic, dimensions: [3, 2, 3], payload: pixels)
        var labelFile = idxBytes(magic: IDX.labelsMagic, dimensions: [labelValues.count], payload: labelValues)
        if compressed {
            imageFile = try gzip(imageFile)
            labelFile = try gzip(labelFile)
        }
        let suffix = compressed ? ".gz" : ""
        return (try directory.write(imageFile, to: "images\(suffix)"), try directory.write(labelFile, to: "labels\(suffix)"))
    }

    @Test(arguments: [true, false])
    func readsBackWhatWasWritten(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let paths = try writePair(in: directory, compressed: compressed)
        let images = try IDX.load(imagesPath: paths.images, labelsPath: paths.labels, classCount: 3)
        #expect(images.count == 3)
        #expect(images.imageShape == [1, 2, 3])
        #expect(images.pixels == pixels)
        #expect(images.labels == [2, 0, 1])
        #expect(Array(images.image(at: 1)) == Array(pixels[6..<12]))
        #expect(images.labelCounts() == [1, 1, 1])
    }

    @Test func wrongMagicNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let paths = try writePair(in: directory, compressed: true)
        // A label file where an image file is expected.
        let error = datasetError { _ = try IDX.readImages(path: paths.labels) }
        #expect(error?.kind == .badMagic)
        #expect(error?.path == paths.labels)
        #expect(error?.description.contains("00000801") == true)
    }

    @Test(arguments: [true, false])
    func truncatedPayloadIsReported(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        var bytes = idxBytes(magic: IDX.imagesMagic, dimensions: [3, 2, 3], payload: Array(pixels.prefix(17)))
        if compressed { bytes = try gzip(bytes) }
        let path = try directory.write(bytes, to: "short")
        let error = datasetError { _ = try IDX.readImages(path: path) }
        #expect(error?.kind == .truncated)
        #expect(error?.path == path)
    }

    @Test func truncatedGzipStreamIsReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let whole = try gzip(idxBytes(magic: IDX.imagesMagic, dimensions: [3, 2, 3], payload: pixels))
        let path = try directory.write(Array(whole.prefix(whole.count - 10)), to: "cut.gz")
        let error = datasetError { _ = try IDX.readImages(path: path) }
        #expect(error?.kind == .truncated)
        #expect(error?.path == path)
    }

    @Test func corruptGzipIsReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        var bytes = try gzip(idxBytes(magic: IDX.imagesMagic, dimensions: [3, 2, 3], payload: pixels))
        for index in 10..<(bytes.count - 8) { bytes[index] = 0xff }
        let path = try directory.write(bytes, to: "corrupt.gz")
        let error = datasetError { _ = try IDX.readImages(path: path) }
        #expect(error?.kind == .corruptCompression)
    }

    @Test func headerShorterThanItsDimensions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = try directory.write(bigEndian(IDX.imagesMagic) + [0, 0, 0, 3], to: "header")
        #expect(datasetError { _ = try IDX.readImages(path: path) }?.kind == .truncated)
        let tiny = try directory.write([0, 0], to: "tiny")
        #expect(datasetError { _ = try IDX.readImages(path: tiny) }?.kind == .truncated)
    }

    @Test func extraBytesAreReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = try directory.write(idxBytes(magic: IDX.labelsMagic, dimensions: [2], payload: [1, 2, 3]), to: "long")
        #expect(datasetError { _ = try IDX.readLabels(path: path) }?.kind == .trailingBytes)
    }

    @Test func hugeDimensionsDoNotTrap() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = try directory.write(
            idxBytes(magic: IDX.imagesMagic, dimensions: [0xffff_ffff, 0xffff_ffff, 0xffff_ffff], payload: []), to: "huge")
        #expect(datasetError { _ = try IDX.readImages(path: path) }?.kind == .badDimensions)
        let zero = try directory.write(idxBytes(magic: IDX.imagesMagic, dimensions: [1, 0, 5], payload: []), to: "zero")
        #expect(datasetError { _ = try IDX.readImages(path: zero) }?.kind == .badDimensions)
    }

    @Test func labelAndImageCountsMustAgree() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let paths = try writePair(in: directory, compressed: true, labels: [0, 1])
        let error = datasetError { _ = try IDX.load(imagesPath: paths.images, labelsPath: paths.labels, classCount: 3) }
        #expect(error?.kind == .countMismatch)
        #expect(error?.path == paths.labels)
    }

    @Test func labelsOutsideTheClassRangeAreRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let paths = try writePair(in: directory, compressed: false, labels: [0, 1, 10])
        let error = datasetError { _ = try IDX.load(imagesPath: paths.images, labelsPath: paths.labels, classCount: 10) }
        #expect(error?.kind == .labelOutOfRange)
        #expect(error?.description.contains("label 10 of item 2") == true)
    }

    @Test func missingFileIsNotFound() throws {
        let error = datasetError { _ = try IDX.readLabels(path: "/nonexistent/labels.gz") }
        #expect(error?.kind == .notFound)
        #expect(error?.path == "/nonexistent/labels.gz")
    }

    @Test func directoryIsNotARegularFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        #expect(datasetError { _ = try IDX.readLabels(path: directory.path) }?.kind == .invalidArgument)
    }
}
