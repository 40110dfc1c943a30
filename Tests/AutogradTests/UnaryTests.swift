import Autograd
import Tensor
import Testing
import TestSupport

/// Which inputs keep an op's gradient well defined: log, sqrt and fractional powers need
/// x > 0, 1/x and |x| need x away from 0, clamp needs x away from its bounds (+-0.5).
enum UnaryDomain: Sendable {
    case any, positive, awayFromZero, awayFromBounds
}

struct UnaryCase: Sendable, CustomStringConvertible {
    let name: String
    let domain: UnaryDomain
    let function: @Sendable (Variable) -> Variable
    var description: String { name }

    static let all = [
        UnaryCase(name: "exp", domain: .any) { exp($0) },
        UnaryCase(name: "log", domain: .positive) { log($0) },
        UnaryCase(name: "sqrt", domain: .positive) { sqrt($0) },
        UnaryCase(name: "abs", domain: .awayFromZero) { abs($0) },
        UnaryCase(name: "pow2", domain: .any) { pow($0, 2) },
        UnaryCase(name: "pow3", domain: .any) { pow($0, 3) },
        UnaryCase(name: "pow_half", domain: .positive) { pow($0, 0.5) },
        UnaryCase(name: "pow_minus1", domain: .awayFromZero) { pow($0, -1) },
        UnaryCase(name: "pow_1_7", domain: .positive) { pow($0, 1.7) },
        UnaryCase(name: "pow0", domain: .any) { pow($0, 0) },
        UnaryCase(name: "clamp_both", domain: .awayFromBounds) { clamp($0, min: -0.5, max: 0.5) },
        UnaryCase(name: "clamp_min", domain: .awayFromBounds) { clamp($0, min: -0.5) },
        UnaryCase(name: "clamp_max", domain: .awayFromBounds) { clamp($0, max: 0.5) },
    ]

    func input(_ random: inout RandomGenerator) -> Variable {
        switch domain {
        case .any: return ElementwiseTesting.variable([3, 4, 5], &random, in: -1.5...1.5)
        case .positive: return ElementwiseTesting.variable([3, 4, 5], &random, in: 0.5...3)
        case .awayFromZero: return ElementwiseTesting.variable([3, 4, 5], &random, awayFromZero: true)
        case .awayFromBounds:
            // Magnitudes 0.6...1.5 (outside) or 0...0.4 (inside), never within the
            // finite-difference step of a bound.
            let x = ElementwiseTesting.variable([3, 4, 5], &random, awayFromZero: true)
            x.value.withUnsafeMutableBufferPointer { buffer in
                for i in buffer.indices where i % 2 == 0 { buffer[i] *= 0.25 }
                for i in buffer.indices where abs(buffer[i]) > 0.4 && abs(buffer[i]) < 0.6 { buffer[i] *= 1.5 }
            }
            return x
        }
    }
}

@Suite struct UnaryTests {
    @Test(arguments: UnaryCase.all)
    func gradients(of unary: UnaryCase) {
        var random = RandomGenerator(seed: 21)
        let x = unary.input(&random)
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { unary.function($0[0]) }
    }

    /// The fixture's clamp inputs include exact bound values and abs's include zeros.
    @Test(arguments: UnaryCase.all)
    func matchesTorch(_ unary: UnaryCase) throws {
        let fixtures = try GoldenFixture.load("arithmetic")
        try ElementwiseTesting.compareWithTorch(fixtures, unary.name, inputs: ["x"]) { unary.function($0[0]) }
    }

    @Test func clampPassesGradientAtTheBounds() {
        let x = Variable(Tensor(shape: [5], scalars: [-1, -0.5, 0, 0.5, 1]), requiresGrad: true)
        let y = clamp(x, min: -0.5, max: 0.5)
        #expect(y.value.scalars == [-0.5, -0.5, 0, 0.5, 0.5])
        y.backward(seed: Tensor(shape: [5], scalars: [1, 2, 3, 4, 5]))
        #expect(x.grad?.scalars == [0, 2, 3, 4, 0])
    }

    @Test func absGradientIsZeroAtZero() {
        let x = Variable(Tensor(shape: [3], scalars: [-2, 0, 3]), requiresGrad: true)
        abs(x).backward()
        #expect(x.grad?.scalars == [-1, 0, 1])
    }

    @Test func expOfLogIsIdentity() {
        let x = Variable(Tensor(shape: [4], scalars: [0.25, 1, 2, 10]))
        let report = checkClose(exp(log(x)).value, x.value, relativeTolerance: 1e-6, absoluteTolerance: 0)
        #expect(report.passed, "\(report)")
    }
}
