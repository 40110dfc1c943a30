import Testing
@testable import Datasets

@Suite struct CIFARTests {
    /// A record: label bytes then 3072 pixels whose value depends on record and position.
    func record(labels: [UInt8], seed: Int) -> [UInt8] {
        labels + (0..<CIFAR.imageBytes).map { UInt8((seed * 31 + $0 * 7) % 251) }
    }

    @Test func cifar10RecordsConcatenateAcrossFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let first = try directory.write(record(labels: [3], seed: 0) + record(labels: [9], seed: 1), to: "a.bin")
        let second = try directory.write(record(labels: [0], seed: 2), to: "b.bin")
        let loaded = try CIFAR.load(paths: [first, second], variant: .cifar10)
        #expect(loaded.coarseLabels == nil)
        let images = loaded.images
        #expect(images.count == 3)
        #expect(images.imageShape == [3, 32, 32])
        #expect(images.labels == [3, 9, 0])
        #expect(Array(images.image(at: 2)) == Array(record(labels: [], seed: 2)))
        #expect(images.classNames?[3] == "cat")
    }

    @Test func cifar100KeepsFineAndCoarseLabels() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = try directory.write(record(labels: [4, 99], seed: 5) + record(labels: [19, 0], seed: 6), to: "train.bin")
        let loaded = try CIFAR.load(paths: [path], variant: .cifar100)
        #expect(loaded.images.labels == [99, 0])
        #expect(loaded.coarseLabels == [4, 19])
        #expect(Array(loaded.images.image(at: 0)) == Array(record(labels: [], seed: 5)))
        #expect(loaded.images.classCount == 100)
        #expect(CIFAR.cifar100ClassNames.count == 100)
        #expect(Set(CIFAR.cifar100ClassNames).count == 100)
        #expect(CIFAR.cifar100ClassNames == CIFAR.cifar100ClassNames.sorted())
    }

    @Test(arguments: [CIFAR.Variant.cifar10, .cifar100])
    func truncatedFileIsReported(variant: CIFAR.Variant) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let labels: [UInt8] = variant == .cifar10 ? [1] : [1, 1]
        let whole = record(labels: labels, seed: 0) + record(labels: labels, seed: 1)
        let path = try directory.write(Array(whole.dropLast(100)), to: "cut.bin")
        let error = datasetError { _ = try CIFAR.load(paths: [path], variant: variant) }
        #expect(error?.kind == .truncated)
        #expect(error?.path == path)
        let empty = try directory.write([], to: "empty.bin")
        #expect(datasetError { _ = try CIFAR.load(paths: [empty], variant: variant) }?.kind == .truncated)
    }

    @Test func labelsOutOfRangeAreRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let ten = try directory.write(record(labels: [10], seed: 0), to: "ten.bin")
        #expect(datasetError { _ = try CIFAR.load(paths: [ten], variant: .cifar10) }?.kind == .labelOutOfRange)
        let coarse = try directory.write(record(labels: [20, 5], seed: 0), to: "coarse.bin")
        #expect(datasetError { _ = try CIFAR.load(paths: [coarse], variant: .cifar100) }?.kind == .labelOutOfRange)
    }
}
