import Tensor
import TestSupport
import Testing

/// Winograd F(4x4, 3x3) and F(2x2, 3x3) against a float64 direct convolution. The cases
/// take every run shape of the 4x4 tiles (8 tiles, two rows of 4, 4 tiles, two rows of
/// 2), several images per block, row bands of one image, a bias and the fused relu.
///
/// Tolerance: Winograd's transforms add and cancel values several times larger than the
/// output, so its rounding error scales with the sum of the absolute products behind each
/// output, not with the output itself (an output near zero can have a large sum). Each
/// output must be within 1e-5 of that sum. Measured worst: 1.4e-7 for 2x2 tiles, 4.4e-6
/// for 4x4 tiles, whose transforms multiply by up to 5 on the way in and 8 on the way
/// out: the known price of F(4x4, 3x3) in float32.
@Suite struct WinogradTileTests {
    struct Case: CustomStringConvertible, Sendable {
        let inputShape: [Int]
        let outputChannels: Int
        var hasBias = true
        var rectified = false
        var description: String { "\(inputShape) -> \(outputChannels)\(hasBias ? " bias" : "")\(rectified ? " relu" : "")" }
    }

    static let cases: [Case] = [
        Case(inputShape: [3, 16, 32, 32], outputChannels: 16),
        Case(inputShape: [5, 32, 16, 16], outputChannels: 24, hasBias: false),
        // 16-pixel-wide images pair their tile rows; with 5 rows the last one runs alone.
        Case(inputShape: [2, 16, 20, 16], outputChannels: 16, rectified: true),
        Case(inputShape: [2, 16, 8, 48], outputChannels: 16, rectified: true),
        // 25 x 16 tiles is more than one block holds at 16 channels: two row bands.
        Case(inputShape: [1, 16, 100, 64], outputChannels: 17, rectified: true),
        // 8-pixel-wide images: pairs of tile rows share a vector.
        Case(inputShape: [6, 64, 8, 8], outputChannels: 32),
        Case(inputShape: [3, 16, 24, 8], outputChannels: 16, rectified: true),
    ]

    @Test(arguments: cases)
    func bothTileSizesMatchDirectConvolution(_ test: Case) throws {
        var random = RandomGenerator(seed: 41)
        let input = random.normalTensor(shape: test.inputShape)
        let weight = random.normalTensor(shape: [test.outputChannels, test.inputShape[1], 3, 3], standardDeviation: 0.3)
        let bias = test.hasBias ? random.normalTensor(shape: [test.outputChannels]) : nil
        let geometry = try #require(Conv2dGeometry(inputShape: test.inputShape, weightShape: weight.shape,
                                                   stride: 1, padding: 1, groups: 1))
        #expect(Winograd3x3.forwardTileSize(for: geometry) == 4)
        let (reference, magnitude) = directConvolution(input: input, weight: weight, bias: bias)
        for tileSize in [2, 4] {
            let output = Winograd3x3.forward(input: input,
                                             transformedWeight: Winograd3x3.transformWeight(weight, tileSize: tileSize),
                                             bias: bias, geometry: geometry, rectified: test.rectified)
            let values = output.scalars
            var worst = 0.0
            for index in values.indices {
                let expected = test.rectified ? max(0, reference[index]) : reference[index]
                worst = max(worst, abs(Double(values[index]) - expected) / magnitude[index])
            }
            #expect(worst <= 1e-5, "\(tileSize)x\(tileSize) tiles: worst error \(worst) of the absolute sum")
        }
    }

    /// The weight gradient, against float64 sums over the batch and the pixels. Each entry
    /// must be within 1e-5 of the sum of the absolute products behind it.
    @Test(arguments: cases)
    func weightGradientMatchesDirectSums(_ test: Case) throws {
        var random = RandomGenerator(seed: 43)
        let input = random.normalTensor(shape: test.inputShape)
        let (batch, inputChannels, height, width) = (test.inputShape[0], test.inputShape[1],
                                                     test.inputShape[2], test.inputShape[3])
        let gradOutput = random.normalTensor(shape: [batch, test.outputChannels, height, width])
        let geometry = try #require(Conv2dGeometry(inputShape: test.inputShape,
                                                   weightShape: [test.outputChannels, inputChannels, 3, 3],
                                                   stride: 1, padding: 1, groups: 1))
        let gradWeight = Winograd3x3.backwardWeight(gradOutput: gradOutput, input: input, geometry: geometry).scalars
        let (x, dy) = (input.scalars, gradOutput.scalars)
        var worst = 0.0
        for o in 0..<test.outputChannels {
            for c in 0..<inputChannels {
                for i in 0..<3 {
                    for j in 0..<3 {
                        var (sum, absolute) = (0.0, 0.0)
                        for n in 0..<batch {
                            for y in 0..<height where (0..<height).contains(y + i - 1) {
                                for xo in 0..<width where (0..<width).contains(xo + j - 1) {
                                    let product = Double(dy[((n * test.outputChannels + o) * height + y) * width + xo])
                                        * Double(x[((n * inputChannels + c) * height + y + i - 1) * width + xo + j - 1])
                                    sum += product
                                    absolute += abs(product)
                                }
                            }
                        }
                        let actual = Double(gradWeight[((o * inputChannels + c) * 3 + i) * 3 + j])
                        worst = max(worst, abs(actual - sum) / absolute)
                    }
                }
            }
        }
        #expect(worst <= 1e-5, "worst error \(worst) of the absolute sum")
    }

    /// The 3x3 padding-1 convolution in float64, and for each output the sum of the
    /// absolute values of its products (plus |bias|).
    func directConvolution(input: Tensor, weight: Tensor, bias: Tensor?) -> ([Double], [Double]) {
        let (batch, inputChannels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let outputChannels = weight.shape[0]
        let (x, w, b) = (input.scalars, weight.scalars, bias?.scalars)
        var output = [Double](repeating: 0, count: batch * outputChannels * height * width)
        var magnitude = output
        for n in 0..<batch {
            for o in 0..<outputChannels {
                for y in 0..<height {
                    for xo in 0..<width {
                        var (sum, absolute) = (Double(b?[o] ?? 0), Double(abs(b?[o] ?? 0)))
                        for c in 0..<inputChannels {
                            for i in 0..<3 where (0..<height).contains(y + i - 1) {
                                for j in 0..<3 where (0..<width).contains(xo + j - 1) {
                                    let product = Double(w[((o * inputChannels + c) * 3 + i) * 3 + j])
                                        * Double(x[((n * inputChannels + c) * height + y + i - 1) * width + xo + j - 1])
                                    sum += product
                                    absolute += abs(product)
                                }
                            }
                        }
                        let index = ((n * outputChannels + o) * height + y) * width + xo
                        (output[index], magnitude[index]) = (sum, absolute)
                    }
                }
            }
        }
        return (output, magnitude)
    }
}
