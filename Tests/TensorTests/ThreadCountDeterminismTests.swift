import Tensor
import Testing

/// A job may resume with a different thread budget and must continue bit for bit, so
/// every parallel kernel, reductions included, gives identical bits at 1, 2 and 3
/// threads. Serialized: the thread count is process-wide.
@Suite(.serialized) struct ThreadCountDeterminismTests {
    /// `compute` at each thread count; every result's bits must match the first.
    private static func expectSameBits(_ label: String, _ compute: () -> [Tensor]) {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var reference: [[UInt32]]?
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let bits = compute().map { $0.scalars.map(\.bitPattern) }
            if let reference {
                #expect(bits == reference, "\(label) differs at \(threads) threads")
            } else {
                reference = bits
            }
        }
    }

    /// (input shape, weight shape, stride, padding, groups): Winograd with 4x4 tiles (8x8
    /// images) and 2x2 tiles (40x40 is not a multiple of 16 wide), im2col with several
    /// images per block, row bands of one large image, stride 2 (im2col, and the direct
    /// weight gradient), pointwise, grouped.
    private static let convolutions: [([Int], [Int], Int, Int, Int)] = [
        ([20, 16, 8, 8], [24, 16, 3, 3], 1, 1, 1),
        ([12, 3, 32, 32], [16, 3, 3, 3], 1, 1, 1),
        ([10, 8, 12, 12], [16, 8, 3, 3], 2, 1, 1),
        ([11, 6, 16, 16], [8, 6, 3, 3], 2, 1, 1),
        ([9, 16, 6, 6], [8, 16, 1, 1], 1, 0, 1),
        ([7, 8, 10, 10], [8, 4, 3, 3], 1, 1, 2),
        ([5, 32, 40, 40], [16, 32, 3, 3], 1, 1, 1),
    ]

    @Test func convolutionPassesIgnoreTheThreadCount() {
        var random = RandomGenerator(seed: 11)
        for (inputShape, weightShape, stride, padding, groups) in Self.convolutions {
            let geometry = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape,
                                          stride: stride, padding: padding, groups: groups)!
            let input = random.normalTensor(shape: inputShape)
            let weight = random.normalTensor(shape: weightShape, standardDeviation: 0.2)
            let bias = random.normalTensor(shape: [weightShape[0]])
            let gradOutput = random.normalTensor(shape: geometry.outputShape)
            Self.expectSameBits("conv \(inputShape) x \(weightShape) s\(stride)") {
                [Conv2dKernels.forward(input: input, weight: weight, bias: bias, geometry: geometry),
                 Conv2dKernels.backwardInput(gradOutput: gradOutput, weight: weight, geometry: geometry),
                 Conv2dKernels.backwardWeight(gradOutput: gradOutput, input: input, geometry: geometry),
                 Conv2dKernels.backwardBias(gradOutput: gradOutput)]
            }
        }
    }

    @Test func batchNormAndReductionsIgnoreTheThreadCount() {
        var random = RandomGenerator(seed: 12)
        let input = random.normalTensor(shape: [64, 24, 16, 16], mean: 3)
        let gradOutput = random.normalTensor(shape: input.shape)
        Self.expectSameBits("batch norm") {
            let (mean, variance) = BatchNormKernels.channelStatistics(input)
            let sums = BatchNormKernels.channelGradientSums(gradOutput: gradOutput, input: input, center: mean)
            let scale = variance.map { Float(1 / ($0 + 1e-5).squareRoot()) }
            let combined = BatchNormKernels.channelCombination(
                shape: input.shape, gradOutput: gradOutput, input: input,
                coefficients: .init(gradScale: scale, inputScale: scale, center: mean.map { Float($0) },
                                    offset: sums.gradient.map { Float($0) }))
            let statistics = (mean + variance + sums.gradient + sums.gradientTimesCentered).map { Float($0) }
            return [combined, Tensor(shape: [statistics.count], scalars: statistics)]
        }
        Self.expectSameBits("broadcast sums") {
            [BroadcastKernels.sum(input, toShape: [1, 24, 1, 1]),
             BroadcastKernels.sum(input, toShape: [16, 16]),
             Tensor(shape: [2], scalars: [BroadcastKernels.total(input), Float(ReductionKernels.total(input))])]
        }
    }

    @Test func matrixProductsIgnoreTheThreadCount() {
        var random = RandomGenerator(seed: 13)
        let input = random.normalTensor(shape: [256, 384])
        let weight = random.normalTensor(shape: [1000, 384])
        let gradOutput = random.normalTensor(shape: [256, 1000])
        Self.expectSameBits("linear") {
            [MatmulKernels.linear(input: input, weight: weight, bias: nil),
             MatmulKernels.multiply(gradOutput, weight),
             MatmulKernels.multiply(gradOutput, input, transposeA: true),
             MatmulKernels.columnSums(gradOutput)]
        }
    }
}
