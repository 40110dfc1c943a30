import Autograd
import Foundation
import Tensor
import Testing
import TestSupport

/// Logits [rows, classes] whose row argmax is `winners[row]` by a margin of about 4, so
/// finite-difference steps never change an argmax-based mask.
private func logits(winners: [Int], classes: Int, random: inout RandomGenerator) -> Tensor {
    var tensor = random.normalTensor(shape: [winners.count, classes], standardDeviation: 0.5)
    tensor.withUnsafeMutableBufferPointer { buffer in
        for (row, winner) in winners.enumerated() { buffer[row * classes + winner] += 4 }
    }
    return tensor
}

private func leaf(_ shape: [Int], seed: UInt64, scale: Float = 2) -> Variable {
    var random = RandomGenerator(seed: seed)
    return Variable(random.normalTensor(shape: shape, standardDeviation: scale), requiresGrad: true)
}

@Suite struct LossTests {
    // MARK: gradient checks

    @Test func crossEntropyWithLabelsGradient() {
        let logits = leaf([4, 5], seed: 21)
        let report = checkGradients(of: [logits]) { crossEntropy($0[0], labels: [3, 0, 4, 1]) }
        #expect(report.passed, "\(report)")
    }

    @Test func crossEntropyWithProbabilitiesGradientToLogitsAndTargets() {
        let logits = leaf([4, 5], seed: 22)
        let targets = Variable(SoftmaxKernels.softmax(leaf([4, 5], seed: 23).value), requiresGrad: true)
        let report = checkGradients(of: [logits, targets]) { crossEntropy($0[0], targetProbabilities: $0[1]) }
        #expect(report.passed, "\(report)")
        #expect(report.checkedElements == 40)
    }

    @Test func klDivergenceGradientToInputAndTarget() {
        let logInput = Variable(SoftmaxKernels.logSoftmax(leaf([4, 5], seed: 24).value), requiresGrad: true)
        let target = Variable(SoftmaxKernels.softmax(leaf([4, 5], seed: 25).value, temperature: 2), requiresGrad: true)
        let report = checkGradients(of: [logInput, target]) { klDivergence(logInput: $0[0], target: $0[1]) }
        #expect(report.passed, "\(report)")
        #expect(report.checkedElements == 40)
    }

    /// Both KL losses at T = 1 and T = 4, with gradients checked w.r.t. teacher and student.
    @Test(arguments: [("distillation", Float(1)), ("distillation", 4), ("perSample", 1), ("perSample", 4)])
    func klLossGradientToTeacherAndStudent(loss: String, temperature: Float) {
        let (teacher, student) = (leaf([4, 5], seed: 26), leaf([4, 5], seed: 27))
        let report = checkGradients(of: [teacher, student]) { inputs in
            loss == "distillation"
                ? distillationKLDivergence(studentLogits: inputs[1], teacherLogits: inputs[0], temperature: temperature)
                : perSampleKLDivergence(teacherLogits: inputs[0], studentLogits: inputs[1], temperature: temperature)
        }
        #expect(report.passed, "\(report)")
        #expect(report.checkedElements == 40)
    }

    @Test func maskedAdversarialGradientToTeacherAndStudent() throws {
        var random = RandomGenerator(seed: 30)
        let teacher = Variable(logits(winners: [0, 1, 2, 3], classes: 5, random: &random), requiresGrad: true)
        let student = Variable(logits(winners: [0, 4, 2, 1], classes: 5, random: &random), requiresGrad: true)
        #expect(agreementMask(teacherLogits: teacher.value, studentLogits: student.value) == [true, false, true, false])
        let report = checkGradients(of: [teacher, student]) {
            maskedAdversarialLoss(teacherLogits: $0[0], studentLogits: $0[1])
        }
        #expect(report.passed, "\(report)")
        // Rows where the two disagree are masked out: no gradient at all.
        let studentGradient = try #require(student.grad).scalars
        #expect(studentGradient[5..<10].allSatisfy { $0 == 0 } && studentGradient[15..<20].allSatisfy { $0 == 0 })
        #expect(studentGradient[0..<5].contains { $0 != 0 })
    }

    // MARK: values and edge cases

    @Test func crossEntropyOfEqualLogitsIsLogK() {
        let loss = crossEntropy(Variable(Tensor(shape: [3, 7], repeating: 2.5)), labels: [0, 6, 3])
        #expect(abs(loss.value.scalar - Float(Foundation.log(7.0))) < 1e-6)
        #expect(loss.shape == [])
    }

    @Test func identicalLogitsHaveZeroDistillationLossAndGradient() throws {
        let logits = leaf([3, 6], seed: 31)
        let copy = Variable(logits.value.copied(), requiresGrad: true)
        let loss = distillationKLDivergence(studentLogits: logits, teacherLogits: copy, temperature: 4)
        loss.backward()
        #expect(abs(loss.value.scalar) < 1e-6)
        #expect(try #require(logits.grad).scalars.allSatisfy { abs($0) < 1e-6 })
        #expect(try #require(copy.grad).scalars.allSatisfy { abs($0) < 1e-6 })
    }

    @Test func distillationIsTemperatureSquaredTimesMeanPerSampleKL() {
        let (student, teacher) = (leaf([5, 4], seed: 32), leaf([5, 4], seed: 33))
        let perSample = perSampleKLDivergence(teacherLogits: teacher, studentLogits: student, temperature: 3).value.scalars
        let distillation = distillationKLDivergence(studentLogits: student, teacherLogits: teacher, temperature: 3)
        #expect(abs(distillation.value.scalar - 9 * perSample.reduce(0, +) / 5) < 1e-5)
        #expect(perSample.allSatisfy { $0 > 0 })
    }

    @Test func frozenTeacherGetsNoGradient() {
        let student = leaf([4, 5], seed: 34)
        let teacher = Variable(leaf([4, 5], seed: 35).value)
        distillationKLDivergence(studentLogits: student, teacherLogits: teacher, temperature: 20).backward()
        #expect(teacher.grad == nil)
        #expect(student.grad?.scalars.contains { $0 != 0 } == true)
    }

    @Test func fullDisagreementMakesTheAdversarialLossZero() throws {
        var random = RandomGenerator(seed: 36)
        let teacher = Variable(logits(winners: [0, 1], classes: 3, random: &random), requiresGrad: true)
        let student = Variable(logits(winners: [2, 0], classes: 3, random: &random), requiresGrad: true)
        let loss = maskedAdversarialLoss(teacherLogits: teacher, studentLogits: student)
        loss.backward()
        #expect(loss.value.scalar == 0)
        #expect(try #require(teacher.grad).scalars.allSatisfy { $0 == 0 })
    }

    @Test func zeroTargetsContributeNothingAndGetZeroGradient() throws {
        let logInput = Variable(SoftmaxKernels.logSoftmax(leaf([2, 3], seed: 37).value), requiresGrad: true)
        let target = Variable(Tensor(shape: [2, 3], scalars: [0.5, 0, 0.5, 1, 0, 0]), requiresGrad: true)
        let loss = klDivergence(logInput: logInput, target: target)
        loss.backward()
        let x = logInput.value.scalars
        let expected = (0.5 * (log(0.5) - x[0]) + 0.5 * (log(0.5) - x[2]) + (0 - x[3])) / 2
        #expect(abs(loss.value.scalar - expected) < 1e-5)
        let targetGradient = try #require(target.grad).scalars
        #expect(targetGradient.allSatisfy { $0.isFinite })
        #expect(targetGradient[1] == 0 && targetGradient[4] == 0 && targetGradient[5] == 0)
    }

    // MARK: PyTorch golden (rtol 1e-4, atol 1e-5)

    @Test func crossEntropyMatchesTorch() throws {
        let fixture = try GoldenFixture.load("losses")
        let labels = try fixture.fixture("cross_entropy.labels").scalars.map { Int($0) }
        try expectMatchesTorch(fixture, case: "cross_entropy", inputs: ["logits"], gradients: ["logits"]) {
            crossEntropy($0[0], labels: labels)
        }
        try expectMatchesTorch(fixture, case: "cross_entropy_soft", inputs: ["logits", "targets"],
                               gradients: ["logits", "targets"]) {
            crossEntropy($0[0], targetProbabilities: $0[1])
        }
    }

    @Test func klDivergenceMatchesTorch() throws {
        let fixture = try GoldenFixture.load("losses")
        // With zero targets torch's target gradient is NaN, so only the input's is compared.
        try expectMatchesTorch(fixture, case: "kl_div_zeros", inputs: ["log_input", "target"], gradients: ["log_input"]) {
            klDivergence(logInput: $0[0], target: $0[1])
        }
        try expectMatchesTorch(fixture, case: "kl_div", inputs: ["log_input", "target"],
                               gradients: ["log_input", "target"]) {
            klDivergence(logInput: $0[0], target: $0[1])
        }
    }

    @Test(arguments: ["distill_t20", "distill_t4", "distill_t1"])
    func distillationMatchesTorch(name: String) throws {
        let fixture = try GoldenFixture.load("losses")
        let temperature = try fixture.fixture("\(name).temperature").scalars[0]
        try expectMatchesTorch(fixture, case: name, inputs: ["student", "teacher"], gradients: ["student", "teacher"]) {
            distillationKLDivergence(studentLogits: $0[0], teacherLogits: $0[1], temperature: temperature)
        }
    }

    @Test(arguments: ["per_sample_kl", "per_sample_kl_t4"])
    func perSampleKLMatchesTorch(name: String) throws {
        let fixture = try GoldenFixture.load("losses")
        let temperature = try fixture.fixture("\(name).temperature").scalars[0]
        try expectMatchesTorch(fixture, case: name, inputs: ["teacher", "student"], gradients: ["teacher", "student"]) {
            perSampleKLDivergence(teacherLogits: $0[0], studentLogits: $0[1], temperature: temperature)
        }
    }

    @Test func maskedAdversarialMatchesTorch() throws {
        let fixture = try GoldenFixture.load("losses")
        let teacher = try fixture.fixture("masked_adversarial.teacher")
        let student = try fixture.fixture("masked_adversarial.student")
        let mask = try fixture.fixture("masked_adversarial.mask").scalars.map { $0 == 1 }
        #expect(agreementMask(teacherLogits: teacher, studentLogits: student) == mask)
        try expectMatchesTorch(fixture, case: "masked_adversarial", inputs: ["teacher", "student"],
                               gradients: ["teacher", "student"]) {
            maskedAdversarialLoss(teacherLogits: $0[0], studentLogits: $0[1])
        }
    }
}
