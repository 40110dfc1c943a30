import Tensor

/// Random crop of the zero-padded image at (dy, dx) (torchvision RandomCrop(size,
/// padding) semantics), then a horizontal flip where flips[n]; x is [N, C, H, W] and so
/// is the result. Differentiable w.r.t. x: padding pixels send no gradient anywhere.
public func cropAndFlip(_ x: Variable, padding: Int, offsets: [(dy: Int, dx: Int)], flips: [Bool]) -> Variable {
    let output = AugmentationKernels.cropAndFlip(x.value, padding: padding, offsets: offsets, flips: flips)
    return recordOp("cropAndFlip", output: output, inputs: [x]) { gradOutput, _ in
        [AugmentationKernels.cropAndFlipBackward(gradOutput, padding: padding, offsets: offsets, flips: flips)]
    }
}

/// `cropAndFlip` with the positions and flips of a draw (see `AugmentationDraw.random`).
public func cropAndFlip(_ x: Variable, draw: AugmentationDraw) -> Variable {
    cropAndFlip(x, padding: draw.padding, offsets: draw.offsets, flips: draw.flips)
}
