import FileSystem
import Foundation
import SafeTensors
import Tensor
import TextEncoder

extension JobResources {
    /// Resources for a job that may use the built-in MiniLM encoder. Its label-text
    /// embeddings are computed once per job and kept in the work directory
    /// (`label-embeddings.safetensors`), so a resumed job, or a later encoder version,
    /// never changes the generator's inputs halfway.
    public static func load(spec: JobSpec, workDirectory: URL) throws -> JobResources {
        try load(spec: spec) { spec in try cachedLabelEmbeddings(spec: spec, workDirectory: workDirectory) }
    }

    static func cachedLabelEmbeddings(spec: JobSpec, workDirectory: URL) throws -> Tensor {
        let cache = workDirectory.appendingPathComponent("label-embeddings.safetensors")
        if FileManager.default.fileExists(atPath: cache.path) {
            let table = try SafeTensorsFile.read(contentsOf: cache).tensor("lte", source: cache.path)
            guard table.rank == 2, table.shape[0] == spec.classCount else {
                throw ManifestError("\(cache.path) holds embeddings of shape \(table.shape), not one row per label; delete it to recompute")
            }
            return table
        }
        guard case .encoder(_, let prompt, let modelDirectory) = spec.labelEmbedding else {
            preconditionFailure("cachedLabelEmbeddings is only called for the built-in encoder")
        }
        let embedder = try LabelEmbedder(modelDirectory: try MiniLMModelDirectory.locate(explicit: modelDirectory))
        let table = try embedder.labelEmbeddings(labels: spec.labels, prompt: prompt)
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        try SafeTensorsFile(tensors: ["lte": table], metadata: ["prompt": prompt, "encoder": "all-MiniLM-L6-v2"]).write(to: cache)
        return table
    }
}
