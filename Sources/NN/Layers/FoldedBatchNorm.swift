import Autograd
import Tensor

/// bn(conv(x)), followed by relu when `rectified`.
///
/// In eval mode without gradients (a frozen teacher's forward in a KD step, evaluation)
/// batch norm is a fixed per-channel affine map, so it folds into the convolution:
/// W' = W s and b' = (b - running_mean) s + beta with s = gamma / sqrt(running_var + eps),
/// and the relu runs inside the convolution's output pass. One pass over the activation
/// instead of three. The folded result differs from the unfused one only by float
/// rounding. Everywhere else (training, gradients, a BN-statistics observer on `bn`) the
/// two layers run as they are.
public func normalizedConvolution(_ input: Variable, _ conv: Conv2d, _ bn: BatchNorm, rectified: Bool) -> Variable {
    guard !GradMode.isEnabled, !bn.isTraining, bn.inputObserver == nil else {
        let convolved = conv(input)
        return rectified ? bn.reluOfNormalized(convolved) : bn(convolved)
    }
    let (weight, bias) = bn.folded(into: conv)
    let geometry = Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, stride: conv.stride,
                                  padding: conv.padding, groups: conv.groups)
    precondition(geometry != nil, Conv2dGeometry.problem(inputShape: input.shape, weightShape: weight.shape,
                                                         stride: conv.stride, padding: conv.padding,
                                                         groups: conv.groups) ?? "")
    return Variable(Conv2dKernels.forward(input: input.value, weight: weight, bias: bias, geometry: geometry!,
                                          rectified: rectified))
}

extension BatchNorm {
    /// The weight and bias of `conv` followed by this layer in eval mode (see
    /// `normalizedConvolution`), computed in Double.
    func folded(into conv: Conv2d) -> (weight: Tensor, bias: Tensor) {
        let channels = conv.outputChannels
        precondition(channels == features, "batch norm over \(features) channels after a conv with \(channels)")
        let (mean, variance) = (statistics.mean.scalars, statistics.variance.scalars)
        let gamma = weight?.value.scalars ?? [Float](repeating: 1, count: channels)
        let beta = bias?.value.scalars ?? [Float](repeating: 0, count: channels)
        let convolutionBias = conv.bias?.value.scalars ?? [Float](repeating: 0, count: channels)
        let scale = (0..<channels).map { Double(gamma[$0]) / (Double(variance[$0]) + Double(epsilon)).squareRoot() }
        var foldedWeight = conv.weight.value.copied()
        let perChannel = foldedWeight.count / channels
        foldedWeight.withUnsafeMutableBufferPointer { values in
            for channel in 0..<channels {
                for index in channel * perChannel..<(channel + 1) * perChannel {
                    values[index] = Float(Double(values[index]) * scale[channel])
                }
            }
        }
        let foldedBias = (0..<channels).map {
            Float((Double(convolutionBias[$0]) - Double(mean[$0])) * scale[$0] + Double(beta[$0]))
        }
        return (foldedWeight, Tensor(shape: [channels], scalars: foldedBias))
    }
}
