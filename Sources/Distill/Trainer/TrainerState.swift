import NN
import Tensor

/// Where a NAYER job stands: everything the next step depends on apart from tensors
/// (which go to the checkpoint's safetensors file). A job resumed from this state and
/// its tensors continues exactly as if it had never stopped.
public struct TrainerState: Codable, Equatable, Sendable {
    public enum Phase: String, Codable, Sendable {
        case synthesis, distillation, evaluation, finished
    }

    public var epoch = 0
    public var phase = Phase.synthesis
    /// Synthesis loop within the epoch.
    public var loop = 0
    /// Generator step within the loop, or KD step within the epoch.
    public var step = 0
    /// The one source of randomness of the job.
    public var random: RandomGenerator
    /// Labels of the current synthesis loop.
    public var loopLabels: [Int] = []
    /// Inputs of the current loop for the noise ablation (drawn per loop), else empty.
    public var bestLoss: Double?
    public var adam: OptimizerState.Scalars?
    public var sgd: OptimizerState.Scalars?
    public var hasMomentumStatistics = false
    public var bank: MemoryBank.State
    /// Position in the current shuffled pass over the bank (the order is a tensor).
    public var passCursor = 0
    public var passLength = 0
    /// Loss sums over the current epoch, for the history.
    public var epochLosses = EpochLossSums()
    public var history: [EpochRecord] = []
    public var teacherAccuracy: Double?
    public var elapsedSeconds = 0.0
    public var synthesizedImages = 0

    public init(seed: UInt64) {
        random = RandomGenerator(seed: seed)
        bank = MemoryBank.State(generation: 0, physicalCount: 0, seenCount: 0)
    }
}

/// Running sums of an epoch's losses.
public struct EpochLossSums: Codable, Equatable, Sendable {
    public var batchNorm = 0.0, oneHot = 0.0, adversarial = 0.0, synthesisTotal = 0.0
    public var synthesisSteps = 0
    public var distillation = 0.0
    public var distillationSteps = 0

    public init() {}
}

/// One row of history.csv.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var batchNormLoss: Double?
    public var oneHotLoss: Double?
    public var adversarialLoss: Double?
    public var distillationLoss: Double?
    public var learningRate: Double?
    /// Student-teacher top-1 agreement on freshly synthesized images.
    public var agreement: Double
    public var agreementKL: Double
    public var testAccuracy: Double?
    public var bankSize: Int
    public var seconds: Double
}
