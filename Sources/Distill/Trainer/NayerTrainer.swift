import Autograd
import Datasets
import Foundation
import Models
import NN
import Tensor

/// NAYER (NAYER.md) as an explicit state machine over epoch, phase, loop and step.
/// `advance()` performs one unit of work: one generator step (the last one of a loop
/// also closes the loop), one KD step, or one end-of-epoch evaluation. Between units
/// the whole state can be checkpointed, and a trainer built from a checkpoint continues
/// bit for bit where the other one stopped.
public final class NayerTrainer {
    public let spec: JobSpec
    public let workDirectory: URL
    public internal(set) var state: TrainerState

    let teacher: any Layer
    public let student: any Layer
    var generator: NayerGenerator
    let generatorInputs: Tensor?
    let evaluationSet: LabeledImages?
    let bank: MemoryBank
    let batchNormLoss: BatchNormStatisticsLoss
    let studentOptimizer: SGD
    var generatorOptimizer: Adam
    /// Inputs of the current synthesis loop ([B, d]); the best batch seen in it.
    var loopInputs: Tensor?
    var bestImages: Tensor?
    /// The current shuffled pass over the memory bank.
    var passOrder: [Int] = []
    /// The latest step's losses, for progress lines.
    public internal(set) var latestSynthesisLosses: SynthesisLosses?
    public internal(set) var latestDistillationLoss: Double?

    static let noiseInputSize = 256

    public init(spec: JobSpec, resources: JobResources, workDirectory: URL) throws {
        self.spec = spec
        self.workDirectory = workDirectory
        teacher = resources.teacher
        teacher.eval()
        teacher.setRequiresGradient(false)
        generatorInputs = resources.generatorInputs
        evaluationSet = resources.evaluationSet
        state = TrainerState(seed: spec.seed)

        var initRandom = RandomGenerator(seed: spec.seed &+ 0x5EED)
        student = try ModelZoo.make(spec.student.architecture, classCount: spec.classCount,
                                    inputChannels: spec.inputShape[0], random: &initRandom)
        generator = NayerGenerator(Self.generatorConfiguration(spec: spec, inputs: generatorInputs), random: &initRandom)
        studentOptimizer = SGD(parameters: student.namedParameters, learningRate: spec.distillation.learningRate,
                               momentum: spec.distillation.momentum, weightDecay: spec.distillation.weightDecay)
        generatorOptimizer = Self.makeGeneratorOptimizer(generator, spec: spec)
        batchNormLoss = BatchNormStatisticsLoss(layers: ModelZoo.batchNormLayers(of: teacher),
                                                momentum: Float(spec.nayer.batchNormMomentum))

        let bankDirectory = workDirectory.appendingPathComponent("bank")
        try FileManager.default.createDirectory(at: bankDirectory, withIntermediateDirectories: true)
        let store = CheckpointStore(directory: workDirectory.appendingPathComponent("checkpoint"))
        let checkpoint = try store.load(TrainerState.self, configurationHash: Self.configurationHash(for: spec))
        if let checkpoint {
            state = checkpoint.state
            bank = try MemoryBank(directory: bankDirectory, imageShape: spec.inputShape, capacity: spec.nayer.bankCapacity,
                                  eviction: spec.nayer.bankEviction, state: state.bank,
                                  liveSlots: try Self.integers(checkpoint.tensors, "bank.live_slots"))
        } else {
            bank = try MemoryBank(directory: bankDirectory, imageShape: spec.inputShape, capacity: spec.nayer.bankCapacity,
                                  eviction: spec.nayer.bankEviction)
        }
        if let checkpoint { try restore(from: checkpoint.tensors) }
    }

    static func generatorConfiguration(spec: JobSpec, inputs: Tensor?) -> NayerGenerator.Configuration {
        NayerGenerator.Configuration(
            embeddingSize: inputs?.shape[1] ?? noiseInputSize, classCount: spec.classCount,
            batchSize: spec.nayer.synthesisBatchSize, noisyLayerWidth: spec.nayer.noisyLayerWidth,
            noisyLayers: spec.nayer.noisyLayer, features: spec.nayer.generatorFeatures, imageShape: spec.inputShape,
            grayscale: spec.nayer.grayscale)
    }

    static func makeGeneratorOptimizer(_ generator: NayerGenerator, spec: JobSpec) -> Adam {
        Adam(parameters: generator.namedParameters, learningRate: spec.nayer.generatorLearningRate, betas: (0.5, 0.999))
    }

    public var isFinished: Bool { state.phase == .finished }

    /// Synthesis loops in `epoch`: gwp_loops during warm-up, g_loops after.
    func loops(in epoch: Int) -> Int {
        epoch < spec.nayer.warmup ? spec.nayer.warmupGeneratorLoops : spec.nayer.generatorLoops
    }

    /// One unit of work; see the type's documentation.
    public func advance() throws {
        switch state.phase {
        case .synthesis:
            if state.loop >= loops(in: state.epoch) {
                state.phase = state.epoch >= spec.nayer.warmup ? .distillation : .evaluation
                state.step = 0
                return
            }
            try synthesisStep()
        case .distillation:
            if state.step >= spec.distillation.steps {
                state.phase = .evaluation
                return
            }
            try distillationStep()
        case .evaluation:
            try finishEpoch()
        case .finished:
            return
        }
    }

    /// Units of work in the whole job and those done, for progress and ETA.
    public var progress: (done: Int, total: Int) {
        let g = spec.nayer.generatorSteps
        func units(_ epoch: Int) -> Int {
            loops(in: epoch) * g + (epoch >= spec.nayer.warmup ? spec.distillation.steps : 0) + 1
        }
        let total = (0..<spec.nayer.epochs).reduce(0) { $0 + units($1) }
        guard state.phase != .finished else { return (total, total) }
        var done = (0..<state.epoch).reduce(0) { $0 + units($1) }
        switch state.phase {
        case .synthesis: done += state.loop * g + state.step
        case .distillation: done += loops(in: state.epoch) * g + state.step
        case .evaluation, .finished: done += units(state.epoch) - 1
        }
        return (done, total)
    }
}
