import Foundation

/// A distillation job as its manifest describes it (DESIGN.md, "Manifest"), validated and
/// with every default filled in. Defaults are the NAYER reference's CIFAR-10 script values.
public struct JobSpec: Equatable, Sendable {
    public struct Network: Equatable, Sendable {
        public var architecture: String
        /// Absolute path (resolved against the manifest's directory); nil for the student.
        public var weights: String?
    }

    public struct Normalization: Equatable, Sendable {
        public var mean: [Float]
        public var standardDeviation: [Float]

        public init(mean: [Float], standardDeviation: [Float]) {
            self.mean = mean
            self.standardDeviation = standardDeviation
        }
    }

    public enum LabelEmbedding: Equatable, Sendable {
        /// The built-in MiniLM encoder over `prompt` with "{}" replaced by each label.
        case encoder(name: String, prompt: String, modelDirectory: String?)
        /// A precomputed K x d tensor `lte` in a safetensors file (absolute path).
        case file(String)
    }

    public enum GeneratorInput: String, Equatable, Sendable {
        case labelTextEmbedding = "lte", oneHot = "onehot", noise
    }

    public enum BankEviction: String, Equatable, Sendable {
        case oldest, reservoir
    }

    public struct Nayer: Equatable, Sendable {
        public var epochs = 120
        public var warmup = 20
        public var generatorSteps = 30
        public var generatorLoops = 2
        public var warmupGeneratorLoops = 10
        public var generatorLife = 10
        public var generatorLearningRate = 4e-3
        public var adversarialWeight = 1.33
        public var batchNormWeight = 10.0
        public var oneHotWeight = 0.5
        public var batchNormMomentum = 0.9
        public var synthesisBatchSize = 400
        public var noisyLayerWidth = 1000
        public var generatorFeatures = 64
        public var bankCapacity = 100_000
        public var bankEviction = BankEviction.oldest
        public var generatorInput = GeneratorInput.labelTextEmbedding
        public var noisyLayer = true
        /// The generator makes grey pictures (one channel copied into all of the
        /// teacher's input channels), for teachers trained on grey data stored as RGB.
        public var grayscale = false
        /// Freshly synthesized images per epoch on which student-teacher agreement is
        /// measured; they never enter the memory bank.
        public var agreementBatchSize = 200

        public init() {}
    }

    public struct KnowledgeDistillation: Equatable, Sendable {
        public var batchSize = 512
        public var steps = 400
        public var learningRate = 0.2
        public var minimumLearningRate = 2e-4
        public var temperature = 20.0
        public var momentum = 0.9
        public var weightDecay = 1e-4

        public init() {}
    }

    public struct Evaluation: Equatable, Sendable {
        public var dataset: String
        /// Directory of the dataset files; nil means the dataset's Debian location.
        public var path: String?
        public var batchSize = 500
    }

    public var id: String
    public var teacher: Network
    public var student: Network
    public var classCount: Int
    /// Channels, height, width of the images both networks take.
    public var inputShape: [Int]
    public var normalization: Normalization
    public var labels: [String]
    public var labelEmbedding: LabelEmbedding
    public var nayer: Nayer
    public var distillation: KnowledgeDistillation
    public var evaluation: Evaluation?
    public var checkpointIntervalSeconds: Int
    public var seed: UInt64
    public var threads: Int

    /// CIFAR-10's statistics: the reference's default normalisation.
    public static let cifar10Normalization = Normalization(mean: [0.4914, 0.4822, 0.4465],
                                                           standardDeviation: [0.2023, 0.1994, 0.2010])
}
