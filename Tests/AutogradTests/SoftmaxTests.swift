import Autograd
import Tensor
import Testing
import TestSupport

/// Runs `op` on the fixture tensors `<name>.<input>`, backpropagates the fixture's
/// `<name>.grad_output`, and compares the output with `<name>.output` and the gradient
/// of every input listed in `gradients` with `<name>.grad_<input>`, all at PyTorch's
/// allclose rule with rtol 1e-4, atol 1e-5. Shared by the softmax, loss and augmentation
/// golden tests.
func expectMatchesTorch(
    _ fixture: [String: Tensor], case name: String, inputs: [String], gradients: [String],
    sourceLocation: SourceLocation = #_sourceLocation, _ op: ([Variable]) -> Variable
) throws {
    let variables = try inputs.map { input in
        Variable(try fixture.fixture("\(name).\(input)"), requiresGrad: gradients.contains(input))
    }
    let output = op(variables)
    let expected = try fixture.fixture("\(name).output")
    let outputReport = checkClose(output.value.reshaped(expected.shape), expected,
                                  relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "\(name) output")
    #expect(output.value.count == expected.count, "\(name): output \(output.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
    #expect(outputReport.passed, "\(outputReport)", sourceLocation: sourceLocation)
    output.backward(seed: try fixture.fixture("\(name).grad_output").reshaped(output.shape))
    for (input, variable) in zip(inputs, variables) where gradients.contains(input) {
        let expectedGradient = try fixture.fixture("\(name).grad_\(input)")
        let actual = try #require(variable.grad, "\(name): no gradient reached \(input)", sourceLocation: sourceLocation)
        let report = checkClose(actual, expectedGradient, relativeTolerance: 1e-4, absoluteTolerance: 1e-5,
                                "\(name) grad \(input)")
        #expect(report.passed, "\(report)", sourceLocation: sourceLocation)
    }
}

@Suite struct SoftmaxTests {
    @Test(arguments: [Float(1), 4])
    func softmaxGradient(temperature: Float) {
        var random = RandomGenerator(seed: 11)
        let logits = Variable(random.normalTensor(shape: [4, 5], standardDeviation: 2), requiresGrad: true)
        let report = checkGradients(of: [logits]) { softmax($0[0], temperature: temperature) }
        #expect(report.passed, "\(report)")
    }

    @Test(arguments: [Float(1), 4])
    func logSoftmaxGradient(temperature: Float) {
        var random = RandomGenerator(seed: 12)
        let logits = Variable(random.normalTensor(shape: [4, 5], standardDeviation: 2), requiresGrad: true)
        let report = checkGradients(of: [logits]) { logSoftmax($0[0], temperature: temperature) }
        #expect(report.passed, "\(report)")
    }

    @Test func softmaxRowsSumToOneAndMatchExpOfLogSoftmax() {
        var random = RandomGenerator(seed: 13)
        let logits = Variable(random.normalTensor(shape: [3, 7], standardDeviation: 3))
        let probabilities = softmax(logits).value
        for row in 0..<3 {
            let total = (0..<7).reduce(Float(0)) { $0 + probabilities.storage.pointer[row * 7 + $1] }
            #expect(abs(total - 1) < 1e-5)
        }
        let report = checkClose(Elementwise.map(logSoftmax(logits).value) { Foundation.exp($0) }, probabilities,
                                relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
        #expect(report.passed, "\(report)")
    }

    @Test func logSoftmaxStaysFiniteForHugeLogits() {
        let logits = Variable(Tensor(shape: [2, 3], scalars: [1000, 0, -1000, -5000, -5001, -4999]))
        let result = logSoftmax(logits).value.scalars
        #expect(result.allSatisfy { $0.isFinite }, "\(result)")
        #expect(abs(result[0]) < 1e-6 && abs(result[1] + 1000) < 1e-2)
        #expect(abs(result[5] - (-Foundation.log(1 + Foundation.exp(-1) + Foundation.exp(-2)))) < 1e-5)
    }

    @Test func rowArgmaxTakesTheFirstMaximum() {
        let logits = Tensor(shape: [3, 3], scalars: [1, 3, 3, -1, -2, -3, 0, 0, 5])
        #expect(SoftmaxKernels.rowArgmax(logits) == [1, 0, 2])
    }

    @Test(arguments: ["softmax", "softmax_t4", "log_softmax", "log_softmax_t4", "log_softmax_large"])
    func matchesTorch(name: String) throws {
        let fixture = try GoldenFixture.load("losses")
        let temperature = try fixture.fixture("\(name).temperature").scalars[0]
        try expectMatchesTorch(fixture, case: name, inputs: ["logits"], gradients: ["logits"]) {
            name.hasPrefix("log_") ? logSoftmax($0[0], temperature: temperature)
                : softmax($0[0], temperature: temperature)
        }
    }
}

import Foundation
