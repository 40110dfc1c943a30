import Tensor

/// The outcome of comparing two tensors elementwise with |a - e| <= atol + rtol * |e|,
/// PyTorch's `allclose` rule. Tests assert `report.passed` and print the report.
public struct ClosenessReport: CustomStringConvertible, Sendable {
    public let passed: Bool
    public let worstIndex: Int?
    public let worstActual: Float
    public let worstExpected: Float
    public let maximumAbsoluteError: Float
    public let context: String

    public var description: String {
        guard let worstIndex else { return "\(context): close" }
        return "\(context): worst at flat index \(worstIndex): got \(worstActual), expected \(worstExpected) (max abs error \(maximumAbsoluteError))"
    }
}

public func checkClose(
    _ actual: Tensor, _ expected: Tensor, relativeTolerance: Float = 1e-4,
    absoluteTolerance: Float = 1e-5, _ context: String = ""
) -> ClosenessReport {
    guard actual.shape == expected.shape else {
        return ClosenessReport(passed: false, worstIndex: nil, worstActual: .nan, worstExpected: .nan,
                               maximumAbsoluteError: .infinity,
                               context: "\(context): shape \(actual.shape) != expected \(expected.shape)")
    }
    return checkClose(actual.scalars, expected.scalars, relativeTolerance: relativeTolerance,
                      absoluteTolerance: absoluteTolerance, context)
}

public func checkClose(
    _ actual: [Float], _ expected: [Float], relativeTolerance: Float = 1e-4,
    absoluteTolerance: Float = 1e-5, _ context: String = ""
) -> ClosenessReport {
    guard actual.count == expected.count else {
        return ClosenessReport(passed: false, worstIndex: nil, worstActual: .nan, worstExpected: .nan,
                               maximumAbsoluteError: .infinity,
                               context: "\(context): \(actual.count) values != expected \(expected.count)")
    }
    var passed = true
    var worst: (index: Int, excess: Float)? = nil
    var maximumError: Float = 0
    for i in actual.indices {
        let error = abs(actual[i] - expected[i])
        let allowed = absoluteTolerance + relativeTolerance * abs(expected[i])
        maximumError = max(maximumError, error.isNaN ? .infinity : error)
        // NaN compares false, so a NaN on either side fails here.
        if !(error <= allowed) {
            passed = false
            let excess = error.isNaN ? .infinity : error - allowed
            if worst == nil || excess > worst!.excess { worst = (i, excess) }
        }
    }
    return ClosenessReport(passed: passed, worstIndex: worst?.index,
                           worstActual: worst.map { actual[$0.index] } ?? 0,
                           worstExpected: worst.map { expected[$0.index] } ?? 0,
                           maximumAbsoluteError: maximumError, context: context)
}
