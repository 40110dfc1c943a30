import Autograd
import NN
import Tensor
import Testing
import TestSupport

/// `normalizedConvolution` folds an eval-mode batch norm (and a relu) into the
/// convolution when no gradients are recorded; it must give the unfused layers' values
/// up to rounding, on the Winograd path (16 channels, 3x3 stride 1), the im2col path
/// (stride 2, grouped) and a pointwise conv with its own bias.
@Suite struct FoldedBatchNormTests {
    struct Case: CustomStringConvertible, Sendable {
        let inputShape: [Int]
        let outputChannels, kernel, stride, padding, groups: Int
        let convolutionBias, affine, rectified: Bool
        var description: String {
            "\(inputShape) -> \(outputChannels) k\(kernel) s\(stride) g\(groups) bias \(convolutionBias) affine \(affine) relu \(rectified)"
        }
    }

    static let cases = [
        Case(inputShape: [3, 16, 9, 8], outputChannels: 16, kernel: 3, stride: 1, padding: 1, groups: 1,
             convolutionBias: false, affine: true, rectified: true),
        Case(inputShape: [2, 4, 11, 10], outputChannels: 6, kernel: 3, stride: 2, padding: 1, groups: 2,
             convolutionBias: false, affine: true, rectified: false),
        Case(inputShape: [2, 5, 6, 6], outputChannels: 3, kernel: 1, stride: 1, padding: 0, groups: 1,
             convolutionBias: true, affine: false, rectified: true),
    ]

    @Test(arguments: cases)
    func foldedMatchesTheTwoLayers(_ test: Case) throws {
        var random = RandomGenerator(seed: 91)
        let conv = Conv2d(inputChannels: test.inputShape[1], outputChannels: test.outputChannels,
                          kernelSize: test.kernel, stride: test.stride, padding: test.padding, groups: test.groups,
                          bias: test.convolutionBias, random: &random)
        let bn = BatchNorm(features: test.outputChannels, affine: test.affine)
        bn.statistics.mean = random.normalTensor(shape: [test.outputChannels], standardDeviation: 0.3)
        bn.statistics.variance = random.uniformTensor(shape: [test.outputChannels], in: 0.2...2)
        if test.affine {
            bn.weight!.value = random.uniformTensor(shape: [test.outputChannels], in: 0.5...1.5)
            bn.bias!.value = random.normalTensor(shape: [test.outputChannels], standardDeviation: 0.2)
        }
        bn.eval()
        let input = Variable(random.normalTensor(shape: test.inputShape))

        let separate = test.rectified ? relu(bn(conv(input))) : bn(conv(input))
        let folded = GradMode.withNoGrad { normalizedConvolution(input, conv, bn, rectified: test.rectified) }
        let report = checkClose(folded.value, separate.value, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        #expect(report.passed, "\(report)")
        #expect(folded.value.scalars.contains(0) == test.rectified)

        // With gradients on, the same call records the unfused layers.
        let recorded = normalizedConvolution(input, conv, bn, rectified: test.rectified)
        #expect(recorded.value.scalars == separate.value.scalars)
    }
}
