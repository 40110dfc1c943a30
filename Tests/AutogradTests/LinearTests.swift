import Autograd
import Tensor
import Testing
import TestSupport

/// A matmul configuration; scripts/golden/linear.py has the same names and shapes.
private struct MatmulCase: CustomStringConvertible, Sendable {
    let name: String
    let aShape: [Int]
    let bShape: [Int]
    let transposeA: Bool
    let transposeB: Bool
    var description: String { name }

    static let all: [MatmulCase] = [
        MatmulCase(name: "matmul_2d", aShape: [4, 6], bShape: [6, 3], transposeA: false, transposeB: false),
        MatmulCase(name: "matmul_batched", aShape: [3, 4, 5], bShape: [3, 5, 2], transposeA: false, transposeB: false),
        MatmulCase(name: "matmul_batched_transpose_b", aShape: [2, 4, 5], bShape: [2, 3, 5],
                   transposeA: false, transposeB: true),
        MatmulCase(name: "matmul_transpose_a", aShape: [6, 4], bShape: [6, 3], transposeA: true, transposeB: false),
        MatmulCase(name: "matmul_transpose_both", aShape: [2, 5, 4], bShape: [2, 3, 5],
                   transposeA: true, transposeB: true),
    ]
}

/// A linear configuration; the golden fixture has the same names and shapes.
private struct LinearCase: CustomStringConvertible, Sendable {
    let name: String
    let inputShape: [Int]
    let outputFeatures: Int
    let hasBias: Bool
    var description: String { name }

    static let all: [LinearCase] = [
        LinearCase(name: "linear_bias", inputShape: [5, 7], outputFeatures: 4, hasBias: true),
        LinearCase(name: "linear_no_bias", inputShape: [3, 6], outputFeatures: 8, hasBias: false),
        LinearCase(name: "linear_rank3", inputShape: [2, 3, 5], outputFeatures: 4, hasBias: true),
    ]

    var weightShape: [Int] { [outputFeatures, inputShape.last!] }

    func apply(_ variables: [Variable]) -> Variable {
        linear(variables[0], weight: variables[1], bias: hasBias ? variables[2] : nil)
    }
}

/// Golden comparisons use rtol 1e-4 / atol 1e-5: every value is a short float32 dot product.
private func expectClose(_ actual: Tensor?, _ golden: [String: Tensor], _ key: String) throws {
    let actual = try #require(actual, "no value for \(key)")
    let report = checkClose(actual, try golden.fixture(key), relativeTolerance: 1e-4,
                            absoluteTolerance: 1e-5, key)
    #expect(report.passed, "\(report)")
}

@Suite struct LinearTests {
    @Test(arguments: LinearCase.all)
    fileprivate func linearGradientsMatchFiniteDifferences(_ linearCase: LinearCase) {
        var random = RandomGenerator(seed: 41)
        var variables = [Variable(random.normalTensor(shape: linearCase.inputShape), requiresGrad: true),
                         Variable(random.normalTensor(shape: linearCase.weightShape), requiresGrad: true)]
        if linearCase.hasBias {
            variables.append(Variable(random.normalTensor(shape: [linearCase.outputFeatures]), requiresGrad: true))
        }
        let report = checkGradients(of: variables) { linearCase.apply($0) }
        #expect(report.passed, "\(linearCase): \(report)")
    }

    @Test func frozenWeightGetsNoGradient() {
        var random = RandomGenerator(seed: 42)
        let input = Variable(random.normalTensor(shape: [3, 4]), requiresGrad: true)
        let weight = Variable(random.normalTensor(shape: [2, 4]))
        let bias = Variable(random.normalTensor(shape: [2]))
        let report = checkGradients(of: [input, weight, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        #expect(report.passed, "\(report)")
        #expect(weight.grad == nil && bias.grad == nil)
    }

    @Test func handComputedLinear() {
        // [1 2] x [[1 0] [0 1] [1 1]]^T = [1 2 3]; plus the bias [0 10 -1] gives [1 12 2].
        let input = Variable(Tensor(shape: [1, 2], scalars: [1, 2]))
        let weight = Variable(Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1]))
        let bias = Variable(Tensor(shape: [3], scalars: [0, 10, -1]))
        #expect(linear(input, weight: weight, bias: bias).value.scalars == [1, 12, 2])
    }

    @Test(arguments: MatmulCase.all)
    fileprivate func matmulGradientsMatchFiniteDifferences(_ matmulCase: MatmulCase) {
        var random = RandomGenerator(seed: 43)
        let a = Variable(random.normalTensor(shape: matmulCase.aShape), requiresGrad: true)
        let b = Variable(random.normalTensor(shape: matmulCase.bShape), requiresGrad: true)
        let report = checkGradients(of: [a, b]) {
            matmul($0[0], $0[1], transposeA: matmulCase.transposeA, transposeB: matmulCase.transposeB)
        }
        #expect(report.passed, "\(matmulCase): \(report)")
    }

    @Test func batchedMatmulMultipliesEachItem() {
        // Item 0: identity x B0 = B0; item 1: 2 * identity x B1 = 2 B1.
        let a = Variable(Tensor(shape: [2, 2, 2], scalars: [1, 0, 0, 1, 2, 0, 0, 2]))
        let b = Variable(Tensor(shape: [2, 2, 1], scalars: [3, 4, 5, 6]))
        let product = matmul(a, b)
        #expect(product.shape == [2, 2, 1])
        #expect(product.value.scalars == [3, 4, 10, 12])
    }

    @Test func mismatchedShapesAreNamed() {
        guard case .failure(let mismatch) = MatmulKernels.productShape([2, 3], [4, 5], transposeA: false,
                                                                       transposeB: false) else {
            Issue.record("[2, 3] x [4, 5] was accepted")
            return
        }
        #expect(mismatch.message.contains("[2, 3]") && mismatch.message.contains("[4, 5]"))
        let batched = MatmulKernels.productShape([2, 3, 4], [3, 4, 5], transposeA: false, transposeB: false)
        #expect((try? batched.get()) == nil)
        #expect((try? MatmulKernels.productShape([2, 3], [2, 5], transposeA: true, transposeB: false).get()) == [3, 5])
    }

    @Test(arguments: LinearCase.all)
    fileprivate func linearMatchesPyTorch(_ linearCase: LinearCase) throws {
        let golden = try GoldenFixture.load("linear")
        let name = linearCase.name
        let input = Variable(try golden.fixture("\(name).input"), requiresGrad: true)
        let weight = Variable(try golden.fixture("\(name).weight"), requiresGrad: true)
        let bias = linearCase.hasBias ? Variable(try golden.fixture("\(name).bias"), requiresGrad: true) : nil
        let output = linearCase.apply([input, weight] + (bias.map { [$0] } ?? []))
        output.backward(seed: try golden.fixture("\(name).grad_output"))
        try expectClose(output.value, golden, "\(name).output")
        try expectClose(input.grad, golden, "\(name).grad_input")
        try expectClose(weight.grad, golden, "\(name).grad_weight")
        if let bias { try expectClose(bias.grad, golden, "\(name).grad_bias") }
    }

    @Test(arguments: MatmulCase.all)
    fileprivate func matmulMatchesPyTorch(_ matmulCase: MatmulCase) throws {
        let golden = try GoldenFixture.load("linear")
        let name = matmulCase.name
        #expect(try golden.fixture("\(name).options").scalars
                == [matmulCase.transposeA ? 1 : 0, matmulCase.transposeB ? 1 : 0])
        let a = Variable(try golden.fixture("\(name).a"), requiresGrad: true)
        let b = Variable(try golden.fixture("\(name).b"), requiresGrad: true)
        let output = matmul(a, b, transposeA: matmulCase.transposeA, transposeB: matmulCase.transposeB)
        output.backward(seed: try golden.fixture("\(name).grad_output"))
        try expectClose(output.value, golden, "\(name).output")
        try expectClose(a.grad, golden, "\(name).grad_a")
        try expectClose(b.grad, golden, "\(name).grad_b")
    }
}
