import Foundation
import Tensor

/// The forward pass of a BERT encoder (BertModel without its pooler) followed by
/// sentence-transformers' mean pooling and L2 normalisation: what all-MiniLM-L6-v2's
/// `SentenceTransformer.encode` computes. Inference only, on Tensor kernels directly:
/// nothing here is ever differentiated, so no tape is recorded.
///
/// Batches are packed rather than padded: the sequences' tokens are stacked row after
/// row, the dense layers run once over all of them, and attention runs per sequence.
/// This is what padding plus an additive -inf mask computes, without the [PAD] work.
public struct BertEncoder: Sendable {
    public let configuration: BertConfiguration
    let weights: BertWeights

    /// Tokens per packed chunk: bounds the [tokens, intermediate] activations to a few
    /// tens of MB however many texts one call embeds.
    static let tokensPerChunk = 8192

    public init(modelDirectory: MiniLMModelDirectory) throws {
        try self.init(weightsFile: modelDirectory.weightsFile, configuration: modelDirectory.configuration)
    }

    public init(weightsFile: URL, configuration: BertConfiguration) throws {
        self.configuration = configuration
        self.weights = try BertWeights(contentsOf: weightsFile, configuration: configuration)
    }

    /// Hidden states of one token-id sequence ([CLS] ... [SEP] from the tokenizer): the
    /// embedding output, then the output of each layer, each [length, hidden] — Hugging
    /// Face's `output_hidden_states`.
    public func hiddenStates(tokenIds: [Int]) throws -> [Tensor] {
        try validate([tokenIds])
        var states: [Tensor] = []
        _ = forward(packedIds: tokenIds, sequences: PackedSequences(lengths: [tokenIds.count])) {
            states.append($0)
        }
        return states
    }

    /// The mean of each sequence's last hidden states, [sequences, hidden], before
    /// normalisation.
    public func meanPooled(_ sequences: [[Int]]) throws -> Tensor {
        try validate(sequences)
        let hidden = configuration.hiddenSize
        let result = Tensor(uninitializedShape: [sequences.count, hidden])
        var row = 0
        for chunk in Self.chunks(of: sequences) {
            let packed = PackedSequences(lengths: chunk.map(\.count))
            let states = forward(packedIds: Array(chunk.joined()), sequences: packed, observe: nil)
            SentencePooling.meanRows(of: states, sequences: packed, into: result.storage.pointer + row * hidden)
            row += chunk.count
        }
        return result
    }

    /// Sentence embeddings, [sequences, hidden], each row scaled to unit length.
    public func sentenceEmbeddings(_ sequences: [[Int]]) throws -> Tensor {
        var pooled = try meanPooled(sequences)
        SentencePooling.normalizeRows(&pooled)
        return pooled
    }

    // MARK: forward pass

    /// Last hidden states [tokens, hidden] of packed sequences; `observe` sees the
    /// embedding output and each layer's output.
    private func forward(packedIds: [Int], sequences: PackedSequences, observe: ((Tensor) -> Void)?) -> Tensor {
        var hidden = embed(packedIds, sequences: sequences)
        observe?(hidden)
        for layer in weights.layers {
            hidden = apply(layer, to: hidden, sequences: sequences)
            observe?(hidden)
        }
        return hidden
    }

    /// word + token type 0 + position embeddings, then LayerNorm, summed in the order
    /// BertEmbeddings adds them so the floats round the same way.
    private func embed(_ ids: [Int], sequences: PackedSequences) -> Tensor {
        let width = configuration.hiddenSize
        let words = ShapeKernels.indexSelect(weights.wordEmbeddings, rows: ids)
        let (sum, position) = (words.storage.pointer, weights.positionEmbeddings.storage.pointer)
        let tokenType = weights.tokenTypeEmbedding.storage.pointer
        for (offset, length) in zip(sequences.offsets, sequences.lengths) {
            for index in 0..<length {
                let row = sum + (offset + index) * width
                let positionRow = position + index * width
                for j in 0..<width { row[j] = (row[j] + tokenType[j]) + positionRow[j] }
            }
        }
        return normalize(words, weights.embeddingNorm)
    }

    private func apply(_ layer: BertLayerWeights, to input: Tensor, sequences: PackedSequences) -> Tensor {
        let context = SelfAttention.context(
            queryKeyValue: layer.queryKeyValue(input), sequences: sequences,
            heads: configuration.numAttentionHeads)
        let attended = normalize(Elementwise.sum(layer.attentionOutput(context), input), layer.attentionNorm)
        let expanded = ActivationKernels.gelu(layer.intermediate(attended))
        return normalize(Elementwise.sum(layer.output(expanded), attended), layer.outputNorm)
    }

    private func normalize(_ input: Tensor, _ norm: LayerNormWeights) -> Tensor {
        LayerNormKernels.forward(input, weight: norm.weight, bias: norm.bias,
                                 epsilon: configuration.layerNormEps).output
    }

    // MARK: input checks

    /// Ids and lengths that would index outside the embedding tables are refused here,
    /// before any kernel can trap on them.
    private func validate(_ sequences: [[Int]]) throws {
        let maximum = configuration.maxPositionEmbeddings
        for (index, ids) in sequences.enumerated() {
            guard (1...maximum).contains(ids.count) else {
                throw TextEncoderError.invalidSequenceLength(length: ids.count, sequence: index, maximum: maximum)
            }
            if let bad = ids.first(where: { !(0..<configuration.vocabSize).contains($0) }) {
                throw TextEncoderError.invalidTokenId(id: bad, sequence: index, vocabularySize: configuration.vocabSize)
            }
        }
    }

    /// Consecutive runs of sequences holding at most `tokensPerChunk` tokens (a longer
    /// single sequence gets a chunk of its own).
    static func chunks(of sequences: [[Int]]) -> [ArraySlice<[Int]>] {
        var chunks: [ArraySlice<[Int]>] = []
        var start = 0
        var tokens = 0
        for (index, ids) in sequences.enumerated() {
            if tokens + ids.count > tokensPerChunk, index > start {
                chunks.append(sequences[start..<index])
                (start, tokens) = (index, 0)
            }
            tokens += ids.count
        }
        if start < sequences.count { chunks.append(sequences[start...]) }
        return chunks
    }
}
