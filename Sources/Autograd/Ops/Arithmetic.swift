import Tensor

// + - * / between Variables broadcast like PyTorch: each operand's gradient is the
// upstream gradient (times the local derivative) summed back over the axes it was
// broadcast along, so a [C,1,1] scale or a [K] bias gets a gradient of its own shape.

private func reduced(_ gradient: Tensor, to shape: [Int]) -> Tensor {
    BroadcastKernels.sum(gradient, toShape: shape)
}

public func + (lhs: Variable, rhs: Variable) -> Variable {
    let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
    return recordOp("add", output: BroadcastKernels.add(lhs.value, rhs.value), inputs: [lhs, rhs]) { gradient, needs in
        [needs[0] ? reduced(gradient, to: lhsShape) : nil,
         needs[1] ? reduced(gradient, to: rhsShape) : nil]
    }
}

public func - (lhs: Variable, rhs: Variable) -> Variable {
    let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
    return recordOp("subtract", output: BroadcastKernels.subtract(lhs.value, rhs.value), inputs: [lhs, rhs]) { gradient, needs in
        [needs[0] ? reduced(gradient, to: lhsShape) : nil,
         needs[1] ? BroadcastKernels.affine(reduced(gradient, to: rhsShape), scale: -1) : nil]
    }
}

public func * (lhs: Variable, rhs: Variable) -> Variable {
    let (a, b) = (lhs.value, rhs.value)
    return recordOp("multiply", output: BroadcastKernels.multiply(a, b), inputs: [lhs, rhs]) { gradient, needs in
        [needs[0] ? reduced(BroadcastKernels.multiply(gradient, b), to: a.shape) : nil,
         needs[1] ? reduced(BroadcastKernels.multiply(gradient, a), to: b.shape) : nil]
    }
}

public func / (lhs: Variable, rhs: Variable) -> Variable {
    let (a, b) = (lhs.value, rhs.value)
    let output = BroadcastKernels.divide(a, b)
    return recordOp("divide", output: output, inputs: [lhs, rhs]) { gradient, needs in
        // d(a/b)/db = -a/b^2 = -output/b.
        [needs[0] ? reduced(BroadcastKernels.divide(gradient, b), to: a.shape) : nil,
         needs[1] ? BroadcastKernels.affine(
            reduced(BroadcastKernels.divide(BroadcastKernels.multiply(gradient, output), b), to: b.shape),
            scale: -1) : nil]
    }
}

// MARK: - With a Float

/// x * scale + shift, the one op behind every Variable-Float arithmetic operator.
private func affine(_ x: Variable, scale: Float, shift: Float, name: String) -> Variable {
    recordOp(name, output: BroadcastKernels.affine(x.value, scale: scale, shift: shift), inputs: [x]) { gradient, _ in
        [scale == 1 ? gradient : BroadcastKernels.affine(gradient, scale: scale)]
    }
}

public func + (lhs: Variable, rhs: Float) -> Variable { affine(lhs, scale: 1, shift: rhs, name: "addScalar") }
public func + (lhs: Float, rhs: Variable) -> Variable { affine(rhs, scale: 1, shift: lhs, name: "addScalar") }
public func - (lhs: Variable, rhs: Float) -> Variable { affine(lhs, scale: 1, shift: -rhs, name: "subtractScalar") }
public func - (lhs: Float, rhs: Variable) -> Variable { affine(rhs, scale: -1, shift: lhs, name: "scalarSubtract") }
public func * (lhs: Variable, rhs: Float) -> Variable { affine(lhs, scale: rhs, shift: 0, name: "multiplyScalar") }
public func * (lhs: Float, rhs: Variable) -> Variable { affine(rhs, scale: lhs, shift: 0, name: "multiplyScalar") }
public func / (lhs: Variable, rhs: Float) -> Variable { affine(lhs, scale: 1 / rhs, shift: 0, name: "divideScalar") }
public prefix func - (x: Variable) -> Variable { affine(x, scale: -1, shift: 0, name: "negate") }

public func / (lhs: Float, rhs: Variable) -> Variable {
    let x = rhs.value
    let output = BroadcastKernels.divide(lhs, by: x)
    return recordOp("scalarDivide", output: output, inputs: [rhs]) { gradient, _ in
        // d(s/x)/dx = -s/x^2 = -output/x.
        [Elementwise.parallelZip(gradient, BroadcastKernels.divide(output, x), Pointwise.NegatedProduct())]
    }
}
