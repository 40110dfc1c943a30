import Tensor

// Shape ops: gradients are moved back, never changed. Reshapes share storage with their
// input; the others copy (kernels in ShapeKernels).

/// Same elements in a new shape; one dimension may be -1 (inferred).
public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
    let inputShape = x.shape
    return recordOp("reshape", output: x.value.reshaped(shape), inputs: [x]) { gradient, _ in
        [gradient.reshaped(inputShape)]
    }
}

/// Merges the axes from `startAxis` to the last into one: [N,C,H,W] -> [N, C*H*W].
public func flatten(_ x: Variable, startAxis: Int = 1) -> Variable {
    guard let start = Tensor.normalizedAxis(startAxis, rank: x.shape.count) else {
        preconditionFailure("flatten from axis \(startAxis) of shape \(x.shape)")
    }
    return reshape(x, Array(x.shape[..<start]) + [x.shape[start...].reduce(1, *)])
}

/// output.shape[k] = x.shape[axes[k]]; the gradient goes back through the inverse permutation.
public func permute(_ x: Variable, _ axes: [Int]) -> Variable {
    precondition(axes.sorted() == Array(0..<x.shape.count), "permute axes \(axes) for shape \(x.shape)")
    var inverse = axes
    for (position, axis) in axes.enumerated() { inverse[axis] = position }
    return recordOp("permute", output: ShapeKernels.permute(x.value, axes: axes), inputs: [x]) { gradient, _ in
        [ShapeKernels.permute(gradient, axes: inverse)]
    }
}

/// Swaps two axes; by default the last two (a batch of matrix transposes).
public func transpose(_ x: Variable, firstAxis: Int = -2, secondAxis: Int = -1) -> Variable {
    let rank = x.shape.count
    guard let first = Tensor.normalizedAxis(firstAxis, rank: rank),
          let second = Tensor.normalizedAxis(secondAxis, rank: rank) else {
        preconditionFailure("transpose of axes \(firstAxis) and \(secondAxis) of shape \(x.shape)")
    }
    var axes = Array(0..<rank)
    axes.swapAt(first, second)
    return permute(x, axes)
}

/// Joins variables that agree on every dimension but `axis`.
public func concat(_ xs: [Variable], axis: Int = 0) -> Variable {
    precondition(!xs.isEmpty, "concat of no variables")
    guard let axis = Tensor.normalizedAxis(axis, rank: xs[0].shape.count) else {
        preconditionFailure("concat along axis \(axis) of shape \(xs[0].shape)")
    }
    let lengths = xs.map { $0.shape[axis] }
    let output = ShapeKernels.concat(xs.map(\.value), axis: axis)
    return recordOp("concat", output: output, inputs: xs) { gradient, needs in
        var start = 0
        return lengths.indices.map { i in
            defer { start += lengths[i] }
            return needs[i] ? ShapeKernels.narrow(gradient, axis: axis, start: start, length: lengths[i]) : nil
        }
    }
}

/// The slice start..<start + length along `axis`.
public func narrow(_ x: Variable, axis: Int, start: Int, length: Int) -> Variable {
    guard let axis = Tensor.normalizedAxis(axis, rank: x.shape.count) else {
        preconditionFailure("narrow along axis \(axis) of shape \(x.shape)")
    }
    let inputShape = x.shape
    let output = ShapeKernels.narrow(x.value, axis: axis, start: start, length: length)
    return recordOp("narrow", output: output, inputs: [x]) { gradient, _ in
        [ShapeKernels.embed(gradient, into: inputShape, axis: axis, start: start)]
    }
}

/// Consecutive slices along `axis` with the given sizes, which must add up to its length.
public func split(_ x: Variable, sizes: [Int], axis: Int = 0) -> [Variable] {
    guard let resolved = Tensor.normalizedAxis(axis, rank: x.shape.count) else {
        preconditionFailure("split along axis \(axis) of shape \(x.shape)")
    }
    precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == x.shape[resolved],
                 "split sizes \(sizes) for axis \(axis) of shape \(x.shape)")
    var start = 0
    return sizes.map { size in
        defer { start += size }
        return narrow(x, axis: resolved, start: start, length: size)
    }
}

/// table[rows]: row lookup in a [V, ...] table (an embedding, or label embeddings by
/// class). The backward adds each output row's gradient into its table row, so a row
/// picked twice gets both.
public func indexSelect(_ table: Variable, rows: [Int]) -> Variable {
    let tableShape = table.shape
    return recordOp("indexSelect", output: ShapeKernels.indexSelect(table.value, rows: rows), inputs: [table]) { gradient, _ in
        [ShapeKernels.indexAdd(gradient, rows: rows, tableShape: tableShape)]
    }
}
