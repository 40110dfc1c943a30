import Autograd
import Datasets
import Foundation
import Models
import NN
import SafeTensors
import Tensor

/// What a job needs besides its manifest: the teacher with its weights, the label
/// inputs of the generator, and (optionally) labelled test data. Loaded and checked once
/// before training, so a bad teacher file fails the job with a clear error at the start.
public struct JobResources {
    public let teacher: any Layer
    /// [K, d] rows the generator starts from: label-text embeddings, or one-hot rows.
    /// Nil for the noise ablation, which draws fresh inputs every loop.
    public let generatorInputs: Tensor?
    public let evaluationSet: LabeledImages?

    public init(teacher: any Layer, generatorInputs: Tensor?, evaluationSet: LabeledImages?) {
        self.teacher = teacher
        self.generatorInputs = generatorInputs
        self.evaluationSet = evaluationSet
    }

    /// Loads the teacher (strictly: every key and shape must match the architecture),
    /// the label embeddings and the test set that `spec` names. `embedLabels` computes
    /// label-text embeddings with the built-in encoder when the manifest asks for it.
    public static func load(spec: JobSpec, embedLabels: (JobSpec) throws -> Tensor) throws -> JobResources {
        var random = RandomGenerator(seed: spec.seed)
        let teacher = try ModelZoo.make(spec.teacher.architecture, classCount: spec.classCount,
                                        inputChannels: spec.inputShape[0], random: &random)
        let weightsPath = spec.teacher.weights ?? ""
        let file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: weightsPath))
        try teacher.load(stateDictionary: file.tensors, source: weightsPath)
        guard !ModelZoo.batchNormLayers(of: teacher).isEmpty else {
            throw ManifestError("teacher.arch \(spec.teacher.architecture) has no BatchNorm layers; NAYER needs their running statistics")
        }
        // Only the name is checked here; the trainer builds the student itself.
        _ = try ModelZoo.canonicalName(spec.student.architecture)

        let inputs: Tensor?
        switch spec.nayer.generatorInput {
        case .labelTextEmbedding:
            inputs = try labelEmbeddings(spec: spec, embedLabels: embedLabels)
        case .oneHot:
            var identity = Tensor(zeros: [spec.classCount, spec.classCount])
            identity.withUnsafeMutableBufferPointer { for k in 0..<spec.classCount { $0[k * spec.classCount + k] = 1 } }
            inputs = identity
        case .noise:
            inputs = nil
        }

        var evaluationSet: LabeledImages?
        if let evaluation = spec.evaluation {
            let text = evaluation.path.map { "\(evaluation.dataset):\($0)" } ?? evaluation.dataset
            evaluationSet = try DatasetLocation(parsing: text).load(.test)
            guard evaluationSet!.classCount == spec.classCount else {
                throw ManifestError("eval.dataset \(evaluation.dataset) has \(evaluationSet!.classCount) classes but the teacher has \(spec.classCount)")
            }
        }
        return JobResources(teacher: teacher, generatorInputs: inputs, evaluationSet: evaluationSet)
    }

    private static func labelEmbeddings(spec: JobSpec, embedLabels: (JobSpec) throws -> Tensor) throws -> Tensor {
        switch spec.labelEmbedding {
        case .file(let path):
            let file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: path))
            let table = try file.tensor("lte", source: path)
            guard table.rank == 2, table.shape[0] == spec.classCount, table.shape[1] > 0 else {
                throw ManifestError("\(path): tensor 'lte' must be [\(spec.classCount), d] (one row per label), got \(table.shape)")
            }
            return table
        case .encoder:
            return try embedLabels(spec)
        }
    }
}
