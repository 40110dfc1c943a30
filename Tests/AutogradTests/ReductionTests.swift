import Autograd
import Tensor
import Testing
import TestSupport

/// One reduction as PyTorch's fixture case names it (scripts/golden/reduction.py).
struct ReductionCase: CustomTestStringConvertible, Sendable {
    let name: String
    let outputShape: [Int]
    let apply: @Sendable (Variable) -> Variable
    var testDescription: String { name }

    static let all: [ReductionCase] = [
        .init(name: "sum_1", outputShape: [3, 5]) { sum($0, axes: [1]) },
        .init(name: "sum_0_2_keep", outputShape: [1, 4, 1]) { sum($0, axes: [0, 2], keepingDimensions: true) },
        .init(name: "sum_neg1_0", outputShape: [4]) { sum($0, axes: [-1, 0]) },
        .init(name: "mean_neg1", outputShape: [3, 4]) { mean($0, axes: [-1]) },
        .init(name: "mean_0_1_keep", outputShape: [1, 1, 5]) { mean($0, axes: [0, 1], keepingDimensions: true) },
        .init(name: "var_1_unbiased", outputShape: [3, 5]) { variance($0, axes: [1], unbiased: true) },
        .init(name: "var_0_2_biased_keep", outputShape: [1, 4, 1]) {
            variance($0, axes: [0, 2], unbiased: false, keepingDimensions: true)
        },
        .init(name: "var_all_unbiased", outputShape: []) { variance($0, axes: [0, 1, 2], unbiased: true) },
        .init(name: "sum_all", outputShape: []) { sum($0) },
        .init(name: "mean_all", outputShape: []) { mean($0) },
        .init(name: "norm", outputShape: []) { l2Norm($0) },
    ]
}

@Suite struct ReductionTests {
    @Test(arguments: ReductionCase.all)
    func gradientMatchesFiniteDifferences(_ reduction: ReductionCase) {
        var random = RandomGenerator(seed: 301)
        let x = Variable(random.normalTensor(shape: [3, 4, 5], mean: 0.5), requiresGrad: true)
        let report = checkGradients(of: [x]) { reduction.apply($0[0]) }
        #expect(report.passed, "\(reduction.name): \(report)")
    }

    /// PyTorch forward and backward, rtol 1e-4 / atol 1e-5.
    @Test(arguments: ReductionCase.all)
    func matchesPyTorch(_ reduction: ReductionCase) throws {
        let (_, y) = try NormGolden("reduction").expectUnaryOpMatches(reduction.name, inputKey: "input", reduction.apply)
        #expect(y.shape == reduction.outputShape)
    }

    @Test func normOfZeroHasZeroGradient() {
        let x = Variable(Tensor(zeros: [2, 3]), requiresGrad: true)
        let norm = l2Norm(x)
        #expect(norm.value.scalar == 0)
        norm.backward()
        #expect(x.grad?.scalars == [Float](repeating: 0, count: 6))
    }

    @Test func reductionsOfKnownValues() {
        // [[1, 2, 3], [4, 5, 6]]
        let x = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(sum(x, axes: [0]).value.scalars == [5, 7, 9])
        #expect(sum(x, axes: [-1], keepingDimensions: true).value.shape == [2, 1])
        #expect(mean(x, axes: [1]).value.scalars == [2, 5])
        #expect(variance(x, axes: [1], unbiased: true).value.scalars == [1, 1])
        #expect(variance(x, axes: [0], unbiased: false).value.scalars == [2.25, 2.25, 2.25])
        #expect(sum(x).value.shape == [])
        #expect(sum(x).value.scalar == 21)
        #expect(mean(x).value.scalar == 3.5)
        #expect(abs(l2Norm(x).value.scalar - Float(91).squareRoot()) < 1e-6)
    }

    /// Runs longer than a 1024-value block and not a multiple of 8, against Double sums.
    @Test func longRunsMatchDoubleSums() {
        var random = RandomGenerator(seed: 303)
        let x = random.normalTensor(shape: [3, 2053], mean: 2)
        let rows = sum(Variable(x), axes: [1]).value.scalars
        let values = x.scalars.map(Double.init)
        for r in 0..<3 {
            let exact = values[(r * 2053)..<((r + 1) * 2053)].reduce(0, +)
            #expect(abs(Double(rows[r]) - exact) < 1e-5 * abs(exact), "row \(r)")
        }
        let total = values.reduce(0, +)
        #expect(abs(Double(sum(Variable(x)).value.scalar) - total) < 1e-5 * abs(total))
        let norm = values.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(abs(Double(l2Norm(Variable(x)).value.scalar) - norm) < 1e-5 * norm)
    }

    @Test func reducingAUnitAxisKeepsValues() {
        var random = RandomGenerator(seed: 302)
        let x = Variable(random.normalTensor(shape: [2, 1, 3]), requiresGrad: true)
        let y = sum(x, axes: [1])
        #expect(y.shape == [2, 3])
        #expect(y.value.scalars == x.value.scalars)
        #expect(checkGradients(of: [x]) { mean($0[0], axes: [1, 2]) }.passed)
    }
}

/// PyTorch golden values for the normalisation, reduction and resampling suites, compared
/// with PyTorch's allclose rule at rtol 1e-4 and atol 1e-5 unless a test says otherwise.
struct NormGolden {
    let tensors: [String: Tensor]

    init(_ family: String) throws {
        tensors = try GoldenFixture.load(family)
    }

    func tensor(_ key: String) throws -> Tensor {
        try tensors.fixture(key)
    }

    /// A leaf holding the fixture tensor that wants a gradient.
    func leaf(_ key: String, requiresGrad: Bool = true) throws -> Variable {
        Variable(try tensor(key), requiresGrad: requiresGrad)
    }

    /// Runs `op` on "<name>.x" (or `inputKey`), compares its output with "<name>.y" and,
    /// after backward from "<name>.grad_output", the input gradient with "<name>.grad_x".
    @discardableResult
    func expectUnaryOpMatches(
        _ name: String, inputKey: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
        _ op: (Variable) -> Variable
    ) throws -> (input: Variable, output: Variable) {
        let x = try leaf(inputKey ?? "\(name).x")
        let y = op(x)
        try expectClose(y.value, "\(name).y", sourceLocation: sourceLocation)
        y.backward(seed: try tensor("\(name).grad_output"))
        try expectClose(x.grad, "\(name).grad_x", sourceLocation: sourceLocation)
        return (x, y)
    }

    func expectClose(
        _ actual: Tensor?, _ key: String, relativeTolerance: Float = 1e-4, absoluteTolerance: Float = 1e-5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let expected = try tensor(key)
        let actual = try #require(actual, "no value for \(key)", sourceLocation: sourceLocation)
        let report = checkClose(actual, expected, relativeTolerance: relativeTolerance,
                                absoluteTolerance: absoluteTolerance, key)
        #expect(report.passed, "\(report)", sourceLocation: sourceLocation)
    }
}
