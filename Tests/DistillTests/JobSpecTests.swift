import Distill
import Foundation
import Testing

private let base = URL(fileURLWithPath: "/srv/jobs")

private func decode(_ json: String, id: String = "job") throws -> JobSpec {
    try JobSpec.decode(Data(json.utf8), defaultId: id, baseDirectory: base)
}

private let minimal = #"""
{"teacher": {"arch": "resnet20", "weights": "teachers/t.safetensors"},
 "student": {"arch": "wrn16_1"}, "labels": ["a", "b", "c"]}
"""#

/// The minimal manifest with `fragment` spliced in as extra top-level keys.
private func withKeys(_ fragment: String) -> String {
    minimal.replacingOccurrences(of: #""labels": ["a", "b", "c"]}"#, with: #""labels": ["a", "b", "c"], "# + fragment + "}")
}

@Suite struct JobSpecTests {
    @Test func minimalManifestGetsTheReferenceDefaults() throws {
        let spec = try decode(minimal, id: "from-file-name")
        #expect(spec.id == "from-file-name")
        #expect(spec.teacher.weights == "/srv/jobs/teachers/t.safetensors")
        #expect(spec.classCount == 3)
        #expect(spec.inputShape == [3, 32, 32])
        #expect(spec.normalization == JobSpec.cifar10Normalization)
        #expect(spec.nayer == JobSpec.Nayer())
        #expect(spec.nayer.generatorSteps == 30 && spec.nayer.warmup == 20 && spec.nayer.synthesisBatchSize == 400)
        #expect(spec.distillation.batchSize == 512 && spec.distillation.temperature == 20)
        #expect(spec.labelEmbedding == .encoder(name: "minilm", prompt: "a photo of a {}", modelDirectory: nil))
        #expect(spec.evaluation == nil)
        #expect(spec.checkpointIntervalSeconds == 120)
    }

    @Test func designExampleDecodes() throws {
        let json = #"""
        { "id": "fmnist-resnet20-to-resnet8",
          "teacher": { "arch": "resnet20", "weights": "/abs/fmnist-resnet20.safetensors",
                       "num_classes": 3, "input": [3, 32, 32],
                       "normalize": { "mean": [0.286, 0.286, 0.286], "std": [0.353] } },
          "student": { "arch": "resnet8" },
          "labels": ["T-shirt/top", "Trouser", "Pullover"],
          "label_embedding": { "encoder": "minilm", "prompt": "a photo of a {}" },
          "nayer": { "epochs": 120, "warmup": 20, "g_steps": 30, "g_loops": 2, "gwp_loops": 10,
                     "g_life": 10, "lr_g": 0.004, "adv": 1.33, "bn": 10, "oh": 0.5, "bn_mmt": 0.9,
                     "synthesis_batch_size": 400, "le_emb_size": 1000, "ngf": 64, "bank_capacity": 100000,
                     "generator_input": "onehot", "noisy_layer": false },
          "kd": { "batch_size": 512, "kd_steps": 400, "lr": 0.2, "eta_min": 0.0002,
                  "temperature": 20, "momentum": 0.9, "weight_decay": 0.0001 },
          "eval": { "dataset": "fashion-mnist", "path": "/usr/share/datasets/fashion-mnist" },
          "checkpoint": { "every_seconds": 60 }, "seed": 7, "threads": 2 }
        """#
        let spec = try decode(json)
        #expect(spec.id == "fmnist-resnet20-to-resnet8")
        #expect(spec.normalization.standardDeviation == [0.353, 0.353, 0.353])
        #expect(spec.nayer.generatorInput == .oneHot)
        #expect(!spec.nayer.noisyLayer)
        #expect(spec.evaluation?.dataset == "fashion-mnist")
        #expect(spec.seed == 7 && spec.threads == 2 && spec.checkpointIntervalSeconds == 60)
    }

    @Test func grayscaleIsOffByDefaultAndCanBeSwitchedOn() throws {
        #expect(try !decode(minimal).nayer.grayscale)
        #expect(try decode(withKeys(#""nayer": {"grayscale": true}"#)).nayer.grayscale)
    }

    @Test func labelEmbeddingFileResolvesRelativeToTheManifest() throws {
        let spec = try decode(withKeys(#""label_embedding": {"file": "lte/clip.safetensors"}"#))
        #expect(spec.labelEmbedding == .file("/srv/jobs/lte/clip.safetensors"))
    }

    private static let rejected: [(String, String)] = [
        ("", "the manifest is empty"),
        ("{not json", "the manifest is not valid JSON"),
        ("[1]", "the manifest must be a JSON object"),
        (withKeys(#""nayer": {"g_steps": -3}"#), "nayer.g_steps must be a positive integer, got -3"),
        (withKeys(#""nayer": {"g_steps": 2.5}"#), "nayer.g_steps must be a positive integer, got 2.5"),
        (withKeys(#""nayer": {"g_steps": "30"}"#), #"nayer.g_steps must be a positive integer, got "30""#),
        (withKeys(#""nayer": {"noisy_layer": 1}"#), "nayer.noisy_layer must be true or false, got 1"),
        (withKeys(#""nayer": {"grayscale": "yes"}"#), #"nayer.grayscale must be true or false, got "yes""#),
        (withKeys(#""nayer": {"gsteps": 3}"#), "unknown key nayer.gsteps"),
        (withKeys(#""colour": "red""#), "unknown key colour"),
        (withKeys(#""nayer": {"warmup": 200}"#), "nayer.warmup (200) must be less than nayer.epochs (120)"),
        (withKeys(#""nayer": {"generator_input": "clip"}"#), #"nayer.generator_input must be one of lte, onehot, noise, got "clip""#),
        (withKeys(#""kd": {"lr": 0}"#), "kd.lr must be greater than 0"),
        (withKeys(#""kd": {"eta_min": 1}"#), "kd.eta_min (1.0) must not exceed kd.lr (0.2)"),
        (withKeys(#""id": "../escape""#), "id must be 1-64 characters"),
        (withKeys(#""id": ".hidden""#), "id must be 1-64 characters"),
        (withKeys(#""eval": {"dataset": "imagenet"}"#), #"eval.dataset must be one of"#),
        (withKeys(#""label_embedding": {"prompt": "no placeholder"}"#), "label_embedding.prompt must contain {}"),
        (withKeys(#""label_embedding": {"file": "x", "prompt": "a {}"}"#), "either file or encoder/prompt"),
        (#"{"student": {"arch": "r"}, "labels": ["a","b"]}"#, "teacher is required"),
        (#"{"teacher": {"arch": "r", "weights": "w"}, "student": {"arch": "s"}, "labels": ["a"]}"#, "labels must name at least 2 classes"),
        (#"{"teacher": {"arch": "r", "weights": "w", "num_classes": 5}, "student": {"arch": "s"}, "labels": ["a","b"]}"#,
         "teacher.num_classes is 5 but labels has 2 names"),
        (#"{"teacher": {"arch": "r", "weights": "w", "input": [3, 30, 30]}, "student": {"arch": "s"}, "labels": ["a","b"]}"#,
         "teacher.input must be [channels (1-4), height, width]"),
        (#"{"teacher": {"arch": "r", "weights": "w", "normalize": {"mean": [0.5, 0.5], "std": [1]}}, "student": {"arch": "s"}, "labels": ["a","b"]}"#,
         "teacher.normalize.mean must have 1 or 3 values, got 2"),
        (#"{"teacher": {"arch": "", "weights": "w"}, "student": {"arch": "s"}, "labels": ["a","b"]}"#, "teacher.arch must not be empty"),
    ]

    @Test(arguments: 0..<rejected.count)
    func invalidManifestNamesTheField(_ index: Int) {
        let (json, phrase) = Self.rejected[index]
        #expect {
            try decode(json)
        } throws: { error in
            error is ManifestError && "\(error)".contains(phrase)
        }
    }

    @Test func oversizedManifestFileIsRefusedBeforeReading() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobspec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("big.json")
        try Data(repeating: 0x20, count: JobSpec.maximumManifestBytes + 1).write(to: url)
        #expect { try JobSpec.load(contentsOf: url) } throws: { "\($0)".contains("may be at most") }
    }
}
