import Foundation
import Models
import NN
import SafeTensors
import Tensor
import TestSupport

/// Inputs of a job small enough to run in seconds: a random resnet8 teacher with
/// non-trivial BN statistics on 3x8x8 images with 3 classes, and a label-embedding file.
struct TinyJobFiles {
    let directory: URL
    var teacher: URL { directory.appendingPathComponent("teacher.safetensors") }
    var embeddings: URL { directory.appendingPathComponent("lte.safetensors") }

    init(label: String) throws {
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
    enum Size {
        case small, long
        var nayer: String {
            switch self {
            case .small:
                #""epochs": 3, "warmup": 1, "g_steps": 3, "g_loops": 1, "gwp_loops": 2, "g_life": 2"#
            case .long:
                #""epochs": 5, "warmup": 1, "g_steps": 8, "g_loops": 2, "gwp_loops": 2, "g_life": 2"#
            }
        }
        var kdSteps: Int { self == .small ? 3 : 15 }
    }

    /// Manifest text with absolute paths, so it works from any directory.
    func manifest(id: String?, size: Size = .small, checkpointSeconds: Int = 120, extra: String = "") -> String {
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
    func writeManifest(_ text: String, name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// A spool and output directory for one test.
struct SpoolDirectories {
    let root: URL
    var spool: URL { root.appendingPathComponent("spool") }
    var output: URL { root.appendingPathComponent("output") }
    var incoming: URL { spool.appendingPathComponent("incoming") }
    var active: URL { spool.appendingPathComponent("active") }
    var rejected: URL { spool.appendingPathComponent("rejected") }
    var failed: URL { spool.appendingPathComponent("failed") }
    var metrics: URL { spool.appendingPathComponent("nayerd.prom") }

    init(label: String) throws {
        root = try Fixtures.temporaryDirectory(label)
        for directory in [incoming, active, rejected, failed] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    var serveArguments: [String] { ["serve", "--spool", spool.path, "--output", output.path] }

    /// Drops a manifest the way users are told to: a dot-file first, then a rename.
    func drop(_ text: String, as name: String) throws {
        let staging = incoming.appendingPathComponent(".\(name).partial")
        try Data(text.utf8).write(to: staging)
        guard rename(staging.path, incoming.appendingPathComponent(name).path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    func finished(_ id: String) -> URL { output.appendingPathComponent(id) }

    /// Every file left under the spool and the output whose name marks it temporary.
    func temporaryFiles() -> [String] {
        var found: [String] = []
        for base in [spool, output] {
            let enumerator = FileManager.default.enumerator(atPath: base.path)
            while let relative = enumerator?.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") && name != ".keep" || name.hasSuffix(".tmp") || name.contains(".partial") {
                    found.append(relative)
                }
            }
        }
        return found
    }
}
