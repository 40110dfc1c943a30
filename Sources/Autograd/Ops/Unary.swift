import Tensor

// Pointwise math on Variables. Each backward uses whichever of input or output gives the
// derivative in the fewest operations (exp and sqrt reuse their output).

public func exp(_ x: Variable) -> Variable {
    let output = Elementwise.exp(x.value)
    return recordOp("exp", output: output, inputs: [x]) { gradient, _ in
        [Elementwise.parallelZip(gradient, output, Pointwise.Product())]
    }
}

/// Natural logarithm; the gradient 1/x is only meaningful for x > 0.
public func log(_ x: Variable) -> Variable {
    let input = x.value
    return recordOp("log", output: Elementwise.log(input), inputs: [x]) { gradient, _ in
        [Elementwise.parallelZip(gradient, input, Pointwise.Ratio())]
    }
}

public func sqrt(_ x: Variable) -> Variable {
    let output = Elementwise.squareRoot(x.value)
    return recordOp("sqrt", output: output, inputs: [x]) { gradient, _ in
        [Elementwise.parallelZip(gradient, output, Pointwise.SquareRootGradient())]
    }
}

/// |x|; the gradient at 0 is 0, as in PyTorch.
public func abs(_ x: Variable) -> Variable {
    let input = x.value
    return recordOp("abs", output: Elementwise.absolute(input), inputs: [x]) { gradient, _ in
        [Elementwise.absoluteBackward(gradient, input: input)]
    }
}

/// x ** exponent elementwise.
public func pow(_ x: Variable, _ exponent: Float) -> Variable {
    let input = x.value
    return recordOp("pow", output: Elementwise.power(input, exponent), inputs: [x]) { gradient, _ in
        [Elementwise.powerBackward(gradient, input: input, exponent: exponent)]
    }
}

/// Limits x to [min, max] (either may be nil). The gradient passes where min <= x <= max,
/// bounds included, as in PyTorch.
public func clamp(_ x: Variable, min minimum: Float? = nil, max maximum: Float? = nil) -> Variable {
    if let minimum, let maximum {
        precondition(minimum <= maximum, "clamp with min \(minimum) above max \(maximum)")
    }
    let input = x.value
    let output = Elementwise.clamp(input, minimum: minimum, maximum: maximum)
    return recordOp("clamp", output: output, inputs: [x]) { gradient, _ in
        [Elementwise.clampBackward(gradient, input: input, minimum: minimum, maximum: maximum)]
    }
}
