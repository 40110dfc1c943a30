/// The headline numbers of a finished job (`nayerd distill --json` prints them).
public struct JobSummary: Codable, Equatable, Sendable {
    public var finalAccuracy: Double?
    public var bestAccuracy: Double?
    public var teacherAccuracy: Double?
    public var finalAgreement: Double
    /// Pearson correlation of agreement and test accuracy over the distillation epochs:
    /// how well the label-free signal tracks the one that needs labels.
    public var agreementAccuracyCorrelation: Double?
    public var seconds: Double
    public var output: String

    enum CodingKeys: String, CodingKey {
        case finalAccuracy = "final_accuracy", bestAccuracy = "best_accuracy", teacherAccuracy = "teacher_accuracy"
        case finalAgreement = "final_agreement", agreementAccuracyCorrelation = "agreement_accuracy_correlation"
        case seconds, output
    }
}

/// Pearson correlation of paired samples; nil with fewer than 3 pairs or no variance.
public func pearsonCorrelation(_ pairs: [(Double, Double)]) -> Double? {
    guard pairs.count >= 3 else { return nil }
    let n = Double(pairs.count)
    let meanX = pairs.reduce(0) { $0 + $1.0 } / n
    let meanY = pairs.reduce(0) { $0 + $1.1 } / n
    var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
    for (x, y) in pairs {
        covariance += (x - meanX) * (y - meanY)
        varianceX += (x - meanX) * (x - meanX)
        varianceY += (y - meanY) * (y - meanY)
    }
    guard varianceX > 0, varianceY > 0 else { return nil }
    return covariance / (varianceX * varianceY).squareRoot()
}
