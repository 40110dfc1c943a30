import Tensor

/// (x - mean[c]) / std[c] over axis 1 of x [N, C, ...]; the last step of the training
/// transform, differentiable so synthesis gradients reach the generator's images.
public func normalizeChannels(_ x: Variable, mean: [Float], std: [Float]) -> Variable {
    let output = AugmentationKernels.normalizeChannels(x.value, mean: mean, std: std)
    return recordOp("normalizeChannels", output: output, inputs: [x]) { gradOutput, _ in
        [AugmentationKernels.normalizeChannelsBackward(gradOutput, std: std)]
    }
}
