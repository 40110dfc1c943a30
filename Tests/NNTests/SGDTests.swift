import Autograd
import Foundation
import NN
import Tensor
import TestSupport
import Testing

// Hyperparameters of the cases in scripts/golden/optimizers.py; keep in sync.
private func makeSGD(_ name: String, _ parameters: [(name: String, variable: Variable)], learningRate: Double) -> SGD {
    switch name {
    case "sgd_plain": SGD(parameters: parameters, learningRate: learningRate)
    case "sgd_momentum": SGD(parameters: parameters, learningRate: learningRate, momentum: 0.9, weightDecay: 1e-4)
    case "sgd_nesterov":
        SGD(parameters: parameters, learningRate: learningRate, momentum: 0.9, weightDecay: 5e-4, nesterov: true)
    case "sgd_dampening": SGD(parameters: parameters, learningRate: learningRate, momentum: 0.8, dampening: 0.3)
    default: fatalError("no SGD case \(name)")
    }
}

@Suite struct SGDTests {
    // Tolerance: rtol 1e-5, atol 1e-7 on every parameter after every step (PyTorch's
    // SGD has no sqrt, so the Float32 arithmetic can match it exactly; the tolerance
    // only allows for a different fused-multiply-add choice).
    @Test(arguments: ["sgd_plain", "sgd_momentum", "sgd_nesterov", "sgd_dampening"])
    func matchesPyTorchForTenSteps(caseName: String) throws {
        let golden = try GoldenOptimizerCase(caseName)
        let optimizer = makeSGD(caseName, try golden.initialParameters(), learningRate: golden.learningRates[0])
        try golden.run(optimizer, steps: 0..<golden.stepCount, relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
        if caseName != "sgd_plain" {
            try golden.expectFinalState(optimizer.stateTensors(), stateNames: ["momentum_buffer"],
                                        relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
        } else {
            #expect(optimizer.stateTensors().isEmpty)
        }
    }

    @Test func parameterWithoutGradientIsSkippedAndGetsUndampenedBufferOnFirstUpdate() throws {
        let trained = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let idle = Variable(Tensor(shape: [3], scalars: [3, 4, 5]), requiresGrad: true)
        let heldCopy = idle.value
        let optimizer = SGD(parameters: [("a.weight", trained), ("b.weight", idle)], learningRate: 0.5,
                            momentum: 0.9, dampening: 0.5)
        trained.grad = Tensor(shape: [2], scalars: [1, -1])
        optimizer.step()
        #expect(idle.value.scalars == [3, 4, 5])
        #expect(Set(optimizer.stateTensors().keys) == ["momentum_buffer.a.weight"])

        // The first update of b starts its buffer at the gradient itself (no dampening),
        // so b moves by learningRate * g, while a's buffer follows the damped rule.
        trained.grad = Tensor(shape: [2], scalars: [1, -1])
        idle.grad = Tensor(shape: [3], scalars: [2, 0, -4])
        optimizer.step()
        #expect(idle.value.scalars == [2, 4, 7])
        #expect(optimizer.stateTensors()["momentum_buffer.b.weight"]?.scalars == [2, 0, -4])
        let dampedBuffer: [Float] = [0.9 + 0.5, -0.9 - 0.5]
        #expect(optimizer.stateTensors()["momentum_buffer.a.weight"]?.scalars == dampedBuffer)
        // Updates copy storage that someone else still holds instead of writing into it.
        #expect(heldCopy.scalars == [3, 4, 5])
    }

    @Test func largeParameterSplitAcrossCoresMatchesSmallOnes() {
        expectSplitMatchesWhole { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: true) }
    }

    @Test func zeroGradientsClearsEveryGradient() {
        let parameters = (0..<3).map { ("p\($0)", Variable(Tensor(zeros: [2]), requiresGrad: true)) }
        for (_, variable) in parameters { variable.grad = Tensor(shape: [2], repeating: 1) }
        SGD(parameters: parameters, learningRate: 0.1).zeroGradients()
        #expect(parameters.allSatisfy { $0.1.grad == nil })
    }

    @Test(arguments: zip(["sgd_momentum", "sgd_nesterov"], [4, 7]))
    func restoringMidRunThenSteppingIsBitIdenticalToNeverStopping(caseName: String, stopAfter: Int) throws {
        try expectResumeIsBitIdentical(caseName: caseName, stopAfter: stopAfter) { makeSGD($0, $1, learningRate: $2) }
    }

    @Test func restoreRejectsWrongShapeAndChangesNothing() throws {
        let golden = try GoldenOptimizerCase("sgd_momentum")
        let optimizer = makeSGD("sgd_momentum", try golden.initialParameters(), learningRate: 0.2)
        try golden.run(optimizer, steps: 0..<2)
        var state = optimizer.state()
        let before = optimizer.state()
        state.tensors["momentum_buffer.fc.bias"] = Tensor(zeros: [4])
        state.scalars.learningRate = 7
        let error = #expect(throws: OptimizerStateError.self) { try optimizer.restore(state) }
        #expect(error == .shapeMismatch(key: "momentum_buffer.fc.bias", saved: [4], expected: [5]))
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("momentum_buffer.fc.bias") && message.contains("[4]") && message.contains("[5]"))
        #expect(optimizer.learningRate == before.scalars.learningRate)
        #expect(optimizer.stateTensors().mapValues(\.scalars) == before.tensors.mapValues(\.scalars))
    }

    @Test func restoreRejectsOtherKindsHyperparametersAndKeys() throws {
        let parameters = [("w", Variable(Tensor(zeros: [2]), requiresGrad: true))]
        let optimizer = SGD(parameters: parameters, learningRate: 0.1, momentum: 0.9)
        let adamState = Adam(parameters: parameters).state()
        #expect(throws: OptimizerStateError.kindMismatch(expected: "SGD", found: "Adam")) {
            try optimizer.restore(adamState)
        }
        let otherMomentum = SGD(parameters: parameters, learningRate: 0.1, momentum: 0.8).state()
        #expect(throws: OptimizerStateError.hyperparameterMismatch(name: "momentum", saved: 0.8, current: 0.9)) {
            try optimizer.restore(otherMomentum)
        }
        var stray = optimizer.state()
        stray.tensors["momentum_buffer.v"] = Tensor(zeros: [2])
        #expect(throws: OptimizerStateError.unexpectedTensor(key: "momentum_buffer.v")) { try optimizer.restore(stray) }
        var withSteps = optimizer.state()
        withSteps.scalars.steps["w"] = 3
        #expect(throws: OptimizerStateError.unexpectedStepCount(parameter: "w")) { try optimizer.restore(withSteps) }
    }
}

// MARK: - Replaying the recorded PyTorch runs (shared with AdamTests)

/// One case of Tests/Fixtures/golden/optimizers.safetensors: initial parameters, the
/// gradient given before each step (absent = no gradient), the learning rate of each
/// step, the parameters after each step and the final optimizer state.
struct GoldenOptimizerCase {
    static let parameterNames = ["layer1.0.conv1.weight", "fc.bias", "embedding.weight"]

    let name: String
    let fixture: [String: Tensor]
    let learningRates: [Double]
    var stepCount: Int { learningRates.count }

    init(_ name: String) throws {
        self.name = name
        fixture = try GoldenFixture.load("optimizers")
        // The script uses rates that Float32 represents exactly, so nothing is lost here.
        learningRates = try fixture.fixture("\(name).lr").scalars.map(Double.init)
    }

    func initialParameters() throws -> [(name: String, variable: Variable)] {
        try Self.parameterNames.map { key in
            (key, Variable(try fixture.fixture("\(name).init.\(key)"), requiresGrad: true))
        }
    }

    func setGradients(of parameters: [(name: String, variable: Variable)], step: Int) {
        for (key, variable) in parameters { variable.grad = fixture["\(name).step\(step).grad.\(key)"] }
    }

    /// Takes the recorded steps, checking every parameter after each when tolerances are given.
    func run(_ optimizer: any Optimizer, steps: Range<Int>, relativeTolerance: Float? = nil,
             absoluteTolerance: Float = 0) throws {
        for step in steps {
            optimizer.learningRate = learningRates[step]
            setGradients(of: optimizer.parameters, step: step)
            optimizer.step()
            guard let relativeTolerance else { continue }
            for (key, variable) in optimizer.parameters {
                let report = checkClose(variable.value, try fixture.fixture("\(name).step\(step).param.\(key)"),
                                        relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance,
                                        "\(name) step \(step) \(key)")
                #expect(report.passed, "\(report)")
            }
        }
    }

    func expectFinalState(_ tensors: [String: Tensor], stateNames: [String], relativeTolerance: Float,
                          absoluteTolerance: Float) throws {
        var expectedKeys = Set<String>()
        for stateName in stateNames {
            for key in Self.parameterNames {
                let stateKey = "\(stateName).\(key)"
                expectedKeys.insert(stateKey)
                let actual = try #require(tensors[stateKey], "missing \(stateKey)")
                let report = checkClose(actual, try fixture.fixture("\(name).final.\(stateKey)"),
                                        relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance,
                                        "\(name) final \(stateKey)")
                #expect(report.passed, "\(report)")
            }
        }
        #expect(Set(tensors.keys) == expectedKeys)
    }
}

/// A parameter large enough to be updated on several threads must end exactly as the
/// same numbers held in small parameters updated on one thread.
func expectSplitMatchesWhole(make: ([(name: String, variable: Variable)]) -> any Optimizer) {
    let (pieces, pieceSize) = (4, 20_000)
    var random = RandomGenerator(seed: 7)
    let values = (0..<pieces * pieceSize).map { _ in random.normal() }
    let gradients = (0..<3).map { _ in (0..<pieces * pieceSize).map { _ in random.normal() } }
    let whole = Variable(Tensor(shape: [pieces * pieceSize], scalars: values), requiresGrad: true)
    let parts = (0..<pieces).map { piece in
        ("part\(piece)", Variable(Tensor(shape: [pieceSize], scalars: Array(values[piece * pieceSize..<(piece + 1) * pieceSize])),
                                  requiresGrad: true))
    }
    let wholeOptimizer = make([("whole", whole)])
    let partsOptimizer = make(parts)
    for gradient in gradients {
        whole.grad = Tensor(shape: [pieces * pieceSize], scalars: gradient)
        for (piece, (_, part)) in parts.enumerated() {
            part.grad = Tensor(shape: [pieceSize], scalars: Array(gradient[piece * pieceSize..<(piece + 1) * pieceSize]))
        }
        wholeOptimizer.step()
        partsOptimizer.step()
    }
    #expect(whole.value.scalars == parts.flatMap { $0.1.value.scalars })
    #expect(whole.value.scalars != values)
}

/// Runs a recorded case straight through, and again stopping after `stopAfter` steps:
/// the state goes through JSON (scalars) and fresh copies (tensors) into a new optimizer
/// over new variables, which takes the remaining steps. Both must end bit-identical.
func expectResumeIsBitIdentical(
    caseName: String, stopAfter: Int,
    make: (String, [(name: String, variable: Variable)], Double) -> any Optimizer
) throws {
    let golden = try GoldenOptimizerCase(caseName)
    let straight = make(caseName, try golden.initialParameters(), golden.learningRates[0])
    try golden.run(straight, steps: 0..<golden.stepCount)

    let first = make(caseName, try golden.initialParameters(), golden.learningRates[0])
    try golden.run(first, steps: 0..<stopAfter)
    let saved = first.state()
    let savedScalars = try JSONEncoder().encode(saved.scalars)
    let savedTensors = saved.tensors.mapValues { $0.copied() }
    let savedParameters = first.parameters.map { ($0.name, Variable($0.variable.value.copied(), requiresGrad: true)) }
    // The snapshot must not follow the optimizer it came from.
    try golden.run(first, steps: stopAfter..<stopAfter + 1)
    #expect(saved.tensors.mapValues(\.scalars) == savedTensors.mapValues(\.scalars))

    let resumed = make(caseName, savedParameters, 123)
    try resumed.restore(OptimizerState(
        scalars: try JSONDecoder().decode(OptimizerState.Scalars.self, from: savedScalars), tensors: savedTensors))
    #expect(resumed.learningRate == golden.learningRates[stopAfter - 1])
    try golden.run(resumed, steps: stopAfter..<golden.stepCount)

    for ((key, expected), (_, actual)) in zip(straight.parameters, resumed.parameters) {
        #expect(actual.value.scalars == expected.value.scalars, "\(caseName): \(key) differs after resuming")
    }
    #expect(resumed.stateTensors().mapValues(\.scalars) == straight.stateTensors().mapValues(\.scalars))
    #expect(resumed.state().scalars == straight.state().scalars)
}
