import Datasets
import Distill
import FileSystem
import Foundation
import Models
import NN
import SafeTensors
import Service
import Tensor
import TextEncoder

/// Checks a manifest before it is queued: the schema (strictly, through `JobSpec`),
/// that the teacher file loads into its architecture key for key, that the student
/// architecture exists, and that the label-embedding and evaluation inputs are there.
/// Errors name the field at fault; they become `rejected/ID.error.txt`.
public struct DistillManifestValidator: ManifestValidator {
    public init() {}

    public func validate(manifestAt url: URL) throws -> ManifestSummary {
        let spec = try JobSpec.load(contentsOf: url)
        try Self.checkInputs(of: spec)
        let data = try Data(DurableFile.read(url.path))
        return ManifestSummary(jobIdentifier: spec.id, resolvedManifest: try ResolvedManifest.make(from: data, spec: spec))
    }

    /// Everything the worker will read, checked now so a bad job never reaches a worker.
    static func checkInputs(of spec: JobSpec) throws {
        var random = RandomGenerator(seed: 0)
        let teacher = try field("teacher.arch") {
            try ModelZoo.make(spec.teacher.architecture, classCount: spec.classCount,
                              inputChannels: spec.inputShape[0], random: &random)
        }
        _ = try field("student.arch") { try ModelZoo.canonicalName(spec.student.architecture) }
        for (name, architecture) in [("teacher.arch", spec.teacher.architecture), ("student.arch", spec.student.architecture)] {
            let minimum = ModelZoo.minimumInputSize(architecture)
            guard spec.inputShape[1] >= minimum, spec.inputShape[2] >= minimum else {
                throw ManifestError("\(name) \(architecture) needs inputs of at least \(minimum)x\(minimum), "
                                    + "but teacher.input is \(spec.inputShape)")
            }
        }
        let weights = spec.teacher.weights ?? ""
        try requireRegularFile(weights, field: "teacher.weights")
        try field("teacher.weights") {
            let file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: weights))
            try teacher.load(stateDictionary: file.tensors, source: weights)
        }
        guard !ModelZoo.batchNormLayers(of: teacher).isEmpty else {
            throw ManifestError("teacher.arch \(spec.teacher.architecture) has no BatchNorm layers; "
                                + "NAYER needs their running statistics")
        }
        if spec.nayer.generatorInput == .labelTextEmbedding {
            switch spec.labelEmbedding {
            case .file(let path):
                try requireRegularFile(path, field: "label_embedding.file")
                let table = try field("label_embedding.file") {
                    try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: path)).tensor("lte", source: path)
                }
                guard table.rank == 2, table.shape[0] == spec.classCount, table.shape[1] > 0 else {
                    throw ManifestError("label_embedding.file: tensor 'lte' in \(path) must be [\(spec.classCount), d] "
                                        + "(one row per label), got \(table.shape)")
                }
            case .encoder(_, _, let modelDirectory):
                // Only that the model is installed; the embeddings are computed once, by the worker.
                _ = try field("label_embedding") { try MiniLMModelDirectory.locate(explicit: modelDirectory) }
            }
        }
        if let evaluation = spec.evaluation {
            let location = try field("eval") {
                try DatasetLocation(parsing: evaluation.path.map { "\(evaluation.dataset):\($0)" } ?? evaluation.dataset)
            }
            guard try FileStatus.isDirectory(location.directory) else {
                throw ManifestError("eval.path: \(location.directory) is not a directory")
            }
        }
    }

    private static func requireRegularFile(_ path: String, field name: String) throws {
        guard let status = try FileStatus.of(path, followingLinks: true) else {
            throw ManifestError("\(name): no file at \(path)")
        }
        guard status.kind == .regular else { throw ManifestError("\(name): \(path) is not a regular file") }
    }

    /// Runs `body`, prefixing any error with the manifest field it concerns.
    private static func field<Result>(_ name: String, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError("\(name): \(error)")
        }
    }
}
