import Distill
import Tensor

/// Label-text embeddings from the built-in encoder, for manifests whose
/// `label_embedding` names an encoder rather than a file.
enum LabelEncoding {
    static let unavailable = ManifestError(
        "label_embedding: the built-in text encoder is not available in this build; "
            + "use label_embedding.file with a precomputed tensor (nayerd embed-labels)")

    /// Throws when the manifest's encoder cannot run here; the validator calls it so
    /// such a job is rejected at submission instead of failing in its worker.
    static func checkAvailable(for spec: JobSpec) throws {
        guard case .encoder = spec.labelEmbedding, spec.nayer.generatorInput == .labelTextEmbedding else { return }
        throw unavailable
    }

    /// The closure `JobResources.load` takes.
    static func embed(_ spec: JobSpec) throws -> Tensor {
        throw unavailable
    }
}
