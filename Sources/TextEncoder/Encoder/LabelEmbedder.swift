import Foundation
import Tensor

/// Text in, all-MiniLM-L6-v2 sentence embeddings out: the tokenizer and the encoder
/// together, as `SentenceTransformer("all-MiniLM-L6-v2").encode(texts,
/// normalize_embeddings=True)` would produce them. NAYER's label-text embeddings (LTE)
/// are these vectors for one prompt per class.
public struct LabelEmbedder: Sendable {
    public static let placeholder = "{}"

    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder

    public init(modelDirectory: MiniLMModelDirectory) throws {
        try self.init(tokenizer: modelDirectory.makeTokenizer(), encoder: BertEncoder(modelDirectory: modelDirectory))
    }

    public init(tokenizer: WordPieceTokenizer, encoder: BertEncoder) {
        self.tokenizer = tokenizer
        self.encoder = encoder
    }

    /// Embedding width (384 for MiniLM-L6).
    public var dimension: Int { encoder.configuration.hiddenSize }

    /// [texts.count, dimension], each row of unit length. Texts longer than the model's
    /// sequence length are truncated, as sentence-transformers does.
    public func embed(_ texts: [String]) throws -> Tensor {
        try encoder.sentenceEmbeddings(texts.map(tokenizer.encode))
    }

    /// One row per label: the embedding of `prompt` with every "{}" replaced by the
    /// label, e.g. "a photo of a {}" -> "a photo of a cat".
    public func labelEmbeddings(labels: [String], prompt: String) throws -> Tensor {
        guard prompt.contains(Self.placeholder) else {
            throw TextEncoderError.promptWithoutPlaceholder(prompt: prompt)
        }
        return try embed(labels.map { prompt.replacingOccurrences(of: Self.placeholder, with: $0) })
    }
}
