import Autograd
import Tensor
import Testing
import TestSupport

@Suite struct LayerNormTests {
    @Test func gradientsWithAffine() {
        var random = RandomGenerator(seed: 501)
        let x = Variable(random.normalTensor(shape: [3, 5], mean: 0.5, standardDeviation: 2), requiresGrad: true)
        let weight = Variable(random.normalTensor(shape: [5], mean: 1, standardDeviation: 0.5), requiresGrad: true)
        let bias = Variable(random.normalTensor(shape: [5]), requiresGrad: true)
        let report = checkGradients(of: [x, weight, bias]) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        #expect(report.passed, "\(report)")
    }

    @Test func gradientsWithoutAffine() {
        var random = RandomGenerator(seed: 502)
        let x = Variable(random.normalTensor(shape: [2, 2, 4]), requiresGrad: true)
        let report = checkGradients(of: [x]) { layerNorm($0[0], weight: nil, bias: nil) }
        #expect(report.passed, "\(report)")
    }

    @Test func frozenWeightGetsNoGradient() {
        var random = RandomGenerator(seed: 503)
        let x = Variable(random.normalTensor(shape: [2, 4]), requiresGrad: true)
        let weight = Variable(random.normalTensor(shape: [4], mean: 1), requiresGrad: false)
        let bias = Variable(random.normalTensor(shape: [4]), requiresGrad: true)
        #expect(checkGradients(of: [x, weight, bias]) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }.passed)
        #expect(weight.grad == nil)
        #expect(bias.grad != nil)
    }

    @Test func rowsAreNormalised() {
        let x = Variable(Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 10, 10, 10, 10]))
        let y = layerNorm(x, weight: nil, bias: nil).value.scalars
        // Row 1: mean 2.5, biased variance 1.25; a constant row maps to zeros.
        let expected = [-1.5, -0.5, 0.5, 1.5].map { Float($0 / (1.25 + 1e-5).squareRoot()) } + [0, 0, 0, 0]
        #expect(checkClose(y, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6).passed)
    }

    /// PyTorch forward and backward, rtol 1e-4 / atol 1e-5.
    @Test func affineMatchesPyTorch() throws {
        let golden = try NormGolden("layernorm")
        let x = try golden.leaf("affine.x")
        let weight = try golden.leaf("affine.weight")
        let bias = try golden.leaf("affine.bias")
        let y = layerNorm(x, weight: weight, bias: bias, epsilon: 1e-5)
        try golden.expectClose(y.value, "affine.y")
        y.backward(seed: try golden.tensor("affine.grad_output"))
        try golden.expectClose(x.grad, "affine.grad_x")
        try golden.expectClose(weight.grad, "affine.grad_weight")
        try golden.expectClose(bias.grad, "affine.grad_bias")
    }

    @Test func plainMatchesPyTorch() throws {
        try NormGolden("layernorm").expectUnaryOpMatches("plain") { layerNorm($0, weight: nil, bias: nil) }
    }
}
