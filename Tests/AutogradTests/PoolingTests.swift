import Autograd
import Tensor
import Testing
import TestSupport

/// One pooling as scripts/golden/pooling.py names it.
struct PoolingCase: CustomTestStringConvertible, Sendable {
    let name: String
    let inputShape: [Int]
    let outputShape: [Int]
    /// Max pooling needs distinct inputs: finite differences across a tie measure a kink.
    let distinctInputs: Bool
    let apply: @Sendable (Variable) -> Variable
    var testDescription: String { name }

    static let all: [PoolingCase] = [
        .init(name: "max_k2", inputShape: [2, 3, 6, 6], outputShape: [2, 3, 3, 3], distinctInputs: true) {
            maxPool2d($0, kernelSize: 2)
        },
        .init(name: "max_k3_s2_p1", inputShape: [2, 2, 7, 7], outputShape: [2, 2, 4, 4], distinctInputs: true) {
            maxPool2d($0, kernelSize: 3, stride: 2, padding: 1)
        },
        .init(name: "avg_k2", inputShape: [2, 3, 6, 6], outputShape: [2, 3, 3, 3], distinctInputs: false) {
            avgPool2d($0, kernelSize: 2)
        },
        .init(name: "avg_k3_s2", inputShape: [1, 2, 7, 7], outputShape: [1, 2, 3, 3], distinctInputs: false) {
            avgPool2d($0, kernelSize: 3, stride: 2)
        },
        .init(name: "adaptive_8_1", inputShape: [2, 2, 8, 8], outputShape: [2, 2, 1, 1], distinctInputs: false) {
            adaptiveAveragePool2d($0, outputSize: (1, 1))
        },
        .init(name: "adaptive_7_1", inputShape: [2, 2, 7, 7], outputShape: [2, 2, 1, 1], distinctInputs: false) {
            adaptiveAveragePool2d($0, outputSize: (1, 1))
        },
        .init(name: "adaptive_5_2", inputShape: [2, 2, 5, 5], outputShape: [2, 2, 2, 2], distinctInputs: false) {
            adaptiveAveragePool2d($0, outputSize: (2, 2))
        },
        .init(name: "adaptive_7x5_3x2", inputShape: [1, 3, 7, 5], outputShape: [1, 3, 3, 2], distinctInputs: false) {
            adaptiveAveragePool2d($0, outputSize: (height: 3, width: 2))
        },
    ]
}

@Suite struct PoolingTests {
    @Test(arguments: PoolingCase.all)
    func gradientMatchesFiniteDifferences(_ pooling: PoolingCase) {
        var random = RandomGenerator(seed: 701)
        let count = pooling.inputShape.reduce(1, *)
        let value = pooling.distinctInputs
            ? Tensor(shape: pooling.inputShape, scalars: random.permutation(count).map { Float($0) * 0.1 - Float(count) * 0.05 })
            : random.normalTensor(shape: pooling.inputShape)
        let x = Variable(value, requiresGrad: true)
        let report = checkGradients(of: [x], maximumProbesPerInput: 128) { pooling.apply($0[0]) }
        #expect(report.passed, "\(pooling.name): \(report)")
    }

    /// PyTorch forward and backward, rtol 1e-4 / atol 1e-5.
    @Test(arguments: PoolingCase.all)
    func matchesPyTorch(_ pooling: PoolingCase) throws {
        let (x, y) = try NormGolden("pooling").expectUnaryOpMatches(pooling.name, pooling.apply)
        #expect(x.shape == pooling.inputShape)
        #expect(y.shape == pooling.outputShape)
    }

    /// Integer inputs with many ties in overlapping windows: PyTorch sends each window's
    /// gradient to its first maximum in row-major order.
    @Test func maxPoolTiesMatchPyTorch() throws {
        let (x, _) = try NormGolden("pooling").expectUnaryOpMatches("max_ties") { maxPool2d($0, kernelSize: 3, stride: 1) }
        #expect(x.value.scalars.contains(2), "the fixture should hold ties of the maximum value")
    }

    @Test func maxPoolGradientGoesToTheFirstMaximum() {
        let x = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [3, 5, 5, 1]), requiresGrad: true)
        let y = maxPool2d(x, kernelSize: 2)
        #expect(y.value.scalars == [5])
        y.backward(seed: Tensor(shape: [1, 1, 1, 1], scalars: [2]))
        #expect(x.grad?.scalars == [0, 2, 0, 0])
    }

    @Test func adaptiveBinsFollowPyTorch() {
        // 5 -> 2: rows 0..<3 and 2..<5 (they overlap in row 2); 7 -> 3: 0..<3, 2..<5, 4..<7.
        let five = PoolingKernels.Bins(size: 5, adaptiveOutputs: 2)
        #expect(five.starts == [0, 2] && five.ends == [3, 5])
        let seven = PoolingKernels.Bins(size: 7, adaptiveOutputs: 3)
        #expect(seven.starts == [0, 2, 4] && seven.ends == [3, 5, 7])
        let x = Variable(Tensor(shape: [1, 1, 1, 5], scalars: [1, 2, 3, 4, 5]))
        #expect(adaptiveAveragePool2d(x, outputSize: (1, 2)).value.scalars == [2, 4])
    }
}
