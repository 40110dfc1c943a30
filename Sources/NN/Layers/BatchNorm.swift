import Autograd
import Tensor

/// torch.nn.BatchNorm1d / BatchNorm2d (the op handles both input ranks): batch statistics
/// and a running-average update in train mode, running statistics in eval mode.
public final class BatchNorm: Module, Layer {
    public let weight: Variable?
    public let bias: Variable?
    public let statistics: BatchNormStatistics
    public let momentum: Float
    public let epsilon: Float

    /// Called with this layer's input on every forward pass. NAYER's BN-statistics loss
    /// hangs off the teacher's layers here, as the reference does with forward hooks.
    public var inputObserver: ((Variable) -> Void)?

    public init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
        weight = affine ? Variable(Tensor(shape: [features], repeating: 1), requiresGrad: true) : nil
        bias = affine ? Variable(Tensor(zeros: [features]), requiresGrad: true) : nil
        statistics = BatchNormStatistics(channels: features)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var features: Int { statistics.channels }

    public override var localParameters: [(name: String, variable: Variable)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    public override var localBuffers: [NamedBuffer] {
        let statistics = statistics
        return [
            NamedBuffer("running_mean", read: { statistics.mean }, write: { statistics.mean = $0 }),
            NamedBuffer("running_var", read: { statistics.variance }, write: { statistics.variance = $0 }),
            NamedBuffer("num_batches_tracked", read: { Tensor(scalar: Float(statistics.batchesTracked)) },
                        write: { statistics.batchesTracked = Int($0.scalars.first ?? 0) }),
        ]
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        normalize(input, rectified: false)
    }

    /// relu(self(input)) as one fused op (see `batchNorm(rectified:)`).
    public func reluOfNormalized(_ input: Variable) -> Variable {
        normalize(input, rectified: true)
    }

    private func normalize(_ input: Variable, rectified: Bool) -> Variable {
        inputObserver?(input)
        return batchNorm(input, weight: weight, bias: bias, statistics: statistics, training: isTraining,
                         momentum: momentum, epsilon: epsilon, rectified: rectified)
    }
}
