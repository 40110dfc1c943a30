import Tensor

/// softmax(logits / temperature) along axis 1 of [N, K] logits.
public func softmax(_ logits: Variable, temperature: Float = 1) -> Variable {
    let output = SoftmaxKernels.softmax(logits.value, temperature: temperature)
    return recordOp("softmax", output: output, inputs: [logits]) { gradOutput, _ in
        [SoftmaxKernels.softmaxBackward(output: output, gradOutput: gradOutput, temperature: temperature)]
    }
}

/// log softmax(logits / temperature) along axis 1 of [N, K] logits, computed as
/// shifted - log(sum(exp(shifted))) with the row max subtracted first, so large logits
/// neither overflow nor lose the small probabilities.
public func logSoftmax(_ logits: Variable, temperature: Float = 1) -> Variable {
    let output = SoftmaxKernels.logSoftmax(logits.value, temperature: temperature)
    return recordOp("logSoftmax", output: output, inputs: [logits]) { gradOutput, _ in
        [SoftmaxKernels.logSoftmaxBackward(output: output, gradOutput: gradOutput, temperature: temperature)]
    }
}
