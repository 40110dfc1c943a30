import Autograd
import Tensor

/// Finite-difference check of an op's backward.
///
/// The scalar loss is L = sum_i w_i * f(x)_i with fixed random weights w, so the upstream
/// gradient is not all ones (an op that ignores its incoming gradient fails). L is
/// accumulated in Double so that Float32 rounding in the sum does not swamp the central
/// difference (L(x + h) - L(x - h)) / 2h.
public struct GradientCheckReport: CustomStringConvertible {
    public let passed: Bool
    public let checkedElements: Int
    public let failures: [String]

    public var description: String {
        passed ? "gradient check passed on \(checkedElements) elements"
            : "gradient check failed:\n" + failures.prefix(8).joined(separator: "\n")
    }
}

public func checkGradients(
    of inputs: [Variable],
    seed: UInt64 = 1234,
    step: Float = 1e-2,
    relativeTolerance: Float = 2e-2,
    absoluteTolerance: Float = 2e-3,
    maximumProbesPerInput: Int = 64,
    _ function: ([Variable]) -> Variable
) -> GradientCheckReport {
    var random = RandomGenerator(seed: seed)
    let output = function(inputs)
    let upstream = random.uniformTensor(shape: output.shape, in: -1...1)
    for input in inputs { input.zeroGradient() }
    output.backward(seed: upstream)

    func loss() -> Double {
        let value = GradMode.withNoGrad { function(inputs) }.value
        var total = 0.0
        for i in 0..<value.count {
            total += Double(value.storage.pointer[i]) * Double(upstream.storage.pointer[i])
        }
        return total
    }

    var failures: [String] = []
    var checked = 0
    for (inputIndex, input) in inputs.enumerated() where input.requiresGrad {
        guard let analytic = input.grad else {
            failures.append("input \(inputIndex): no gradient reached it")
            continue
        }
        // Probe a random subset of large inputs: every element of a conv weight would
        // cost two forward passes each.
        let probes = input.value.count <= maximumProbesPerInput
            ? Array(0..<input.value.count)
            : Array(random.permutation(input.value.count).prefix(maximumProbesPerInput))
        let scale = max(1, analytic.scalars.map { abs($0) }.max() ?? 0)
        for element in probes {
            let original = input.value.storage.pointer[element]
            input.value.withUnsafeMutableBufferPointer { $0[element] = original + step }
            let plus = loss()
            input.value.withUnsafeMutableBufferPointer { $0[element] = original - step }
            let minus = loss()
            input.value.withUnsafeMutableBufferPointer { $0[element] = original }
            let numeric = Float((plus - minus) / (2 * Double(step)))
            let exact = analytic.storage.pointer[element]
            let allowed = absoluteTolerance * scale + relativeTolerance * abs(numeric)
            if !(abs(exact - numeric) <= allowed) {
                failures.append("input \(inputIndex) element \(element): backward \(exact), finite difference \(numeric)")
            }
            checked += 1
        }
    }
    return GradientCheckReport(passed: failures.isEmpty && checked > 0, checkedElements: checked,
                               failures: failures)
}
