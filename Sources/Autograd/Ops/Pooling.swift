import Tensor

/// Max pooling of an [N, C, H, W] input, as torch.nn.functional.max_pool2d (dilation 1,
/// floor mode). `stride` defaults to `kernelSize`; padding counts as -infinity and may be
/// at most half the kernel. The gradient goes to the first maximum of each window.
public func maxPool2d(_ input: Variable, kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Variable {
    let (rows, columns) = strideBins(input.shape, kernelSize: kernelSize, stride: stride ?? kernelSize, padding: padding)
    let (output, indices) = PoolingKernels.maxPoolForward(input.value, rows: rows, columns: columns)
    let shape = input.shape
    return recordOp("maxPool2d", output: output, inputs: [input]) { gradient, _ in
        [PoolingKernels.maxPoolBackward(gradient, indices: indices, inputShape: shape)]
    }
}

/// Average pooling without padding, as torch.nn.functional.avg_pool2d; `stride`
/// defaults to `kernelSize`.
public func avgPool2d(_ input: Variable, kernelSize: Int, stride: Int? = nil) -> Variable {
    let (rows, columns) = strideBins(input.shape, kernelSize: kernelSize, stride: stride ?? kernelSize, padding: 0)
    return averagePool(input, rows: rows, columns: columns, name: "avgPool2d")
}

/// Adaptive average pooling to `outputSize` for any input size, as
/// torch.nn.functional.adaptive_avg_pool2d: output (i, j) averages rows
/// floor(i H / OH) ..< ceil((i + 1) H / OH) and the same for columns.
public func adaptiveAveragePool2d(_ input: Variable, outputSize: (height: Int, width: Int)) -> Variable {
    let shape = input.shape
    precondition(shape.count == 4, "adaptive pooling needs an [N, C, H, W] input, got \(shape)")
    let rows = PoolingKernels.Bins(size: shape[2], adaptiveOutputs: outputSize.height)
    let columns = PoolingKernels.Bins(size: shape[3], adaptiveOutputs: outputSize.width)
    return averagePool(input, rows: rows, columns: columns, name: "adaptiveAveragePool2d")
}

private func averagePool(_ input: Variable, rows: PoolingKernels.Bins, columns: PoolingKernels.Bins, name: String) -> Variable {
    let output = PoolingKernels.averagePoolForward(input.value, rows: rows, columns: columns)
    let shape = input.shape
    return recordOp(name, output: output, inputs: [input]) { gradient, _ in
        [PoolingKernels.averagePoolBackward(gradient, inputShape: shape, rows: rows, columns: columns)]
    }
}

private func strideBins(
    _ shape: [Int], kernelSize: Int, stride: Int, padding: Int
) -> (rows: PoolingKernels.Bins, columns: PoolingKernels.Bins) {
    precondition(shape.count == 4, "pooling needs an [N, C, H, W] input, got \(shape)")
    return (PoolingKernels.Bins(size: shape[2], kernelSize: kernelSize, stride: stride, padding: padding),
            PoolingKernels.Bins(size: shape[3], kernelSize: kernelSize, stride: stride, padding: padding))
}
