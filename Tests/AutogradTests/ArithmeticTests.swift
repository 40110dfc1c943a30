import Autograd
import Tensor
import Testing
import TestSupport

/// Helpers shared by the elementwise-family suites (arithmetic, unary, activations, shape).
enum ElementwiseTesting {
    /// Golden tolerance: float32 against PyTorch float32, so differences are rounding only.
    static let relativeTolerance: Float = 1e-4
    static let absoluteTolerance: Float = 1e-5

    /// Replays PyTorch case `name` (see scripts/golden/arithmetic.py for the keys): loads the
    /// inputs, compares the forward output, backpropagates the stored upstream gradient and
    /// compares every input's gradient, all at rtol 1e-4 / atol 1e-5.
    static func compareWithTorch(
        _ fixtures: [String: Tensor], _ name: String, inputs: [String], _ function: ([Variable]) -> Variable
    ) throws {
        let variables = try inputs.map { Variable(try fixtures.fixture("\(name).\($0)"), requiresGrad: true) }
        let output = function(variables)
        expectClose(output.value, try fixtures.fixture("\(name).output"), "\(name) output")
        let gradOutput = try fixtures.fixture("\(name).grad_output")
        try #require(gradOutput.shape == output.shape, "\(name): fixture does not match the op's output shape")
        output.backward(seed: gradOutput)
        for (input, variable) in zip(inputs, variables) {
            let expected = try fixtures.fixture("\(name).grad_\(input)")
            let gradient = try #require(variable.grad, "\(name): no gradient reached \(input)")
            expectClose(gradient, expected, "\(name) gradient of \(input)")
        }
    }

    static func expectClose(_ actual: Tensor, _ expected: Tensor, _ context: String) {
        let report = checkClose(actual, expected, relativeTolerance: relativeTolerance,
                                absoluteTolerance: absoluteTolerance, context)
        #expect(report.passed, "\(report)")
    }

    /// Uniform values in `range`, or with magnitudes in 0.5...1.5 and random signs when
    /// `awayFromZero` (divisors, reciprocals, kinks at 0).
    static func variable(
        _ shape: [Int], _ random: inout RandomGenerator, in range: ClosedRange<Float> = -2...2,
        awayFromZero: Bool = false
    ) -> Variable {
        var tensor = random.uniformTensor(shape: shape, in: range)
        if awayFromZero {
            tensor.withUnsafeMutableBufferPointer { buffer in
                for i in buffer.indices {
                    buffer[i] = random.uniform(in: 0.5...1.5) * (random.bernoulli(probability: 0.5) ? 1 : -1)
                }
            }
        }
        return Variable(tensor, requiresGrad: true)
    }

    static func expectGradientsCorrect(of inputs: [Variable], _ function: ([Variable]) -> Variable) {
        let report = checkGradients(of: inputs, function)
        #expect(report.passed, "\(report)")
    }
}

enum BinaryOperation: String, CaseIterable, Sendable {
    case add, subtract, multiply, divide

    func callAsFunction(_ a: Variable, _ b: Variable) -> Variable {
        switch self {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        }
    }
}

struct BroadcastPair: Sendable, CustomStringConvertible {
    let name: String
    let lhs: [Int]
    let rhs: [Int]
    var description: String { "\(name) \(lhs) with \(rhs)" }

    static let all = [
        BroadcastPair(name: "same", lhs: [2, 3, 4, 5], rhs: [2, 3, 4, 5]),
        BroadcastPair(name: "channel4", lhs: [2, 3, 4, 5], rhs: [1, 3, 1, 1]),
        BroadcastPair(name: "channel3", lhs: [2, 3, 4, 5], rhs: [3, 1, 1]),
        BroadcastPair(name: "last", lhs: [2, 3, 4, 5], rhs: [5]),
        BroadcastPair(name: "outer", lhs: [4, 1], rhs: [1, 3]),
        BroadcastPair(name: "rank0", lhs: [2, 3], rhs: []),
        BroadcastPair(name: "bias", lhs: [4, 6], rhs: [6]),
        BroadcastPair(name: "reversed", lhs: [3, 1, 1], rhs: [2, 3, 4, 5]),
    ]
}

@Suite struct ArithmeticTests {
    @Test(arguments: BinaryOperation.allCases, BroadcastPair.all)
    func broadcastGradients(operation: BinaryOperation, pair: BroadcastPair) {
        var random = RandomGenerator(seed: 11)
        let a = ElementwiseTesting.variable(pair.lhs, &random)
        let b = ElementwiseTesting.variable(pair.rhs, &random, awayFromZero: operation == .divide)
        ElementwiseTesting.expectGradientsCorrect(of: [a, b]) { operation($0[0], $0[1]) }
    }

    @Test(arguments: BinaryOperation.allCases, BroadcastPair.all)
    func broadcastMatchesTorch(operation: BinaryOperation, pair: BroadcastPair) throws {
        let fixtures = try GoldenFixture.load("arithmetic")
        try ElementwiseTesting.compareWithTorch(fixtures, "\(operation.rawValue)_\(pair.name)", inputs: ["a", "b"]) {
            operation($0[0], $0[1])
        }
    }

    static let scalarOperations: [(String, @Sendable (Variable) -> Variable)] = [
        ("add_scalar", { $0 + 2.5 }), ("scalar_add", { 2.5 + $0 }),
        ("subtract_scalar", { $0 - 2.5 }), ("scalar_subtract", { 2.5 - $0 }),
        ("multiply_scalar", { $0 * -1.5 }), ("scalar_multiply", { -1.5 * $0 }),
        ("divide_scalar", { $0 / 4 }), ("scalar_divide", { 3 / $0 }), ("negate", { -$0 }),
    ]

    @Test(arguments: scalarOperations.indices)
    func scalarOperationGradients(index: Int) {
        let (_, operation) = Self.scalarOperations[index]
        var random = RandomGenerator(seed: 12)
        let x = ElementwiseTesting.variable([3, 4], &random, awayFromZero: true)
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { operation($0[0]) }
    }

    @Test(arguments: scalarOperations.indices)
    func scalarOperationMatchesTorch(index: Int) throws {
        let (name, operation) = Self.scalarOperations[index]
        let fixtures = try GoldenFixture.load("arithmetic")
        try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["x"]) { operation($0[0]) }
    }

    @Test func outerBroadcastValues() {
        let column = Variable(Tensor(shape: [2, 1], scalars: [1, 2]))
        let row = Variable(Tensor(shape: [1, 3], scalars: [10, 20, 30]))
        let sum = column + row
        #expect(sum.shape == [2, 3])
        #expect(sum.value.scalars == [11, 21, 31, 12, 22, 32])
        #expect((row - column).value.scalars == [9, 19, 29, 8, 18, 28])
    }

    @Test func biasGradientSumsOverBatch() {
        let input = Variable(Tensor(shape: [3, 2], repeating: 1), requiresGrad: true)
        let bias = Variable(Tensor(shape: [2], scalars: [0.5, -0.5]), requiresGrad: true)
        (input + bias).backward(seed: Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(bias.grad?.scalars == [9, 12])
        #expect(bias.grad?.shape == [2])
        #expect(input.grad?.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func frozenOperandGetsNoGradient() {
        let x = Variable(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let frozenScale = Variable(Tensor(shape: [2], scalars: [3, -1]))
        (x * frozenScale).backward()
        #expect(frozenScale.grad == nil)
        #expect(x.grad?.scalars == [3, -1, 3, -1])
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let y = GradMode.withNoGrad { x * x + 1 }
        #expect(y.isLeaf && !y.requiresGrad)
        #expect(y.value.scalars == [2, 5])
    }
}
