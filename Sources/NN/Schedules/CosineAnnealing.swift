import Foundation

/// Cosine annealing of the learning rate from `baseLearningRate` at step 0 to
/// `minimumLearningRate` at `totalSteps`, as torch.optim.lr_scheduler.CosineAnnealingLR
/// (T_max = totalSteps, eta_min = minimumLearningRate).
///
/// PyTorch updates the rate recursively from the previous one; this uses the closed form
/// it approximates, which matches PyTorch's recorded sequence to about 1e-15 relative
/// (see CosineAnnealingTests), and needs nothing but `position` to resume. Past
/// `totalSteps` the cosine continues and the rate rises again, as in PyTorch.
public struct CosineAnnealingSchedule: Codable, Sendable, Equatable {
    public let baseLearningRate: Double
    public let minimumLearningRate: Double
    public let totalSteps: Int
    /// Steps taken so far (PyTorch's `last_epoch`); the current rate is
    /// `learningRate(atStep: position)`.
    public private(set) var position: Int

    /// `totalSteps` must be positive (the caller validates user input before this).
    public init(baseLearningRate: Double, minimumLearningRate: Double = 0, totalSteps: Int) {
        precondition(totalSteps > 0, "cosine schedule needs totalSteps > 0, got \(totalSteps)")
        self.baseLearningRate = baseLearningRate
        self.minimumLearningRate = minimumLearningRate
        self.totalSteps = totalSteps
        self.position = 0
    }

    public func learningRate(atStep step: Int) -> Double {
        minimumLearningRate + (baseLearningRate - minimumLearningRate)
            * (1 + cos(Double(step) * Double.pi / Double(totalSteps))) / 2
    }

    /// The rate for the current position.
    public var learningRate: Double { learningRate(atStep: position) }

    /// Moves one step on and returns the new rate (PyTorch's `scheduler.step()`).
    @discardableResult
    public mutating func step() -> Double {
        position += 1
        return learningRate
    }

    /// Resumes at a saved position.
    public mutating func restore(position: Int) throws {
        guard position >= 0 else { throw CosineAnnealingScheduleError.negativePosition(position) }
        self.position = position
    }

    private enum CodingKeys: String, CodingKey {
        case baseLearningRate, minimumLearningRate, totalSteps, position
    }

    /// Decoding validates, since the data comes from a checkpoint file.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        baseLearningRate = try container.decode(Double.self, forKey: .baseLearningRate)
        minimumLearningRate = try container.decode(Double.self, forKey: .minimumLearningRate)
        totalSteps = try container.decode(Int.self, forKey: .totalSteps)
        position = try container.decode(Int.self, forKey: .position)
        guard totalSteps > 0 else {
            throw CosineAnnealingScheduleError.nonPositiveTotalSteps(totalSteps)
        }
        guard position >= 0 else { throw CosineAnnealingScheduleError.negativePosition(position) }
    }
}

public enum CosineAnnealingScheduleError: Error, Equatable, CustomStringConvertible {
    case negativePosition(Int)
    case nonPositiveTotalSteps(Int)

    public var description: String {
        switch self {
        case .negativePosition(let position):
            return "cosine schedule position \(position) is negative"
        case .nonPositiveTotalSteps(let steps):
            return "cosine schedule totalSteps \(steps) must be positive"
        }
    }
}
