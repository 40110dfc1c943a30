import Autograd
import Foundation
import NN
import Tensor
import TestSupport
import Testing

// Hyperparameters of the cases in scripts/golden/optimizers.py; keep in sync.
private func makeAdam(_ name: String, _ parameters: [(name: String, variable: Variable)], learningRate: Double) -> Adam {
    switch name {
    case "adam_default": Adam(parameters: parameters, learningRate: learningRate)
    case "adam_gan": Adam(parameters: parameters, learningRate: learningRate, betas: (0.5, 0.999), weightDecay: 1e-4)
    default: fatalError("no Adam case \(name)")
    }
}

@Suite struct AdamTests {
    // Tolerance: rtol 1e-5, atol 1e-7 on every parameter after every step and on the
    // final moments. Not bit-exact: PyTorch's CPU sqrt (MKL) is off by an ulp at times.
    @Test(arguments: ["adam_default", "adam_gan"])
    func matchesPyTorchForTenSteps(caseName: String) throws {
        let golden = try GoldenOptimizerCase(caseName)
        let optimizer = makeAdam(caseName, try golden.initialParameters(), learningRate: golden.learningRates[0])
        try golden.run(optimizer, steps: 0..<golden.stepCount, relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
        try golden.expectFinalState(optimizer.stateTensors(), stateNames: ["exp_avg", "exp_avg_sq"],
                                    relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
        // Step counts are per parameter: embedding.weight had no gradient on 3 steps.
        var expectedSteps: [String: Int] = [:]
        for key in GoldenOptimizerCase.parameterNames {
            expectedSteps[key] = Int(try golden.fixture.fixture("\(caseName).final.step.\(key)").scalar)
        }
        #expect(expectedSteps["embedding.weight"] == 7)
        #expect(optimizer.state().scalars.steps == expectedSteps)
    }

    @Test func skippedParameterHasNoStateAndItsFirstUpdateUsesItsOwnStepCount() throws {
        let early = Variable(Tensor(shape: [2], scalars: [1, 1]), requiresGrad: true)
        let late = Variable(Tensor(shape: [3], scalars: [0, 1, 2]), requiresGrad: true)
        let optimizer = Adam(parameters: [("early", early), ("late", late)], learningRate: 0.01)
        for _ in 0..<3 {
            early.grad = Tensor(shape: [2], scalars: [0.5, -2])
            optimizer.step()
        }
        #expect(late.value.scalars == [0, 1, 2])
        #expect(Set(optimizer.stateTensors().keys) == ["exp_avg.early", "exp_avg_sq.early"])
        #expect(optimizer.state().scalars.steps == ["early": 3])

        // Bias-corrected with step 1, a first Adam step moves each element by almost
        // exactly the learning rate against the gradient's sign; a global step count
        // (4) would give a visibly different move.
        late.grad = Tensor(shape: [3], scalars: [3, -0.25, 1e-3])
        optimizer.step()
        let moves = zip(late.value.scalars, [Float(0), 1, 2]).map { $0 - $1 }
        let report = checkClose(moves, [-0.01, 0.01, -0.01 * 1e-3 / (1e-3 + 1e-8)], relativeTolerance: 1e-5,
                                absoluteTolerance: 0, "first step of a late parameter")
        #expect(report.passed, "\(report)")
        #expect(optimizer.state().scalars.steps == ["early": 4, "late": 1])
    }

    // Stopping after 5 steps of adam_gan leaves embedding.weight with fewer steps than the others.
    @Test(arguments: zip(["adam_gan", "adam_default"], [5, 1]))
    func restoringMidRunThenSteppingIsBitIdenticalToNeverStopping(caseName: String, stopAfter: Int) throws {
        try expectResumeIsBitIdentical(caseName: caseName, stopAfter: stopAfter) { makeAdam($0, $1, learningRate: $2) }
    }

    @Test func largeParameterSplitAcrossCoresMatchesSmallOnes() {
        expectSplitMatchesWhole { Adam(parameters: $0, learningRate: 0.01, betas: (0.5, 0.999), weightDecay: 1e-4) }
    }

    @Test func restoreRejectsIncompleteOrMismatchedStateAndChangesNothing() throws {
        let golden = try GoldenOptimizerCase("adam_default")
        let optimizer = makeAdam("adam_default", try golden.initialParameters(), learningRate: 1e-3)
        try golden.run(optimizer, steps: 0..<3)
        let good = optimizer.state()

        var missingSecond = good
        missingSecond.tensors["exp_avg_sq.fc.bias"] = nil
        #expect(throws: OptimizerStateError.incompleteState(parameter: "fc.bias", missing: "exp_avg_sq")) {
            try optimizer.restore(missingSecond)
        }
        var missingStep = good
        missingStep.scalars.steps["fc.bias"] = nil
        #expect(throws: OptimizerStateError.incompleteState(parameter: "fc.bias", missing: "step")) {
            try optimizer.restore(missingStep)
        }
        var zeroStep = good
        zeroStep.scalars.steps["fc.bias"] = 0
        #expect(throws: OptimizerStateError.invalidStepCount(parameter: "fc.bias", count: 0)) {
            try optimizer.restore(zeroStep)
        }
        var strayStep = good
        strayStep.scalars.steps["fc.weight"] = 3
        #expect(throws: OptimizerStateError.unexpectedStepCount(parameter: "fc.weight")) {
            try optimizer.restore(strayStep)
        }
        var wrongShape = good
        wrongShape.tensors["exp_avg.layer1.0.conv1.weight"] = Tensor(zeros: [4, 2, 9])
        wrongShape.scalars.learningRate = 5
        #expect(throws: OptimizerStateError.shapeMismatch(key: "exp_avg.layer1.0.conv1.weight", saved: [4, 2, 9],
                                                          expected: [4, 2, 3, 3])) {
            try optimizer.restore(wrongShape)
        }
        let otherBetas = Adam(parameters: optimizer.parameters, betas: (0.5, 0.999)).state()
        #expect(throws: OptimizerStateError.hyperparameterMismatch(name: "beta1", saved: 0.5, current: 0.9)) {
            try optimizer.restore(otherBetas)
        }

        let after = optimizer.state()
        #expect(after.scalars == good.scalars)
        #expect(after.tensors.mapValues(\.scalars) == good.tensors.mapValues(\.scalars))
    }
}
