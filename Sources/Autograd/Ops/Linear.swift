import Tensor

/// input x weight^T + bias with PyTorch's `Linear` layout: input [..., in],
/// weight [out, in], bias [out] -> [..., out]. Leading dimensions are flattened into rows.
public func linear(_ input: Variable, weight: Variable, bias: Variable? = nil) -> Variable {
    precondition(input.shape.count >= 1 && weight.shape.count == 2 && input.shape.last == weight.shape[1],
                 "linear cannot apply weight \(weight.shape) to input \(input.shape)")
    precondition(bias == nil || bias!.shape == [weight.shape[0]],
                 "linear bias \(bias!.shape) does not match weight \(weight.shape)")
    let outputShape = Array(input.shape.dropLast()) + [weight.shape[0]]
    let rows = input.shape.dropLast().reduce(1, *)
    let flatInput = input.value.reshaped([rows, weight.shape[1]])
    let weightValue = weight.value
    let output = MatmulKernels.linear(input: flatInput, weight: weightValue, bias: bias?.value)
        .reshaped(outputShape)
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    return recordOp("linear", output: output, inputs: inputs) { gradOutput, needs in
        let flatGradient = gradOutput.reshaped([rows, weightValue.shape[0]])
        // dx = dy W, dW = dy^T x, db = column sums of dy
        var gradients: [Tensor?] = [
            needs[0] ? MatmulKernels.multiply(flatGradient, weightValue).reshaped(input.shape) : nil,
            needs[1] ? MatmulKernels.multiply(flatGradient, flatInput, transposeA: true) : nil,
        ]
        if needs.count == 3 {
            gradients.append(needs[2] ? MatmulKernels.columnSums(flatGradient) : nil)
        }
        return gradients
    }
}

/// op(a) x op(b) for matrices ([M, K] x [K, N]) or batches of them ([B, M, K] x [B, K, N]);
/// `transposeA`/`transposeB` use a stored matrix transposed (attention's Q K^T) without
/// copying it.
public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
    if case .failure(let mismatch) = MatmulKernels.productShape(a.shape, b.shape, transposeA: transposeA,
                                                                transposeB: transposeB) {
        preconditionFailure(mismatch.message)
    }
    let (left, right) = (a.value, b.value)
    let output = MatmulKernels.multiply(left, right, transposeA: transposeA, transposeB: transposeB)
    return recordOp("matmul", output: output, inputs: [a, b]) { gradOutput, needs in
        // With C = op(A) op(B): d op(A) = dC op(B)^T and d op(B) = op(A)^T dC; a stored
        // transposed operand takes the transpose of its gradient, written here as one
        // product with swapped operands so nothing is copied.
        let gradientA: Tensor? = !needs[0] ? nil : transposeA
            ? MatmulKernels.multiply(right, gradOutput, transposeA: transposeB, transposeB: true)
            : MatmulKernels.multiply(gradOutput, right, transposeB: !transposeB)
        let gradientB: Tensor? = !needs[1] ? nil : transposeB
            ? MatmulKernels.multiply(gradOutput, left, transposeA: true, transposeB: transposeA)
            : MatmulKernels.multiply(left, gradOutput, transposeA: !transposeA)
        return [gradientA, gradientB]
    }
}
