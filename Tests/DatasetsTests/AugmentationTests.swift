import Tensor
import Testing
@testable import Datasets

@Suite struct AugmentationTests {
    /// [B, C, H, W] = [6, 2, 5, 7] with every element distinct and non-zero.
    let batch = Tensor(shape: [6, 2, 5, 7], scalars: (0..<(6 * 2 * 5 * 7)).map { Float($0 + 1) })

    /// Recomputes an augmented element the slow way: pad, crop, then flip.
    func expected(_ input: [Float], sample: Int, channel: Int, y: Int, x: Int,
                  draw: AugmentationDraw, padding: Int, fill: Float) -> Float {
        let (height, width) = (5, 7)
        let croppedX = draw.flips[sample] ? width - 1 - x : x
        let paddedY = y + draw.offsets[sample].dy
        let paddedX = croppedX + draw.offsets[sample].dx
        let sourceY = paddedY - padding
        let sourceX = paddedX - padding
        guard (0..<height).contains(sourceY), (0..<width).contains(sourceX) else { return fill }
        return input[((sample * 2 + channel) * height + sourceY) * width + sourceX]
    }

    @Test func drawOrderIsCropRowCropColumnFlipPerSample() throws {
        let augmentation = try Augmentation(padding: 4)
        var generator = RandomGenerator(seed: 42)
        var mirror = generator
        let draw = augmentation.draw(count: 3, using: &generator)
        for sample in 0..<3 {
            #expect(draw.offsets[sample].dy == mirror.integer(below: 9))
            #expect(draw.offsets[sample].dx == mirror.integer(below: 9))
            #expect(draw.flips[sample] == (mirror.uniform() < 0.5))
        }
        #expect(generator == mirror)
    }

    @Test func randomCropsAndFlipsMatchARecomputation() throws {
        let augmentation = try Augmentation(padding: 2, fill: [-3, -5])
        var generator = RandomGenerator(seed: 7)
        var replay = generator
        let output = try augmentation.apply(to: batch, using: &generator)
        let draws = augmentation.draw(count: 6, using: &replay)
        #expect(generator == replay)
        let input = batch.scalars
        let values = output.scalars
        for sample in 0..<6 {
            for channel in 0..<2 {
                for y in 0..<5 {
                    for x in 0..<7 {
                        let want = expected(input, sample: sample, channel: channel, y: y, x: x,
                                            draw: draws, padding: 2, fill: channel == 0 ? -3 : -5)
                        #expect(values[((sample * 2 + channel) * 5 + y) * 7 + x] == want)
                    }
                }
            }
        }
        // The batch drew a mix of flips and offsets, so the test exercised both branches.
        #expect(Set(draws.flips).count == 2)
        #expect(Set(draws.offsets.map(\.dx)).count > 1)
    }

    @Test func specificDrawsGiveKnownPixels() throws {
        let augmentation = try Augmentation(padding: 4)
        let draws = AugmentationDraw(padding: 4, offsets: (0..<6).map { $0 == 0 ? (4, 4) : (0, 8) },
                                     flips: (0..<6).map { $0 == 0 })
        let values = try augmentation.apply(draws, to: batch).scalars
        // Sample 0: centred crop, flipped: row 0 reads the first row of plane 0 backwards.
        #expect(Array(values[0..<7]) == [7, 6, 5, 4, 3, 2, 1])
        // Sample 1: shifted down by 4 and right by 4: output (4, 0) is input (0, 4).
        let plane = 2 * 5 * 7
        #expect(values[plane + 4 * 7 + 0] == batch.scalars[plane + 4])
        #expect(values[plane + 3 * 7 + 0] == 0)
        #expect(values[plane + 4 * 7 + 3] == 0)
    }

    @Test func rejectsBadArguments() throws {
        #expect(datasetError { _ = try Augmentation(padding: -1) } != nil)
        #expect(datasetError { _ = try Augmentation(fill: []) } != nil)
        let augmentation = try Augmentation(padding: 1, fill: [0, 0, 0])
        #expect(datasetError { _ = try augmentation.apply(AugmentationDraw(padding: 1, offsets: [], flips: []), to: batch) } != nil)
        let draws = AugmentationDraw(padding: 1, offsets: Array(repeating: (0, 0), count: 6), flips: Array(repeating: false, count: 6))
        // Three fill values for a two-channel batch.
        #expect(datasetError { _ = try augmentation.apply(draws, to: batch) } != nil)
        let wide = AugmentationDraw(padding: 1, offsets: Array(repeating: (3, 0), count: 6), flips: Array(repeating: false, count: 6))
        #expect(datasetError { _ = try Augmentation(padding: 1).apply(wide, to: batch) } != nil)
    }
}
