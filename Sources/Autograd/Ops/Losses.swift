import Tensor

// Each loss here is one recorded op with a fused forward and backward: the graph holds a
// single node per loss, and the backward reuses the log-softmax rows saved by the forward.

/// The upstream gradient of a scalar loss.
private func scalarGradient(_ gradOutput: Tensor) -> Float {
    precondition(gradOutput.count == 1, "a scalar loss got an upstream gradient of shape \(gradOutput.shape)")
    return gradOutput.storage.pointer[0]
}

/// mean_i -log softmax(logits)_i[labels[i]] for logits [N, K] (torch F.cross_entropy,
/// reduction "mean"). Returns a scalar.
public func crossEntropy(_ logits: Variable, labels: [Int]) -> Variable {
    let logProbabilities = SoftmaxKernels.logSoftmax(logits.value)
    let loss = SoftmaxKernels.crossEntropy(logProbabilities: logProbabilities, labels: labels)
    let rows = Float(max(logits.shape[0], 1))
    return recordOp("crossEntropy", output: Tensor(scalar: loss), inputs: [logits]) { gradOutput, _ in
        [SoftmaxKernels.crossEntropyBackward(logProbabilities: logProbabilities, labels: labels,
                                             scale: scalarGradient(gradOutput) / rows)]
    }
}

/// mean_i sum_k -p_ik log softmax(logits)_ik for logits and target probabilities p, both
/// [N, K] (torch F.cross_entropy with probability targets). Differentiable w.r.t. both.
public func crossEntropy(_ logits: Variable, targetProbabilities: Variable) -> Variable {
    let logProbabilities = SoftmaxKernels.logSoftmax(logits.value)
    let targets = targetProbabilities.value
    let loss = SoftmaxKernels.softCrossEntropy(logProbabilities: logProbabilities, targets: targets)
    let rows = Float(max(logits.shape[0], 1))
    return recordOp("softCrossEntropy", output: Tensor(scalar: loss),
                    inputs: [logits, targetProbabilities]) { gradOutput, needs in
        let scale = scalarGradient(gradOutput) / rows
        return [
            needs[0] ? SoftmaxKernels.softCrossEntropyBackward(logProbabilities: logProbabilities,
                                                               targets: targets, scale: scale) : nil,
            needs[1] ? Elementwise.map(logProbabilities) { -scale * $0 } : nil,
        ]
    }
}

/// torch F.kl_div(logInput, target, reduction: "batchmean"): sum of
/// target * (log target - logInput) over all elements, divided by N = shape[0]. Targets are
/// probabilities; zero targets contribute 0 (and, unlike torch's NaN, a zero gradient
/// w.r.t. themselves). Differentiable w.r.t. both.
public func klDivergence(logInput: Variable, target: Variable) -> Variable {
    precondition(logInput.shape.count >= 1, "kl_div needs an input with a batch axis, got \(logInput.shape)")
    let (input, targets) = (logInput.value, target.value)
    let rows = Float(max(input.shape[0], 1))
    let loss = SoftmaxKernels.klDivergenceSum(logInput: input, target: targets) / rows
    return recordOp("klDivergence", output: Tensor(scalar: loss), inputs: [logInput, target]) { gradOutput, needs in
        let gradients = SoftmaxKernels.klDivergenceBackward(
            logInput: input, target: targets, scale: scalarGradient(gradOutput) / rows,
            wantInput: needs[0], wantTarget: needs[1])
        return [gradients.input, gradients.target]
    }
}

/// Per-sample KL(softmax(t/T) || softmax(s/T)) of two [N, K] logit matrices, both log-softmax
/// matrices, and the op's backward for per-row loss weights produced by `weights`. The four
/// KL losses below differ only in how they reduce the rows and weight their gradients.
private func recordRowKLDivergence(
    _ name: String, teacherLogits: Variable, studentLogits: Variable, temperature: Float,
    reduce: (_ divergence: Tensor) -> Tensor,
    weights: @escaping (_ gradOutput: Tensor) -> [Float]
) -> Variable {
    precondition(teacherLogits.shape == studentLogits.shape,
                 "\(name): teacher logits \(teacherLogits.shape) and student logits \(studentLogits.shape) differ")
    let teacherLog = SoftmaxKernels.logSoftmax(teacherLogits.value, temperature: temperature)
    let studentLog = SoftmaxKernels.logSoftmax(studentLogits.value, temperature: temperature)
    let divergence = SoftmaxKernels.rowKLDivergence(teacherLog: teacherLog, studentLog: studentLog)
    return recordOp(name, output: reduce(divergence), inputs: [teacherLogits, studentLogits]) { gradOutput, needs in
        let gradients = SoftmaxKernels.rowKLDivergenceBackward(
            teacherLog: teacherLog, studentLog: studentLog, divergence: divergence,
            rowWeights: weights(gradOutput), temperature: temperature,
            wantTeacher: needs[0], wantStudent: needs[1])
        return [gradients.teacher, gradients.student]
    }
}

/// The knowledge-distillation loss of the NAYER reference (its KLDiv):
/// F.kl_div(log_softmax(s/T), softmax(t/T), "batchmean") * T^2, a scalar. Differentiable
/// w.r.t. both logits, because in synthesis the loss reaches the generator through both.
public func distillationKLDivergence(studentLogits: Variable, teacherLogits: Variable,
                                     temperature: Float) -> Variable {
    let rows = studentLogits.shape.first ?? 0
    let scale = temperature * temperature / Float(max(rows, 1))
    return recordRowKLDivergence("distillationKLDivergence", teacherLogits: teacherLogits,
                                 studentLogits: studentLogits, temperature: temperature,
                                 reduce: { Tensor(scalar: scale * $0.scalars.reduce(0, +)) },
                                 weights: { [Float](repeating: scale * scalarGradient($0), count: rows) })
}

/// KL_i = sum_k softmax(t_i/T)_k (log softmax(t_i/T)_k - log softmax(s_i/T)_k), shape [N],
/// differentiable w.r.t. both logits.
public func perSampleKLDivergence(teacherLogits: Variable, studentLogits: Variable,
                                  temperature: Float = 1) -> Variable {
    recordRowKLDivergence("perSampleKLDivergence", teacherLogits: teacherLogits,
                          studentLogits: studentLogits, temperature: temperature,
                          reduce: { $0 }, weights: { $0.scalars })
}

/// NAYER's adversarial synthesis term: -mean_i(mask_i * KL_i) with KL_i as in
/// `perSampleKLDivergence` at T = 1 and mask_i = [argmax s_i == argmax t_i]. The mask is
/// a constant (no gradient flows through the argmax): the generator is pushed to make
/// teacher and student disagree only on samples where they still agree.
public func maskedAdversarialLoss(teacherLogits: Variable, studentLogits: Variable) -> Variable {
    let rows = teacherLogits.shape.first ?? 0
    let mask = agreementMask(teacherLogits: teacherLogits.value, studentLogits: studentLogits.value)
    let weights = mask.map { $0 ? -1 / Float(max(rows, 1)) : 0 }
    return recordRowKLDivergence("maskedAdversarialLoss", teacherLogits: teacherLogits,
                                 studentLogits: studentLogits, temperature: 1,
                                 reduce: { divergence in
                                     let kl = divergence.storage.pointer
                                     return Tensor(scalar: (0..<rows).reduce(0) { $0 + weights[$1] * kl[$1] })
                                 },
                                 weights: { gradOutput in weights.map { $0 * scalarGradient(gradOutput) } })
}

/// mask_i = [argmax t_i == argmax s_i] (first index on ties, as torch.argmax); the
/// fraction of true entries is the teacher-student agreement.
public func agreementMask(teacherLogits: Tensor, studentLogits: Tensor) -> [Bool] {
    precondition(teacherLogits.shape == studentLogits.shape,
                 "agreement of teacher logits \(teacherLogits.shape) and student logits \(studentLogits.shape)")
    return zip(SoftmaxKernels.rowArgmax(teacherLogits), SoftmaxKernels.rowArgmax(studentLogits)).map { $0 == $1 }
}
