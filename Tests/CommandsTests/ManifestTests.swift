import TestSupport
import Distill
import Foundation
import Testing
import Commands

@Suite struct ManifestTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedExampleIsAValidManifest() throws {
        let url = Self.repository.appendingPathComponent("spool/examples/fmnist-resnet20-to-wrn16_1.json")
        let spec = try JobSpec.load(contentsOf: url)
        #expect(spec.id == "fmnist-resnet20-to-wrn16_1")
        #expect(spec.teacher.weights == Self.repository.appendingPathComponent("teachers/fmnist-resnet20.safetensors").path)
        #expect(spec.teacher.architecture == "resnet20" && spec.student.architecture == "wrn16_1")
        #expect(spec.labels.count == 10 && spec.classCount == 10)
        #expect(spec.normalization.mean == [0.2860, 0.2860, 0.2860])
        #expect(spec.labelEmbedding == .encoder(name: "minilm", prompt: "a photo of a {}", modelDirectory: nil))
        #expect(spec.evaluation?.dataset == "fashion-mnist")
        #expect(spec.nayer.grayscale)
    }

    /// The daemon runs a rewritten manifest from the job directory: it must describe
    /// exactly the job the user submitted, with every path still pointing at the same file.
    @Test func resolvedManifestDescribesTheSameJobFromAnotherDirectory() throws {
        let files = try TinyJobFiles(label: "resolve")
        let text = #"""
        {"teacher": {"arch": "resnet8", "weights": "teacher.safetensors", "input": [3, 8, 8],
                     "normalize": {"mean": [0.1, 0.2, 0.3], "std": [0.35]}},
         "student": {"arch": "resnet8"}, "labels": ["cat \"tabby\"", "dog\n", "ü"],
         "label_embedding": {"file": "./lte.safetensors"},
         "nayer": {"lr_g": 0.004, "adv": 1.33, "bn_mmt": 0.9, "noisy_layer": false, "epochs": 3, "warmup": 1},
         "kd": {"eta_min": 2e-4, "lr": 0.2, "weight_decay": 1e-05},
         "eval": {"dataset": "mnist", "path": "."}, "seed": 1234567}
        """#
        let url = try files.writeManifest(text, name: "from-name.json")
        let original = try JobSpec.load(contentsOf: url)
        let summary = try DistillManifestValidator().validate(manifestAt: url)
        #expect(summary.jobIdentifier == "from-name")
        let resolved = try #require(summary.resolvedManifest)
        let rerun = try JobSpec.decode(resolved, defaultId: "manifest", baseDirectory: URL(fileURLWithPath: "/elsewhere"))
        #expect(rerun == original)
        #expect(rerun.id == "from-name")
        #expect(rerun.teacher.weights == files.teacher.path)
        #expect(rerun.labelEmbedding == .file(files.embeddings.path))
        #expect(rerun.evaluation?.path == files.directory.standardizedFileURL.path)
    }

    @Test func validatorNamesTheFieldOfAnUnknownStudent() throws {
        let files = try TinyJobFiles(label: "validator")
        let url = try files.writeManifest(files.manifest(id: "v").replacingOccurrences(
            of: #""student": {"arch": "resnet8"}"#, with: #""student": {"arch": "resnet9000"}"#), name: "v.json")
        #expect { try DistillManifestValidator().validate(manifestAt: url) } throws: {
            "\($0)".hasPrefix("student.arch: unknown architecture 'resnet9000'")
        }
        let good = try files.writeManifest(files.manifest(id: "ok"), name: "ok.json")
        let summary = try DistillManifestValidator().validate(manifestAt: good)
        #expect(summary.jobIdentifier == "ok")
        #expect(summary.resolvedManifest != nil)
    }
}
