import Tensor

/// Sum over `axes` (negative axes count from the end), as torch.sum(x, dim=axes, keepdim=).
public func sum(_ input: Variable, axes: [Int], keepingDimensions: Bool = false) -> Variable {
    reduce(input, axes: axes, keepingDimensions: keepingDimensions, averaging: false)
}

/// Mean over `axes`, as torch.mean(x, dim=axes, keepdim=).
public func mean(_ input: Variable, axes: [Int], keepingDimensions: Bool = false) -> Variable {
    reduce(input, axes: axes, keepingDimensions: keepingDimensions, averaging: true)
}

/// Variance over `axes`, divided by n - 1 when `unbiased` (torch.var's default) or by n.
public func variance(_ input: Variable, axes: [Int], unbiased: Bool, keepingDimensions: Bool = false) -> Variable {
    let shape = input.shape
    let reduced = ReductionKernels.normalizedAxes(axes, rank: shape.count)
    precondition(!reduced.isEmpty, "variance needs at least one axis, input \(shape)")
    let count = reduced.reduce(1) { $0 * shape[$1] }
    // n = 1 with the unbiased divisor gives 0 / 0 = NaN, as in PyTorch.
    let divisor = Float(count - (unbiased ? 1 : 0))
    let center = Elementwise.map(ReductionKernels.sum(input.value, axes: reduced)) { $0 / Float(count) }
    let squares = ReductionKernels.sumOfSquaredDeviations(input.value, axes: reduced, mean: center)
    let output = Elementwise.map(squares) { $0 / divisor }
    let inputValue = input.value
    return recordOp("variance", output: output.reshaped(outputShape(shape, reduced, keepingDimensions)),
                    inputs: [input]) { gradient, _ in
        // d/dx_i sum_j (x_j - mean)^2 = 2 (x_i - mean): the mean's own dependence cancels.
        [ReductionKernels.scaledDeviations(inputValue, center: center, gradient: gradient.reshaped(center.shape),
                                           axes: reduced, factor: 2 / divisor)]
    }
}

/// Sum of every element, shape [].
public func sum(_ input: Variable) -> Variable {
    reduceAll(input, averaging: false)
}

/// Mean of every element, shape [].
public func mean(_ input: Variable) -> Variable {
    reduceAll(input, averaging: true)
}

/// The Euclidean norm of all elements, shape [], as torch.norm(x, 2). Its gradient
/// x / ||x|| is taken as 0 at x = 0, PyTorch's choice of subgradient.
public func l2Norm(_ input: Variable) -> Variable {
    let norm = Float(ReductionKernels.totalOfSquares(input.value).squareRoot())
    let inputValue = input.value
    return recordOp("l2Norm", output: Tensor(scalar: norm), inputs: [input]) { gradient, _ in
        let factor = norm > 0 ? gradient.scalar / norm : 0
        return [Elementwise.map(inputValue) { $0 * factor }]
    }
}

private func reduce(_ input: Variable, axes: [Int], keepingDimensions: Bool, averaging: Bool) -> Variable {
    let shape = input.shape
    let reduced = ReductionKernels.normalizedAxes(axes, rank: shape.count)
    precondition(!reduced.isEmpty, "reduction needs at least one axis (use the all-element form), input \(shape)")
    let count = reduced.reduce(1) { $0 * shape[$1] }
    let scale: Float = averaging ? 1 / Float(count) : 1
    let total = ReductionKernels.sum(input.value, axes: reduced)
    let output = averaging ? Elementwise.map(total) { $0 / Float(count) } : total
    let kept = total.shape
    return recordOp(averaging ? "mean" : "sum", output: output.reshaped(outputShape(shape, reduced, keepingDimensions)),
                    inputs: [input]) { gradient, _ in
        [ReductionKernels.broadcast(gradient.reshaped(kept), to: shape, axes: reduced, scale: scale)]
    }
}

private func reduceAll(_ input: Variable, averaging: Bool) -> Variable {
    let shape = input.shape
    let count = input.value.count
    let total = ReductionKernels.total(input.value)
    let scale: Float = averaging ? 1 / Float(count) : 1
    return recordOp(averaging ? "mean" : "sum", output: Tensor(scalar: Float(averaging ? total / Double(count) : total)),
                    inputs: [input]) { gradient, _ in
        [Tensor(shape: shape, repeating: gradient.scalar * scale)]
    }
}

private func outputShape(_ shape: [Int], _ reduced: [Int], _ keepingDimensions: Bool) -> [Int] {
    keepingDimensions ? ReductionKernels.keptShape(shape, axes: reduced)
        : shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
}
