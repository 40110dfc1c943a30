import Testing
@testable import Datasets

@Suite struct DatasetRegistryTests {
    static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    @Test func parsesNameAndDirectory() throws {
        let location = try DatasetLocation(parsing: "cifar10:/data/cifar")
        #expect(location.name == .cifar10)
        #expect(location.directory == "/data/cifar")
        // Only the first colon separates: directories may contain colons.
        #expect(try DatasetLocation(parsing: "mnist:/a:b").directory == "/a:b")
    }

    @Test func unknownNameListsTheKnownOnes() {
        let error = datasetError { _ = try DatasetLocation(parsing: "imagenet:/x") }
        #expect(error?.kind == .unknownDataset)
        #expect(error?.description.contains("fashion-mnist, mnist, cifar10, cifar100") == true)
    }

    @Test func missingDirectoryIsExplained() {
        let error = datasetError { _ = try DatasetLocation(parsing: "cifar100") }
        #expect(error?.kind == .missingDirectory)
        #expect(error?.description.contains("cifar100:DIR") == true)
        #expect(datasetError { _ = try DatasetLocation(parsing: "cifar10:") }?.kind == .missingDirectory)
    }

    @Test(.enabled(if: FileIO.exists(fashionDirectory + "/t10k-labels-idx1-ubyte.gz")))
    func fashionMNISTDefaultsToTheDebianLocation() throws {
        #expect(try DatasetLocation(parsing: "fashion-mnist").directory == Self.fashionDirectory)
    }

    @Test func loadsIDXAndCIFARLayoutsFromADirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        // Uncompressed IDX test split with two 28x28 images.
        _ = try directory.write(idxBytes(magic: IDX.imagesMagic, dimensions: [2, 28, 28], payload: .init(repeating: 7, count: 2 * 784)),
                                to: "t10k-images-idx3-ubyte")
        _ = try directory.write(try gzip(idxBytes(magic: IDX.labelsMagic, dimensions: [2], payload: [9, 4])),
                                to: "t10k-labels-idx1-ubyte.gz")
        let mnist = try DatasetLocation(parsing: "mnist:\(directory.path)").load(.test)
        #expect(mnist.labels == [9, 4])
        #expect(mnist.imageShape == [1, 28, 28])
        // CIFAR-10 test batch inside the folder its archive unpacks to.
        try directory.makeDirectory("cifar-10-batches-bin")
        _ = try directory.write([5] + [UInt8](repeating: 1, count: CIFAR.imageBytes), to: "cifar-10-batches-bin/test_batch.bin")
        let cifar = try DatasetLocation(name: .cifar10, directory: directory.path).load(.test)
        #expect(cifar.labels == [5])
        #expect(cifar.classNames == CIFAR.cifar10ClassNames)
        // The training batches are missing: the error names the first file.
        let error = datasetError { _ = try DatasetLocation(name: .cifar10, directory: directory.path).load(.train) }
        #expect(error?.kind == .notFound)
        #expect(error?.path == directory.file("data_batch_1.bin"))
    }

    @Test(.enabled(if: FileIO.exists(fashionDirectory + "/train-images-idx3-ubyte.gz")))
    func realFashionMNISTLoads() throws {
        let location = try DatasetLocation(parsing: "fashion-mnist:\(Self.fashionDirectory)")
        for (split, perClass) in [(DatasetSplit.train, 6000), (.test, 1000)] {
            let images = try location.load(split)
            #expect(images.count == perClass * 10)
            #expect(images.imageShape == [1, 28, 28])
            #expect(images.labelCounts() == [Int](repeating: perClass, count: 10))
            #expect(images.classNames?[0] == "T-shirt/top")
            #expect(images.classNames?[9] == "Ankle boot")
            // Real photographs: not all background, not all one value.
            #expect(Set(images.image(at: 0)).count > 10)
        }
        // End to end: a KD-sized batch in the teacher's input form.
        let test = try location.load(.test)
        let normalization = try Normalization(mean: [0.286], standardDeviation: [0.353])
        let preprocessor = try ImagePreprocessor(images: test, target: InputShape(channels: 3, height: 32, width: 32),
                                                 normalization: normalization)
        let indices = Array(stride(from: 0, to: 10000, by: 19).prefix(512))
        let clock = ContinuousClock()
        let start = clock.now
        let batch = preprocessor.batch(from: test, indices: indices)
        let elapsed = clock.now - start
        #expect(batch.shape == [512, 3, 32, 32])
        let values = batch.scalars
        let sample = 7, y = 10, x = 13
        let pixel = test.pixels[indices[sample] * 784 + y * 28 + x]
        for channel in 0..<3 {
            #expect(values[((sample * 3 + channel) * 32 + y + 2) * 32 + x + 2] == normalization.normalized(pixel: pixel, channel: 0))
        }
        #expect(values[(sample * 3 * 32) * 32] == normalization.zeroPixelValues(channels: 1)[0])
        #expect(elapsed < .seconds(2), "preprocessing 512 images took \(elapsed)")
    }
}

