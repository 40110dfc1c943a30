import FileSystem
import Foundation

extension JobSpec {
    /// Largest manifest accepted: a manifest is a few kilobytes; anything near this is a mistake.
    public static let maximumManifestBytes = 1 << 20

    /// Reads and validates a manifest file. Relative paths inside it resolve against the
    /// manifest's own directory; the id defaults to the file name without `.json`.
    public static func load(contentsOf url: URL, baseDirectory: URL? = nil) throws -> JobSpec {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            if let size = attributes[.size] as? Int, size > maximumManifestBytes {
                throw ManifestError("\(url.lastPathComponent) is \(size) bytes; a manifest may be at most \(maximumManifestBytes)")
            }
            data = try Data(contentsOf: url)
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError("cannot read \(url.path): \(error.localizedDescription)")
        }
        let fallbackId = url.deletingPathExtension().lastPathComponent
        return try decode(data, defaultId: fallbackId,
                          baseDirectory: baseDirectory ?? url.deletingLastPathComponent())
    }

    public static func decode(_ data: Data, defaultId: String, baseDirectory: URL) throws -> JobSpec {
        guard !data.isEmpty else { throw ManifestError("the manifest is empty") }
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ManifestError("the manifest is not valid JSON: \(jsonErrorSummary(error))")
        }
        var root = try ObjectReader(document, path: "")
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : baseDirectory.appendingPathComponent(path).standardizedFileURL.path
        }

        let id = try root.string("id") ?? defaultId
        if let problem = SafeName.problem(with: id) {
            throw ManifestError("id must be 1-64 characters of A-Z a-z 0-9 . _ - and not start with a dot, got \"\(id.prefix(80))\" (\(problem))")
        }

        var teacherReader = try root.requiredObject("teacher")
        let teacherArchitecture = try teacherReader.requiredString("arch")
        let teacherWeights = resolve(try teacherReader.requiredString("weights"))
        let labels = try root.strings("labels") ?? { throw ManifestError("labels is required") }()
        guard labels.count >= 2 else { throw ManifestError("labels must name at least 2 classes, got \(labels.count)") }
        let classCount = try teacherReader.integer("num_classes", default: labels.count, minimum: 2, maximum: 100_000)
        guard classCount == labels.count else {
            throw ManifestError("teacher.num_classes is \(classCount) but labels has \(labels.count) names")
        }
        let inputShape = try teacherReader.numbers("input").map { try integerList($0, path: "teacher.input") } ?? [3, 32, 32]
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }), (1...4).contains(inputShape[0]),
              inputShape[1] % 4 == 0, inputShape[2] % 4 == 0, inputShape[1] <= 512, inputShape[2] <= 512 else {
            throw ManifestError("teacher.input must be [channels (1-4), height, width] with height and width multiples of 4, got \(inputShape)")
        }
        var normalization = cifar10Normalization
        if var normalize = try teacherReader.object("normalize") {
            normalization = try decodeNormalization(&normalize, channels: inputShape[0])
            try normalize.finish()
        } else if inputShape[0] != 3 {
            normalization = Normalization(mean: Array(repeating: 0.5, count: inputShape[0]),
                                          standardDeviation: Array(repeating: 0.5, count: inputShape[0]))
        }
        try teacherReader.finish()

        var studentReader = try root.requiredObject("student")
        let studentArchitecture = try studentReader.requiredString("arch")
        try studentReader.finish()

        let labelEmbedding = try decodeLabelEmbedding(&root, resolve: resolve)
        let nayer = try decodeNayer(&root)
        let distillation = try decodeDistillation(&root)
        let evaluation = try decodeEvaluation(&root, resolve: resolve)

        var checkpointInterval = 120
        if var checkpoint = try root.object("checkpoint") {
            checkpointInterval = try checkpoint.integer("every_seconds", default: 120, minimum: 1, maximum: 86_400)
            try checkpoint.finish()
        }
        let seed = try root.integer("seed", default: 0, minimum: 0)
        let threads = try root.integer("threads", default: 0, minimum: 0, maximum: 256)
        try root.finish()

        return JobSpec(
            id: id,
            teacher: Network(architecture: teacherArchitecture, weights: teacherWeights),
            student: Network(architecture: studentArchitecture, weights: nil),
            classCount: classCount, inputShape: inputShape, normalization: normalization, labels: labels,
            labelEmbedding: labelEmbedding, nayer: nayer, distillation: distillation, evaluation: evaluation,
            checkpointIntervalSeconds: checkpointInterval, seed: UInt64(seed), threads: threads)
    }

    private static func integerList(_ numbers: [Double], path: String) throws -> [Int] {
        try numbers.enumerated().map { index, number in
            guard number == number.rounded(), abs(number) < 1e9 else {
                throw ManifestError("\(path)[\(index)] must be an integer, got \(number)")
            }
            return Int(number)
        }
    }

    private static func decodeNormalization(_ reader: inout ObjectReader, channels: Int) throws -> Normalization {
        let mean = try reader.numbers("mean") ?? { throw ManifestError("teacher.normalize.mean is required") }()
        let std = try reader.numbers("std") ?? { throw ManifestError("teacher.normalize.std is required") }()
        for (name, values) in [("mean", mean), ("std", std)] where values.count != 1 && values.count != channels {
            throw ManifestError("teacher.normalize.\(name) must have 1 or \(channels) values, got \(values.count)")
        }
        if let bad = std.first(where: { $0 <= 0 }) {
            throw ManifestError("teacher.normalize.std values must be positive, got \(bad)")
        }
        func expand(_ values: [Double]) -> [Float] {
            values.count == 1 ? Array(repeating: Float(values[0]), count: channels) : values.map(Float.init)
        }
        return Normalization(mean: expand(mean), standardDeviation: expand(std))
    }

    private static func decodeLabelEmbedding(_ root: inout ObjectReader, resolve: (String) -> String) throws -> LabelEmbedding {
        guard var reader = try root.object("label_embedding") else {
            return .encoder(name: "minilm", prompt: "a photo of a {}", modelDirectory: nil)
        }
        if reader.has("file") {
            guard !reader.has("encoder"), !reader.has("prompt") else {
                throw ManifestError("label_embedding takes either file or encoder/prompt, not both")
            }
            let file = resolve(try reader.requiredString("file"))
            try reader.finish()
            return .file(file)
        }
        let encoder = try reader.string("encoder", oneOf: ["minilm"], default: "minilm")
        let prompt = try reader.string("prompt") ?? "a photo of a {}"
        guard prompt.contains("{}") else {
            throw ManifestError("label_embedding.prompt must contain {} where the label goes, got \"\(prompt)\"")
        }
        let modelDirectory = try reader.string("model_dir").map(resolve)
        try reader.finish()
        return .encoder(name: encoder, prompt: prompt, modelDirectory: modelDirectory)
    }

    private static func decodeNayer(_ root: inout ObjectReader) throws -> Nayer {
        var nayer = Nayer()
        guard var reader = try root.object("nayer") else { return nayer }
        nayer.epochs = try reader.integer("epochs", default: nayer.epochs, minimum: 1, maximum: 100_000)
        nayer.warmup = try reader.integer("warmup", default: nayer.warmup, minimum: 0, maximum: 100_000)
        guard nayer.warmup < nayer.epochs else {
            throw ManifestError("nayer.warmup (\(nayer.warmup)) must be less than nayer.epochs (\(nayer.epochs)) so that distillation happens")
        }
        nayer.generatorSteps = try reader.integer("g_steps", default: nayer.generatorSteps, minimum: 1, maximum: 100_000)
        nayer.generatorLoops = try reader.integer("g_loops", default: nayer.generatorLoops, minimum: 1, maximum: 10_000)
        nayer.warmupGeneratorLoops = try reader.integer("gwp_loops", default: nayer.warmupGeneratorLoops, minimum: 0, maximum: 10_000)
        nayer.generatorLife = try reader.integer("g_life", default: nayer.generatorLife, minimum: 1, maximum: 100_000)
        nayer.generatorLearningRate = try reader.number("lr_g", default: nayer.generatorLearningRate, range: 0...10, exclusiveMinimum: true)
        nayer.adversarialWeight = try reader.number("adv", default: nayer.adversarialWeight, range: 0...1e6)
        nayer.batchNormWeight = try reader.number("bn", default: nayer.batchNormWeight, range: 0...1e6)
        nayer.oneHotWeight = try reader.number("oh", default: nayer.oneHotWeight, range: 0...1e6)
        nayer.batchNormMomentum = try reader.number("bn_mmt", default: nayer.batchNormMomentum, range: 0...0.999999)
        nayer.synthesisBatchSize = try reader.integer("synthesis_batch_size", default: nayer.synthesisBatchSize, minimum: 2, maximum: 100_000)
        nayer.noisyLayerWidth = try reader.integer("le_emb_size", default: nayer.noisyLayerWidth, minimum: 1, maximum: 100_000)
        nayer.generatorFeatures = try reader.integer("ngf", default: nayer.generatorFeatures, minimum: 1, maximum: 4096)
        nayer.bankCapacity = try reader.integer("bank_capacity", default: nayer.bankCapacity, minimum: 1, maximum: 100_000_000)
        nayer.bankEviction = BankEviction(rawValue: try reader.string("bank_eviction", oneOf: ["oldest", "reservoir"], default: "oldest"))!
        nayer.generatorInput = GeneratorInput(rawValue: try reader.string("generator_input", oneOf: ["lte", "onehot", "noise"], default: "lte"))!
        nayer.noisyLayer = try reader.bool("noisy_layer", default: nayer.noisyLayer)
        nayer.grayscale = try reader.bool("grayscale", default: nayer.grayscale)
        nayer.agreementBatchSize = try reader.integer("agreement_batch_size", default: nayer.agreementBatchSize, minimum: 1, maximum: 100_000)
        try reader.finish()
        return nayer
    }

    private static func decodeDistillation(_ root: inout ObjectReader) throws -> KnowledgeDistillation {
        var kd = KnowledgeDistillation()
        guard var reader = try root.object("kd") else { return kd }
        kd.batchSize = try reader.integer("batch_size", default: kd.batchSize, minimum: 1, maximum: 100_000)
        kd.steps = try reader.integer("kd_steps", default: kd.steps, minimum: 1, maximum: 10_000_000)
        kd.learningRate = try reader.number("lr", default: kd.learningRate, range: 0...100, exclusiveMinimum: true)
        kd.minimumLearningRate = try reader.number("eta_min", default: kd.minimumLearningRate, range: 0...100)
        guard kd.minimumLearningRate <= kd.learningRate else {
            throw ManifestError("kd.eta_min (\(kd.minimumLearningRate)) must not exceed kd.lr (\(kd.learningRate))")
        }
        kd.temperature = try reader.number("temperature", default: kd.temperature, range: 0...1e4, exclusiveMinimum: true)
        kd.momentum = try reader.number("momentum", default: kd.momentum, range: 0...0.999999)
        kd.weightDecay = try reader.number("weight_decay", default: kd.weightDecay, range: 0...1)
        try reader.finish()
        return kd
    }

    private static func decodeEvaluation(_ root: inout ObjectReader, resolve: (String) -> String) throws -> Evaluation? {
        guard var reader = try root.object("eval") else { return nil }
        let datasets = ["fashion-mnist", "mnist", "cifar10", "cifar100"]
        let dataset = try reader.requiredString("dataset")
        guard datasets.contains(dataset) else {
            throw ManifestError("eval.dataset must be one of \(datasets.joined(separator: ", ")), got \"\(dataset)\"")
        }
        let path = try reader.string("path").map(resolve)
        let batchSize = try reader.integer("batch_size", default: 500, minimum: 1, maximum: 100_000)
        try reader.finish()
        return Evaluation(dataset: dataset, path: path, batchSize: batchSize)
    }

    private static func jsonErrorSummary(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
