import Tensor
import Testing
@testable import Datasets

@Suite struct PreprocessingTests {
    /// Two 2x2 grey images: [[0, 255], [51, 102]] and [[255, 0], [0, 255]].
    func greyImages() throws -> LabeledImages {
        try LabeledImages(pixels: [0, 255, 51, 102, 255, 0, 0, 255], labels: [1, 0],
                          channels: 1, height: 2, width: 2, classCount: 2)
    }

    @Test func padsReplicatesAndNormalisesByHand() throws {
        let normalization = try Normalization(mean: [0.5, 0.2, 0.0], standardDeviation: [0.5, 0.4, 2.0])
        let preprocessor = try ImagePreprocessor(images: greyImages(),
                                                 target: InputShape(channels: 3, height: 4, width: 4),
                                                 normalization: normalization)
        // Batch in the order [1, 0]: the second image first.
        let batch = preprocessor.batch(from: try greyImages(), indices: [1, 0])
        #expect(batch.shape == [2, 3, 4, 4])
        let values = batch.scalars
        func at(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Float { values[((n * 3 + c) * 4 + y) * 4 + x] }
        // Channel 0: (v - 0.5) / 0.5; padding (pixel 0) reads -1.
        #expect(at(0, 0, 0, 0) == -1)
        #expect(at(0, 0, 1, 1) == 1)       // 255 of image 1 at (0, 0), shifted by 1
        #expect(at(0, 0, 1, 2) == -1)      // 0
        #expect(at(0, 0, 3, 3) == -1)      // bottom-right padding
        // Image 0, pixel 51 = 0.2: channel 1 gives (0.2 - 0.2) / 0.4 = 0, channel 2 gives 0.1.
        #expect(abs(at(1, 1, 2, 1)) < 1e-6)
        #expect(abs(at(1, 2, 2, 1) - 0.1) < 1e-6)
        // Pixel 102 = 0.4 in channel 0: (0.4 - 0.5) / 0.5 = -0.2.
        #expect(abs(at(1, 0, 2, 2) + 0.2) < 1e-6)
        // Channel 2 padding: (0 - 0) / 2 = 0.
        #expect(at(1, 2, 0, 3) == 0)
    }

    @Test func fashionSizedImagesPadTwoOnEachSide() throws {
        let pixels = [UInt8](repeating: 255, count: 28 * 28)
        let images = try LabeledImages(pixels: pixels, labels: [0], channels: 1, height: 28, width: 28, classCount: 10)
        let preprocessor = try ImagePreprocessor(images: images, target: InputShape(channels: 3, height: 32, width: 32))
        let batch = preprocessor.batch(from: images, indices: [0])
        #expect(batch.shape == [1, 3, 32, 32])
        let values = batch.scalars
        for channel in 0..<3 {
            for y in 0..<32 {
                for x in 0..<32 {
                    let inside = (2..<30).contains(y) && (2..<30).contains(x)
                    #expect(values[(channel * 32 + y) * 32 + x] == (inside ? 1 : 0))
                }
            }
        }
    }

    @Test func largeBatchesMatchAcrossThreads() throws {
        var generator = RandomGenerator(seed: 3)
        let count = 300
        let pixels = (0..<(count * 3 * 8 * 8)).map { _ in UInt8(generator.integer(below: 256)) }
        let images = try LabeledImages(pixels: pixels, labels: .init(repeating: 0, count: count),
                                       channels: 3, height: 8, width: 8, classCount: 1)
        let normalization = try Normalization(mean: [0.3], standardDeviation: [0.7])
        let preprocessor = try ImagePreprocessor(images: images, target: InputShape(channels: 3, height: 8, width: 8),
                                                 normalization: normalization)
        let indices = generator.permutation(count)
        let values = preprocessor.batch(from: images, indices: indices).scalars
        for (sample, index) in indices.enumerated() {
            for offset in 0..<(3 * 64) {
                let expected = (Float(pixels[index * 192 + offset]) / 255 - 0.3) / 0.7
                #expect(values[sample * 192 + offset] == expected)
            }
        }
    }

    @Test func rejectsShapesAndNormalisationsThatDoNotFit() throws {
        let grey = InputShape(channels: 1, height: 28, width: 28)
        let error = datasetError { _ = try ImagePreprocessor(source: grey, target: InputShape(channels: 3, height: 16, width: 16)) }
        #expect(error?.kind == .invalidArgument)
        #expect(datasetError {
            _ = try ImagePreprocessor(source: InputShape(channels: 3, height: 32, width: 32), target: InputShape(channels: 1, height: 32, width: 32))
        } != nil)
        let twoValues = try Normalization(mean: [0.1, 0.2], standardDeviation: [1])
        #expect(datasetError {
            _ = try ImagePreprocessor(source: grey, target: InputShape(channels: 3, height: 32, width: 32), normalization: twoValues)
        } != nil)
        #expect(datasetError { _ = try Normalization(mean: [0], standardDeviation: [0]) } != nil)
        #expect(datasetError { _ = try Normalization(mean: [], standardDeviation: [1]) } != nil)
    }
}
