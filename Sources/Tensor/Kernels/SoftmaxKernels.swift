import Foundation

// Shape legend
//   logits, logProbabilities, probabilities, targets: [N, K]  (N samples, K classes)
//   softmax runs along K (axis 1); per-sample results are [N]; losses are scalars.
// Every kernel works row by row, so rows are split across cores with `Parallel`.

/// Softmax, log-softmax and the fused softmax-based losses (cross-entropy, KL divergence)
/// over row-major [N, K] buffers. Each loss works from log-softmax rows, which stay finite
/// where probabilities underflow, so the losses never produce 0 * log 0 = NaN.
public enum SoftmaxKernels {
    /// (N, K) of a rank-2 tensor with at least one class.
    public static func rowsAndClasses(_ tensor: Tensor) -> (rows: Int, classes: Int) {
        precondition(tensor.rank == 2 && tensor.shape[1] > 0,
                     "softmax needs logits of shape [N, K] with K > 0, got \(tensor.shape)")
        return (tensor.shape[0], tensor.shape[1])
    }

    /// Splits rows so that each worker gets at least ~16k elements; smaller batches stay
    /// on the calling thread.
    static func forEachRowChunk(rows: Int, classes: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(of: 0..<rows, minimumChunk: max(1, 16_384 / classes), body)
    }

    // MARK: softmax and log-softmax

    /// log softmax(logits / temperature) per row, stabilised by subtracting the row max.
    public static func logSoftmax(_ logits: Tensor, temperature: Float = 1) -> Tensor {
        normalizedRows(logits, temperature: temperature, logarithmic: true)
    }

    /// softmax(logits / temperature) per row, stabilised by subtracting the row max.
    public static func softmax(_ logits: Tensor, temperature: Float = 1) -> Tensor {
        normalizedRows(logits, temperature: temperature, logarithmic: false)
    }

    private static func normalizedRows(_ logits: Tensor, temperature: Float, logarithmic: Bool) -> Tensor {
        precondition(temperature > 0, "softmax temperature must be positive, got \(temperature)")
        let (rows, classes) = rowsAndClasses(logits)
        let result = Tensor(uninitializedShape: logits.shape)
        let (source, target) = (logits.storage.pointer, result.storage.pointer)
        let inverseTemperature = 1 / temperature
        forEachRowChunk(rows: rows, classes: classes) { chunk in
            for row in chunk {
                let x = source + row * classes, y = target + row * classes
                var maximum = -Float.infinity
                for k in 0..<classes { maximum = max(maximum, x[k]) }
                var total: Float = 0
                for k in 0..<classes {
                    let shifted = (x[k] - maximum) * inverseTemperature
                    let exponential = exp(shifted)
                    y[k] = logarithmic ? shifted : exponential
                    total += exponential
                }
                if logarithmic {
                    let logTotal = log(total)
                    for k in 0..<classes { y[k] -= logTotal }
                } else {
                    let inverseTotal = 1 / total
                    for k in 0..<classes { y[k] *= inverseTotal }
                }
            }
        }
        return result
    }

    /// d/dx of y = softmax(x / T): (y * (g - sum_k g_k y_k)) / T.
    public static func softmaxBackward(output: Tensor, gradOutput: Tensor, temperature: Float = 1) -> Tensor {
        rowBackward(output: output, gradOutput: gradOutput, temperature: temperature, logarithmic: false)
    }

    /// d/dx of y = log softmax(x / T): (g - exp(y) * sum_k g_k) / T.
    public static func logSoftmaxBackward(output: Tensor, gradOutput: Tensor, temperature: Float = 1) -> Tensor {
        rowBackward(output: output, gradOutput: gradOutput, temperature: temperature, logarithmic: true)
    }

    private static func rowBackward(output: Tensor, gradOutput: Tensor, temperature: Float,
                                    logarithmic: Bool) -> Tensor {
        precondition(output.shape == gradOutput.shape,
                     "softmax gradient \(gradOutput.shape) does not match output \(output.shape)")
        let (rows, classes) = rowsAndClasses(output)
        let result = Tensor(uninitializedShape: output.shape)
        let (y, g, dx) = (output.storage.pointer, gradOutput.storage.pointer, result.storage.pointer)
        let inverseTemperature = 1 / temperature
        forEachRowChunk(rows: rows, classes: classes) { chunk in
            for row in chunk {
                let offset = row * classes
                var total: Float = 0
                for k in offset..<offset + classes { total += logarithmic ? g[k] : g[k] * y[k] }
                for k in offset..<offset + classes {
                    dx[k] = (logarithmic ? g[k] - exp(y[k]) * total : y[k] * (g[k] - total)) * inverseTemperature
                }
            }
        }
        return result
    }

    /// Index of the largest logit of each row (the first one on ties, as torch.argmax).
    public static func rowArgmax(_ logits: Tensor) -> [Int] {
        let (rows, classes) = rowsAndClasses(logits)
        let x = logits.storage.pointer
        return (0..<rows).map { row in
            var best = 0
            for k in 1..<classes where x[row * classes + k] > x[row * classes + best] { best = k }
            return best
        }
    }

    // MARK: cross-entropy

    /// mean_i -logProbabilities[i, labels[i]].
    public static func crossEntropy(logProbabilities: Tensor, labels: [Int]) -> Float {
        let (rows, classes) = rowsAndClasses(logProbabilities)
        validate(labels: labels, rows: rows, classes: classes)
        let logP = logProbabilities.storage.pointer
        var total: Double = 0
        for row in 0..<rows { total -= Double(logP[row * classes + labels[row]]) }
        return Float(total / Double(max(rows, 1)))
    }

    /// scale * (softmax - onehot(labels)): the logits gradient of `crossEntropy` when
    /// scale = upstream gradient / N.
    public static func crossEntropyBackward(logProbabilities: Tensor, labels: [Int], scale: Float) -> Tensor {
        let (rows, classes) = rowsAndClasses(logProbabilities)
        validate(labels: labels, rows: rows, classes: classes)
        let result = Tensor(uninitializedShape: logProbabilities.shape)
        let (logP, dx) = (logProbabilities.storage.pointer, result.storage.pointer)
        forEachRowChunk(rows: rows, classes: classes) { chunk in
            for row in chunk {
                let offset = row * classes
                for k in offset..<offset + classes { dx[k] = scale * exp(logP[k]) }
                dx[offset + labels[row]] -= scale
            }
        }
        return result
    }

    private static func validate(labels: [Int], rows: Int, classes: Int) {
        precondition(labels.count == rows, "\(labels.count) labels for logits with \(rows) rows")
        precondition(labels.allSatisfy { (0..<classes).contains($0) },
                     "labels must lie in 0..<\(classes), got \(labels.filter { !(0..<classes).contains($0) })")
    }

    /// mean_i sum_k -targets[i, k] * logProbabilities[i, k] (soft-target cross-entropy).
    public static func softCrossEntropy(logProbabilities: Tensor, targets: Tensor) -> Float {
        let (rows, _) = rowsAndClasses(logProbabilities)
        precondition(targets.shape == logProbabilities.shape,
                     "cross-entropy targets \(targets.shape) do not match logits \(logProbabilities.shape)")
        let (logP, p) = (logProbabilities.storage.pointer, targets.storage.pointer)
        var total: Double = 0
        for i in 0..<targets.count { total -= Double(p[i] * logP[i]) }
        return Float(total / Double(max(rows, 1)))
    }

    /// scale * (softmax * sum_k targets_k - targets): the logits gradient of
    /// `softCrossEntropy` when scale = upstream gradient / N (rows of targets need not sum to 1).
    public static func softCrossEntropyBackward(logProbabilities: Tensor, targets: Tensor, scale: Float) -> Tensor {
        let (rows, classes) = rowsAndClasses(logProbabilities)
        let result = Tensor(uninitializedShape: logProbabilities.shape)
        let (logP, p, dx) = (logProbabilities.storage.pointer, targets.storage.pointer, result.storage.pointer)
        forEachRowChunk(rows: rows, classes: classes) { chunk in
            for row in chunk {
                let offset = row * classes
                var mass: Float = 0
                for k in offset..<offset + classes { mass += p[k] }
                for k in offset..<offset + classes { dx[k] = scale * (exp(logP[k]) * mass - p[k]) }
            }
        }
        return result
    }

    // MARK: KL divergence

    /// sum over all elements of target * (log target - logInput), terms with target 0
    /// counting 0 (torch's kl_div pointwise rule, log_target=False); callers divide by N.
    public static func klDivergenceSum(logInput: Tensor, target: Tensor) -> Float {
        precondition(logInput.shape == target.shape,
                     "kl_div target \(target.shape) does not match input \(logInput.shape)")
        let (x, t) = (logInput.storage.pointer, target.storage.pointer)
        var total: Double = 0
        for i in 0..<target.count where t[i] != 0 { total += Double(t[i] * (log(t[i]) - x[i])) }
        return Float(total)
    }

    /// Gradients of scale * klDivergenceSum: w.r.t. logInput -scale * target; w.r.t.
    /// target scale * (log target + 1 - logInput), set to 0 where target is 0 (the true
    /// derivative there is -infinity; torch returns NaN).
    public static func klDivergenceBackward(logInput: Tensor, target: Tensor, scale: Float,
                                            wantInput: Bool, wantTarget: Bool) -> (input: Tensor?, target: Tensor?) {
        let (x, t) = (logInput.storage.pointer, target.storage.pointer)
        var inputGradient: Tensor? = nil
        var targetGradient: Tensor? = nil
        if wantInput {
            let result = Tensor(uninitializedShape: logInput.shape)
            let dx = result.storage.pointer
            for i in 0..<target.count { dx[i] = -scale * t[i] }
            inputGradient = result
        }
        if wantTarget {
            let result = Tensor(uninitializedShape: target.shape)
            let dt = result.storage.pointer
            for i in 0..<target.count { dt[i] = t[i] == 0 ? 0 : scale * (log(t[i]) + 1 - x[i]) }
            targetGradient = result
        }
        return (inputGradient, targetGradient)
    }

    /// Per row: sum_k q_k (log q_k - log p_k) with q = exp(teacherLog), p = exp(studentLog),
    /// i.e. KL(teacher || student) from two log-softmax matrices. Result [N].
    public static func rowKLDivergence(teacherLog: Tensor, studentLog: Tensor) -> Tensor {
        precondition(teacherLog.shape == studentLog.shape,
                     "teacher logits \(teacherLog.shape) and student logits \(studentLog.shape) differ in shape")
        let (rows, classes) = rowsAndClasses(teacherLog)
        let result = Tensor(uninitializedShape: [rows])
        let (logQ, logP, kl) = (teacherLog.storage.pointer, studentLog.storage.pointer, result.storage.pointer)
        forEachRowChunk(rows: rows, classes: classes) { chunk in
            for row in chunk {
                var total: Float = 0
                for k in row * classes..<(row + 1) * classes { total += exp(logQ[k]) * (logQ[k] - logP[k]) }
                kl[row] = total
            }
        }
        return result
    }

    /// Gradients of sum_i rowWeights[i] * KL_i w.r.t. the logits that produced teacherLog and
    /// studentLog = log softmax(logits / T):
    ///   student: w_i (p - q) / T,   teacher: w_i q (log q - log p - KL_i) / T.
    /// The caller folds any loss scale (1/N, T^2, mask, upstream gradient) into rowWeights.
    public static func rowKLDivergenceBackward(
        teacherLog: Tensor, studentLog: Tensor, divergence: Tensor, rowWeights: [Float],
        temperature: Float, wantTeacher: Bool, wantStudent: Bool
    ) -> (teacher: Tensor?, student: Tensor?) {
        let (rows, classes) = rowsAndClasses(teacherLog)
        precondition(rowWeights.count == rows && divergence.count == rows,
                     "KL backward needs \(rows) row weights and divergences, got \(rowWeights.count) and \(divergence.count)")
        let teacherGradient = wantTeacher ? Tensor(uninitializedShape: teacherLog.shape) : nil
        let studentGradient = wantStudent ? Tensor(uninitializedShape: studentLog.shape) : nil
        let (logQ, logP, kl) = (teacherLog.storage.pointer, studentLog.storage.pointer, divergence.storage.pointer)
        let (dt, ds) = (teacherGradient?.storage.pointer, studentGradient?.storage.pointer)
        let inverseTemperature = 1 / temperature
        rowWeights.withUnsafeBufferPointer { weights in
            forEachRowChunk(rows: rows, classes: classes) { chunk in
                for row in chunk {
                    let weight = weights[row] * inverseTemperature
                    for k in row * classes..<(row + 1) * classes {
                        let q = exp(logQ[k])
                        if let ds { ds[k] = weight * (exp(logP[k]) - q) }
                        if let dt { dt[k] = weight * q * (logQ[k] - logP[k] - kl[row]) }
                    }
                }
            }
        }
        return (teacherGradient, studentGradient)
    }
}
