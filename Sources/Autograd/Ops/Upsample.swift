import Tensor

/// Nearest-neighbour upsampling by 2 of an [N, C, H, W] input to [N, C, 2H, 2W], as
/// torch.nn.Upsample(scale_factor=2, mode="nearest").
public func upsampleNearest2x(_ input: Variable) -> Variable {
    let output = UpsampleKernels.nearest2xForward(input.value)
    return recordOp("upsampleNearest2x", output: output, inputs: [input]) { gradient, _ in
        [UpsampleKernels.nearest2xBackward(gradient)]
    }
}
