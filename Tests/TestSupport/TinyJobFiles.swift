import Foundation
import Models
import NN
import SafeTensors
import Tensor

/// Inputs of a job small enough to run in seconds: a random resnet8 teacher with
/// non-trivial BN statistics on 3x8x8 images with 3 classes, and a label-embedding file.
public struct TinyJobFiles {
    public let directory: URL
    public var teacher: URL { directory.appendingPathComponent("teacher.safetensors") }
    public var embeddings: URL { directory.appendingPathComponent("lte.safetensors") }

    public init(label: String) throws {
        directory = try Fixtures.temporaryDirectory(label)
        var random = RandomGenerator(seed: 11)
        let network = try ModelZoo.make("resnet8", classCount: 3, random: &random)
        for layer in ModelZoo.batchNormLayers(of: network) {
            layer.statistics.mean = random.uniformTensor(shape: [layer.features], in: -0.2...0.2)
            layer.statistics.variance = random.uniformTensor(shape: [layer.features], in: 0.5...1.5)
        }
        try SafeTensorsFile(tensors: network.stateDictionary()).write(to: teacher)
        try SafeTensorsFile(tensors: ["lte": random.normalTensor(shape: [3, 5])]).write(to: embeddings)
    }

    /// Size of the work: `small` runs in a couple of seconds in a debug build; `long`
    /// has phases long enough to be interrupted at chosen points.
    public enum Size: Sendable {
        case small, long
        public var nayer: String {
            switch self {
            case .small:
                #""epochs": 3, "warmup": 1, "g_steps": 3, "g_loops": 1, "gwp_loops": 2, "g_life": 2"#
            case .long:
                #""epochs": 5, "warmup": 1, "g_steps": 8, "g_loops": 2, "gwp_loops": 2, "g_life": 2"#
            }
        }
        public var kdSteps: Int { self == .small ? 3 : 15 }
    }

    /// Manifest text with absolute paths, so it works from any directory.
    public func manifest(id: String?, size: Size = .small, checkpointSeconds: Int = 120, extra: String = "") -> String {
        let identifier = id.map { #""id": "\#($0)", "# } ?? ""
        return """
        {\(identifier)"teacher": {"arch": "resnet8", "weights": "\(teacher.path)", "input": [3, 8, 8]},
         "student": {"arch": "resnet8"}, "labels": ["a", "b", "c"],
         "label_embedding": {"file": "\(embeddings.path)"},
         "nayer": {\(size.nayer), "synthesis_batch_size": 7, "le_emb_size": 6, "ngf": 4,
                   "bank_capacity": 20, "agreement_batch_size": 9},
         "kd": {"batch_size": 5, "kd_steps": \(size.kdSteps)},
         "checkpoint": {"every_seconds": \(checkpointSeconds)}, "seed": 3, "threads": 1\(extra)}
        """
    }

    /// Writes a manifest file in this directory and returns its URL.
    @discardableResult
    public func writeManifest(_ text: String, name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}
