import Tensor

/// The running statistics of one batch-norm layer, which a module saves as its
/// `running_mean`, `running_var` and `num_batches_tracked` buffers. A reference type
/// because every train-mode forward updates it in place, as PyTorch does.
public final class BatchNormStatistics {
    /// running_mean, shape [C].
    public var mean: Tensor
    /// running_var, shape [C]; tracks the unbiased batch variance.
    public var variance: Tensor
    /// num_batches_tracked.
    public var batchesTracked: Int

    /// PyTorch's initial state: mean 0, variance 1, no batches.
    public init(channels: Int) {
        mean = Tensor(zeros: [channels])
        variance = Tensor(shape: [channels], repeating: 1)
        batchesTracked = 0
    }

    public init(mean: Tensor, variance: Tensor, batchesTracked: Int = 0) {
        precondition(mean.rank == 1 && mean.shape == variance.shape,
                     "running mean \(mean.shape) and variance \(variance.shape) must both be [C]")
        self.mean = mean
        self.variance = variance
        self.batchesTracked = batchesTracked
    }

    public var channels: Int { mean.count }

    /// running = (1 - momentum) * running + momentum * batch, with the variance made
    /// unbiased (times M / (M - 1)) as torch.nn.BatchNorm does.
    func update(mean batchMean: [Double], biasedVariance: [Double], valuesPerChannel: Int, momentum: Float) {
        let m = Double(momentum)
        let correction = Double(valuesPerChannel) / Double(valuesPerChannel - 1)
        mean.withUnsafeMutableBufferPointer { running in
            for c in running.indices { running[c] = Float((1 - m) * Double(running[c]) + m * batchMean[c]) }
        }
        variance.withUnsafeMutableBufferPointer { running in
            for c in running.indices {
                running[c] = Float((1 - m) * Double(running[c]) + m * biasedVariance[c] * correction)
            }
        }
        batchesTracked += 1
    }
}

/// Batch normalisation of [N, C] (BatchNorm1d) or [N, C, H, W] (BatchNorm2d) inputs, as
/// torch.nn.functional.batch_norm.
///
/// In training (or without running statistics) each channel is normalised with its batch
/// mean and biased variance, and `statistics`, when given, is updated with `momentum`.
/// In evaluation the running statistics are used and backward is a per-channel affine map.
///
/// `rectified` gives relu(batchNorm(x)) as one op: the relu costs no pass of its own in
/// forward, and no pre-activation tensor is kept for backward (batch norm followed by
/// relu is most of a ResNet's layers).
public func batchNorm(
    _ input: Variable, weight: Variable?, bias: Variable?, statistics: BatchNormStatistics?,
    training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5, rectified: Bool = false
) -> Variable {
    let shape = input.shape
    let layout = BatchNormKernels.Layout(shape: shape)
    let channels = layout.channels
    for (name, parameter) in [("weight", weight?.shape), ("bias", bias?.shape), ("running mean", statistics?.mean.shape)] {
        if let parameter {
            precondition(parameter == [channels], "batch norm \(name) \(parameter) does not fit input \(shape)")
        }
    }
    let count = layout.valuesPerChannel
    let usesBatchStatistics = training || statistics == nil
    let mean: [Double]
    let variance: [Double]
    if usesBatchStatistics {
        precondition(count > 1, "batch norm needs more than one value per channel in training, input \(shape)")
        (mean, variance) = BatchNormKernels.channelStatistics(input.value)
        if training, let statistics {
            statistics.update(mean: mean, biasedVariance: variance, valuesPerChannel: count, momentum: momentum)
        }
    } else {
        mean = statistics!.mean.scalars.map(Double.init)
        variance = statistics!.variance.scalars.map(Double.init)
    }
    let inverse = variance.map { 1 / ($0 + Double(epsilon)).squareRoot() }
    let weights = weight?.value.scalars ?? [Float](repeating: 1, count: channels)
    let scale = (0..<channels).map { Float(Double(weights[$0]) * inverse[$0]) }
    let center = mean.map { Float($0) }
    let output = BatchNormKernels.channelCombination(
        shape: shape, gradOutput: nil, input: input.value,
        coefficients: .init(inputScale: scale, center: center,
                            offset: bias?.value.scalars ?? [Float](repeating: 0, count: channels)),
        rectifiesOutput: rectified)

    let inputValue = input.value
    var inputs = [input]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let biasIndex = weight == nil ? 1 : 2
    let name = (usesBatchStatistics ? "batchNorm" : "batchNorm.eval") + (rectified ? "+relu" : "")
    return recordOp(name, output: output, inputs: inputs) { upstream, needs in
        // Through the relu first: output > 0 exactly where the normalised value is.
        let gradient = rectified ? ActivationKernels.reluBackward(upstream, output: output) : upstream
        var gradients = [Tensor?](repeating: nil, count: inputs.count)
        let needsWeight = weight != nil && needs[1]
        let needsBias = bias != nil && needs[biasIndex]
        // Train mode needs the channel sums even for the input gradient; eval mode only for the affine ones.
        var sums: (gradient: [Double], gradientTimesCentered: [Double])? = nil
        if needsWeight || needsBias || (usesBatchStatistics && needs[0]) {
            sums = BatchNormKernels.channelGradientSums(gradOutput: gradient, input: inputValue, center: mean)
        }
        if needs[0] {
            let coefficients: BatchNormKernels.Coefficients
            if usesBatchStatistics {
                // dx = w r (dy - sum(dy)/M - xhat * sum(dy xhat)/M), xhat = (x - mean) r
                let m = Double(count)
                coefficients = .init(
                    gradScale: scale,
                    inputScale: (0..<channels).map {
                        Float(-Double(scale[$0]) * inverse[$0] * inverse[$0] * sums!.gradientTimesCentered[$0] / m)
                    },
                    center: center,
                    offset: (0..<channels).map { Float(-Double(scale[$0]) * sums!.gradient[$0] / m) })
            } else {
                coefficients = .init(gradScale: scale, center: center, offset: [Float](repeating: 0, count: channels))
            }
            gradients[0] = BatchNormKernels.channelCombination(
                shape: shape, gradOutput: gradient, input: inputValue, coefficients: coefficients)
        }
        if needsWeight {
            gradients[1] = Tensor(shape: [channels], scalars: (0..<channels).map {
                Float(sums!.gradientTimesCentered[$0] * inverse[$0])
            })
        }
        if needsBias {
            gradients[biasIndex] = Tensor(shape: [channels], scalars: sums!.gradient.map { Float($0) })
        }
        return gradients
    }
}

/// The per-channel mean and biased variance of an [N, C, ...] input over every axis but
/// the channel one, as differentiable [C] variables: what NAYER's BN-statistics loss
/// compares with a teacher layer's running statistics.
///
/// One recorded op with output [mean; variance] ([2C]), sliced in two: a loss that uses
/// both gets their input gradient dx = dmean / M + dvar * 2 (x - mean) / M in a single
/// pass over the input, not one full-size tensor per statistic plus their sum.
public func channelMeanAndVariance(_ input: Variable) -> (mean: Variable, variance: Variable) {
    let shape = input.shape
    let layout = BatchNormKernels.Layout(shape: shape)
    precondition(layout.valuesPerChannel > 0, "channel statistics of an empty input \(shape)")
    let (mean, variance) = BatchNormKernels.channelStatistics(input.value)
    let channels = layout.channels
    let count = Float(layout.valuesPerChannel)
    let center = mean.map { Float($0) }
    let inputValue = input.value
    let moments = recordOp("channelMeanAndVariance", output: Tensor(shape: [2 * channels], scalars: center + variance.map { Float($0) }),
                           inputs: [input]) { gradient, _ in
        let g = gradient.scalars
        return [BatchNormKernels.channelCombination(
            shape: shape, gradOutput: nil, input: inputValue,
            coefficients: .init(inputScale: (0..<channels).map { 2 * g[channels + $0] / count }, center: center,
                                offset: (0..<channels).map { g[$0] / count }))]
    }
    let parts = split(moments, sizes: [channels, channels])
    return (parts[0], parts[1])
}
