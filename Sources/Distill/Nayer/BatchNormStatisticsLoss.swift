import Autograd
import NN
import Tensor

/// NAYER's BN-statistics loss (the reference's DeepInversionHook): for every BatchNorm2d
/// of the teacher, the per-channel mean and biased variance of the layer's INPUT over
/// (N, H, W) are pulled towards the layer's running statistics:
///
///   L_bn = sum_l || running_var_l - var_l ||_2 + || running_mean_l - mean_l ||_2
///
/// With momentum m != 0, after the first synthesis loop the batch statistics are blended
/// with momentum statistics: mean <- (1 - m) mean + m mmt_mean (same for var); after each
/// loop mmt <- m mmt + (1 - m) current, initialised to the first loop's statistics.
public final class BatchNormStatisticsLoss {
    public let layers: [BatchNorm]
    public let momentum: Float
    /// Momentum statistics per layer; nil until the first loop has ended.
    public private(set) var momentumStatistics: [(mean: Tensor, variance: Tensor)]?
    /// Statistics of the latest teacher forward, per layer: what the next momentum
    /// update folds in.
    public private(set) var latestStatistics: [(mean: Tensor, variance: Tensor)] = []
    private var terms: [Variable] = []

    public init(layers: [BatchNorm], momentum: Float) {
        self.layers = layers
        self.momentum = momentum
    }

    /// Restores momentum statistics from a checkpoint.
    public func restore(momentumStatistics: [(mean: Tensor, variance: Tensor)]?) {
        precondition(momentumStatistics == nil || momentumStatistics!.count == layers.count,
                     "momentum statistics for \(momentumStatistics!.count) layers, teacher has \(layers.count)")
        self.momentumStatistics = momentumStatistics
    }

    /// Runs `forward` (a teacher forward pass) while collecting the loss terms; returns
    /// its result and the summed loss.
    ///
    /// The observers hang on the teacher's layers only during `forward`: a layer with an
    /// observer runs unfused (see `normalizedConvolution`), and outside synthesis (the KD
    /// step's teacher forward, evaluation) nothing needs to watch it.
    public func collect<R>(_ forward: () -> R) -> (result: R, loss: Variable) {
        terms = []
        latestStatistics = []
        for (index, layer) in layers.enumerated() {
            layer.inputObserver = { [unowned self] input in self.observe(layer: index, input: input) }
        }
        let result = forward()
        for layer in layers { layer.inputObserver = nil }
        precondition(terms.count == layers.count, "teacher forward reached \(terms.count) of \(layers.count) batch-norm layers")
        var total = terms[0]
        for term in terms.dropFirst() { total = total + term }
        terms = []
        return (result, total)
    }

    private func observe(layer index: Int, input: Variable) {
        let (mean, variance) = channelMeanAndVariance(input)
        latestStatistics.append((mean.value, variance.value))
        let running = layers[index].statistics
        var blendedMean = mean
        var blendedVariance = variance
        if let momentumStatistics, momentum != 0 {
            blendedMean = (1 - momentum) * mean + momentum * Variable(momentumStatistics[index].mean)
            blendedVariance = (1 - momentum) * variance + momentum * Variable(momentumStatistics[index].variance)
        }
        terms.append(l2Norm(Variable(running.variance) - blendedVariance) + l2Norm(Variable(running.mean) - blendedMean))
    }

    /// The end-of-loop momentum update, from the statistics of the loop's last forward.
    public func updateMomentum() {
        guard momentum != 0, latestStatistics.count == layers.count else { return }
        guard let previous = momentumStatistics else {
            momentumStatistics = latestStatistics.map { ($0.mean.copied(), $0.variance.copied()) }
            return
        }
        let m = momentum
        momentumStatistics = zip(previous, latestStatistics).map { old, current in
            (Elementwise.zip(old.mean, current.mean) { m * $0 + (1 - m) * $1 },
             Elementwise.zip(old.variance, current.variance) { m * $0 + (1 - m) * $1 })
        }
    }
}
