import Autograd
import NN
import Tensor

/// NAYER's generator ("NLGenerator" in the reference) for images of side s (s % 4 == 0):
///
///   e = embedding[label]                       [B, d]
///   e = BatchNorm1d(e)                         always batch statistics
///   v = noisy layers, K-to-1: chunk i of K rows through its own Linear(d -> width)
///   x = Linear(width -> 2ngf * (s/4)^2), reshaped to [B, 2ngf, s/4, s/4]
///   BN2d, up x2, conv3x3 (no bias), BN2d, LeakyReLU(0.2), up x2, conv3x3 (no bias),
///   BN2d, LeakyReLU(0.2), conv3x3 (bias), sigmoid  ->  images in [0, 1]
///
/// A grayscale generator's last conv makes one channel, copied into every channel of
/// `imageShape` (teachers trained on grey pictures stored as RGB).
///
/// Keys as the reference: n1, le1.I, l1.0, conv_blocks.{0,2,3,6,7,9}.
public final class NayerGenerator: Module {
    public struct Configuration: Equatable, Sendable {
        public var embeddingSize: Int
        public var classCount: Int
        public var batchSize: Int
        public var noisyLayerWidth: Int
        /// Without noisy layers (an ablation), the normalised embedding feeds `l1` directly.
        public var noisyLayers: Bool
        public var features: Int
        /// [channels, height, width] of the generated images.
        public var imageShape: [Int]
        /// One generated channel, copied into all of `imageShape`'s channels.
        public var grayscale: Bool

        public init(embeddingSize: Int, classCount: Int, batchSize: Int, noisyLayerWidth: Int,
                    noisyLayers: Bool, features: Int, imageShape: [Int], grayscale: Bool = false) {
            self.embeddingSize = embeddingSize
            self.classCount = classCount
            self.batchSize = batchSize
            self.noisyLayerWidth = noisyLayerWidth
            self.noisyLayers = noisyLayers
            self.features = features
            self.imageShape = imageShape
            self.grayscale = grayscale
        }

        /// ceil(B / K): one noisy layer per chunk of K labels.
        public var noisyLayerCount: Int { (batchSize + classCount - 1) / classCount }
    }

    public let configuration: Configuration
    let n1: BatchNorm
    public let noisyLayers: [Linear]
    let l1: Sequential
    let convBlocks: Sequential
    private let initialHeight: Int, initialWidth: Int

    public init(_ configuration: Configuration, random: inout RandomGenerator) {
        precondition(configuration.imageShape.count == 3 && configuration.imageShape[1] % 4 == 0
                     && configuration.imageShape[2] % 4 == 0, "generator image sides must be multiples of 4")
        self.configuration = configuration
        let ngf = configuration.features
        let channels = configuration.grayscale ? 1 : configuration.imageShape[0]
        initialHeight = configuration.imageShape[1] / 4
        initialWidth = configuration.imageShape[2] / 4
        n1 = BatchNorm(features: configuration.embeddingSize)
        let width = configuration.noisyLayers ? configuration.noisyLayerWidth : configuration.embeddingSize
        noisyLayers = configuration.noisyLayers
            ? (0..<configuration.noisyLayerCount).map { _ in
                Linear(inputFeatures: configuration.embeddingSize, outputFeatures: width, random: &random) }
            : []
        l1 = Sequential([Linear(inputFeatures: width, outputFeatures: 2 * ngf * initialHeight * initialWidth, random: &random)])
        convBlocks = Sequential([
            BatchNorm(features: 2 * ngf), Upsample2x(),
            Conv2d(inputChannels: 2 * ngf, outputChannels: 2 * ngf, kernelSize: 3, padding: 1, bias: false, random: &random),
            BatchNorm(features: 2 * ngf), LeakyReLU(negativeSlope: 0.2), Upsample2x(),
            Conv2d(inputChannels: 2 * ngf, outputChannels: ngf, kernelSize: 3, padding: 1, bias: false, random: &random),
            BatchNorm(features: ngf), LeakyReLU(negativeSlope: 0.2),
            Conv2d(inputChannels: ngf, outputChannels: channels, kernelSize: 3, padding: 1, random: &random),
            Sigmoid(),
        ])
    }

    public override var children: [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = [("n1", n1)]
        result += noisyLayers.enumerated().map { ("le1.\($0.offset)", $0.element) }
        return result + [("l1", l1), ("conv_blocks", convBlocks)]
    }

    /// The reference's `re_init_le`: every noisy layer gets weights ~ N(0, 1), bias 0.
    public func redrawNoisyLayers(random: inout RandomGenerator) {
        for layer in noisyLayers {
            layer.weight.value = random.normalTensor(shape: layer.weight.shape)
            layer.bias?.value = Tensor(zeros: layer.bias!.shape)
        }
    }

    /// Images [B, C, H, W] for the rows `embeddings` ([B, d], already looked up per label).
    /// Batch norm always uses batch statistics here, whatever the module's mode, as the
    /// reference keeps its generator in train mode.
    public func callAsFunction(_ embeddings: Variable) -> Variable {
        let batch = embeddings.shape[0]
        precondition(batch <= configuration.batchSize, "generator built for \(configuration.batchSize) rows, got \(batch)")
        train()
        var hidden = n1(embeddings)
        if !noisyLayers.isEmpty {
            let k = configuration.classCount
            let sizes = stride(from: 0, to: batch, by: k).map { min(k, batch - $0) }
            let chunks = sizes.count == 1 ? [hidden] : split(hidden, sizes: sizes, axis: 0)
            let mapped = zip(chunks, noisyLayers).map { chunk, layer in layer(chunk) }
            hidden = mapped.count == 1 ? mapped[0] : concat(mapped, axis: 0)
        }
        let projected = reshape(l1(hidden), [batch, 2 * configuration.features, initialHeight, initialWidth])
        let images = convBlocks(projected)
        let channels = configuration.imageShape[0]
        return images.shape[1] == channels ? images : concat(Array(repeating: images, count: channels), axis: 1)
    }
}
