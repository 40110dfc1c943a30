import Autograd
import Tensor
import Testing
import TestSupport

struct ActivationCase: Sendable, CustomStringConvertible {
    let name: String
    let function: @Sendable (Variable) -> Variable
    var description: String { name }

    static let all = [
        ActivationCase(name: "relu") { relu($0) },
        ActivationCase(name: "leaky_relu_0_2") { leakyRelu($0) },
        ActivationCase(name: "leaky_relu_0_01") { leakyRelu($0, negativeSlope: 0.01) },
        ActivationCase(name: "sigmoid") { sigmoid($0) },
        ActivationCase(name: "tanh") { tanh($0) },
        ActivationCase(name: "gelu") { gelu($0) },
    ]
}

@Suite struct ActivationTests {
    /// Inputs away from 0 so the finite differences never straddle the relu kink.
    @Test(arguments: ActivationCase.all)
    func gradients(of activation: ActivationCase) {
        var random = RandomGenerator(seed: 31)
        let x = ElementwiseTesting.variable([4, 3, 5], &random, awayFromZero: true)
        x.value.scale(by: 2)
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { activation.function($0[0]) }
    }

    /// The fixture includes exact zeros and +-25 (saturation).
    @Test(arguments: ActivationCase.all)
    func matchesTorch(_ activation: ActivationCase) throws {
        let fixtures = try GoldenFixture.load("activations")
        try ElementwiseTesting.compareWithTorch(fixtures, activation.name, inputs: ["x"]) { activation.function($0[0]) }
    }

    @Test func reluGradientIsZeroAtZero() {
        let x = Variable(Tensor(shape: [3], scalars: [-1, 0, 2]), requiresGrad: true)
        let y = relu(x)
        #expect(y.value.scalars == [0, 0, 2])
        y.backward(seed: Tensor(shape: [3], scalars: [5, 6, 7]))
        #expect(x.grad?.scalars == [0, 0, 7])
    }

    /// The fused residual activation: finite differences for both operands (sums kept
    /// away from the kink), then the same values and gradients as relu(a + b) from the
    /// separate ops.
    @Test func reluOfSumMatchesReluOfAdd() {
        var random = RandomGenerator(seed: 33)
        let a = ElementwiseTesting.variable([3, 4, 5], &random, awayFromZero: true)
        let b = Variable(Elementwise.map(a.value) { $0 * 0.5 }, requiresGrad: true)
        ElementwiseTesting.expectGradientsCorrect(of: [a, b]) { reluOfSum($0[0], $0[1]) }

        let upstream = random.normalTensor(shape: [3, 4, 5])
        func run(fused: Bool) -> [[Float]] {
            let (x, y) = (Variable(a.value, requiresGrad: true), Variable(b.value, requiresGrad: true))
            let z = fused ? reluOfSum(x, y) : relu(x + y)
            z.backward(seed: upstream)
            return [z.value.scalars, x.grad?.scalars ?? [], y.grad?.scalars ?? []]
        }
        let fused = run(fused: true)
        #expect(fused == run(fused: false))
        #expect(fused[0].contains(0) && fused[0].contains { $0 > 0 })
    }

    @Test func leakyReluUsesTheSlopeAtZero() {
        let x = Variable(Tensor(shape: [3], scalars: [-1, 0, 2]), requiresGrad: true)
        let y = leakyRelu(x, negativeSlope: 0.2)
        #expect(y.value.scalars == [-0.2, 0, 2])
        y.backward(seed: Tensor(shape: [3], scalars: [5, 10, 7]))
        #expect(x.grad?.scalars == [1, 2, 7])
    }

    @Test func sigmoidSaturatesWithoutOverflow() {
        let x = Variable(Tensor(shape: [4], scalars: [-200, -30, 30, 200]), requiresGrad: true)
        let y = sigmoid(x)
        #expect(y.value.scalars.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        #expect(y.value.scalars[0] == 0 && y.value.scalars[3] == 1)
        y.backward()
        #expect(x.grad?.scalars.allSatisfy { $0.isFinite } == true)
    }

    @Test func geluKnownValues() {
        // torch.nn.functional.gelu(torch.tensor([-1., 0., 1., 2.]))
        let y = gelu(Variable(Tensor(shape: [4], scalars: [-1, 0, 1, 2])))
        let expected = Tensor(shape: [4], scalars: [-0.158_655_26, 0, 0.841_344_75, 1.954_499_7])
        ElementwiseTesting.expectClose(y.value, expected, "gelu")
    }
}
