import Foundation
import SafeTensors
import Tensor

/// One linear map in PyTorch layout: weight [out, in], bias [out].
struct DenseWeights: Sendable {
    let weight: Tensor
    let bias: Tensor

    func callAsFunction(_ input: Tensor) -> Tensor {
        MatmulKernels.linear(input: input, weight: weight, bias: bias)
    }
}

/// LayerNorm's affine parameters, both [hidden].
struct LayerNormWeights: Sendable {
    let weight: Tensor
    let bias: Tensor
}

/// The weights of one transformer layer.
struct BertLayerWeights: Sendable {
    /// query, key and value stacked into one [3 * hidden, hidden] map, so the three
    /// projections are a single gemm and attention reads q, k, v side by side in a row.
    let queryKeyValue: DenseWeights
    let attentionOutput: DenseWeights
    let attentionNorm: LayerNormWeights
    let intermediate: DenseWeights
    let output: DenseWeights
    let outputNorm: LayerNormWeights
}

/// Every tensor of a BertModel checkpoint that the forward pass uses, checked against
/// config.json. The pooler and `position_ids` are ignored: sentence-transformers uses
/// neither.
struct BertWeights: Sendable {
    let wordEmbeddings: Tensor
    let positionEmbeddings: Tensor
    /// Row 0 of token_type_embeddings: every token is in segment 0.
    let tokenTypeEmbedding: Tensor
    let embeddingNorm: LayerNormWeights
    let layers: [BertLayerWeights]

    /// Reads `url` strictly: a missing tensor or a shape that config.json does not
    /// imply throws an error naming the file and the tensor.
    init(contentsOf url: URL, configuration: BertConfiguration) throws {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile.read(contentsOf: url)
        } catch let error as SafeTensorsError {
            throw TextEncoderError.unreadableWeights(error)
        }
        try self.init(file: file, path: url.path, configuration: configuration)
    }

    init(file: SafeTensorsFile, path: String, configuration c: BertConfiguration) throws {
        let reader = TensorReader(file: file, path: path)
        let hidden = c.hiddenSize
        wordEmbeddings = try reader.tensor("embeddings.word_embeddings.weight", shape: [c.vocabSize, hidden])
        positionEmbeddings = try reader.tensor(
            "embeddings.position_embeddings.weight", shape: [c.maxPositionEmbeddings, hidden])
        tokenTypeEmbedding = ShapeKernels.indexSelect(
            try reader.tensor("embeddings.token_type_embeddings.weight", shape: [c.typeVocabSize, hidden]),
            rows: [0]).reshaped([hidden])
        embeddingNorm = try reader.layerNorm("embeddings.LayerNorm", width: hidden)
        layers = try (0..<c.numHiddenLayers).map { index in
            let prefix = "encoder.layer.\(index)."
            let projections = try ["query", "key", "value"].map { name in
                try reader.dense(prefix + "attention.self.\(name)", outputs: hidden, inputs: hidden)
            }
            return BertLayerWeights(
                queryKeyValue: DenseWeights(
                    weight: ShapeKernels.concat(projections.map(\.weight), axis: 0),
                    bias: ShapeKernels.concat(projections.map(\.bias), axis: 0)),
                attentionOutput: try reader.dense(prefix + "attention.output.dense", outputs: hidden, inputs: hidden),
                attentionNorm: try reader.layerNorm(prefix + "attention.output.LayerNorm", width: hidden),
                intermediate: try reader.dense(prefix + "intermediate.dense", outputs: c.intermediateSize, inputs: hidden),
                output: try reader.dense(prefix + "output.dense", outputs: hidden, inputs: c.intermediateSize),
                outputNorm: try reader.layerNorm(prefix + "output.LayerNorm", width: hidden))
        }
    }
}

/// Looks tensors up by their BertModel names, with or without the `bert.` prefix that
/// checkpoints saved from BertFor* heads carry.
private struct TensorReader {
    let file: SafeTensorsFile
    let path: String
    let prefix: String

    init(file: SafeTensorsFile, path: String) {
        self.file = file
        self.path = path
        let bare = file.tensors["embeddings.word_embeddings.weight"] != nil
        prefix = !bare && file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
    }

    func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let key = prefix + name
        guard let tensor = file.tensors[key] else {
            throw TextEncoderError.missingWeight(path: path, tensor: key)
        }
        guard tensor.shape == shape else {
            throw TextEncoderError.weightShapeMismatch(path: path, tensor: key, expected: shape, actual: tensor.shape)
        }
        return tensor
    }

    func dense(_ name: String, outputs: Int, inputs: Int) throws -> DenseWeights {
        DenseWeights(weight: try tensor(name + ".weight", shape: [outputs, inputs]),
                     bias: try tensor(name + ".bias", shape: [outputs]))
    }

    func layerNorm(_ name: String, width: Int) throws -> LayerNormWeights {
        LayerNormWeights(weight: try tensor(name + ".weight", shape: [width]),
                         bias: try tensor(name + ".bias", shape: [width]))
    }
}
