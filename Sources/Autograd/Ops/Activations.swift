import Tensor

// Activations as in torch.nn.functional; kernels in ActivationKernels.

/// max(x, 0); gradient 0 at x == 0, as in PyTorch.
public func relu(_ x: Variable) -> Variable {
    let output = ActivationKernels.relu(x.value)
    return recordOp("relu", output: output, inputs: [x]) { gradient, _ in
        [ActivationKernels.reluBackward(gradient, output: output)]
    }
}

/// relu(a + b) for equally shaped a and b in one pass: a residual block's closing
/// add and activation, without the intermediate sum.
public func reluOfSum(_ a: Variable, _ b: Variable) -> Variable {
    precondition(a.shape == b.shape, "reluOfSum of shapes \(a.shape) and \(b.shape)")
    let output = Elementwise.parallelZip(a.value, b.value, Pointwise.RectifiedSum())
    return recordOp("reluOfSum", output: output, inputs: [a, b]) { gradient, needs in
        let passed = ActivationKernels.reluBackward(gradient, output: output)
        return [needs[0] ? passed : nil, needs[1] ? passed : nil]
    }
}

/// x for x > 0, negativeSlope * x otherwise. NAYER's generator uses 0.2.
public func leakyRelu(_ x: Variable, negativeSlope: Float = 0.2) -> Variable {
    let input = x.value
    let output = ActivationKernels.leakyRelu(input, negativeSlope: negativeSlope)
    return recordOp("leakyRelu", output: output, inputs: [x]) { gradient, _ in
        [ActivationKernels.leakyReluBackward(gradient, input: input, negativeSlope: negativeSlope)]
    }
}

public func sigmoid(_ x: Variable) -> Variable {
    let output = ActivationKernels.sigmoid(x.value)
    return recordOp("sigmoid", output: output, inputs: [x]) { gradient, _ in
        [ActivationKernels.sigmoidBackward(gradient, output: output)]
    }
}

public func tanh(_ x: Variable) -> Variable {
    let output = ActivationKernels.tanh(x.value)
    return recordOp("tanh", output: output, inputs: [x]) { gradient, _ in
        [ActivationKernels.tanhBackward(gradient, output: output)]
    }
}

/// Exact (erf) GELU, torch.nn.functional.gelu's default.
public func gelu(_ x: Variable) -> Variable {
    let input = x.value
    return recordOp("gelu", output: ActivationKernels.gelu(input), inputs: [x]) { gradient, _ in
        [ActivationKernels.geluBackward(gradient, input: input)]
    }
}
