import Tensor

/// Layer normalisation over the last axis, as torch.nn.functional.layer_norm with
/// normalized_shape = [D] for an input [..., D]; weight and bias, when given, are [D].
public func layerNorm(_ input: Variable, weight: Variable?, bias: Variable?, epsilon: Float = 1e-5) -> Variable {
    let shape = input.shape
    precondition(!shape.isEmpty, "layer norm of a scalar input")
    let width = shape[shape.count - 1]
    for (name, parameter) in [("weight", weight?.shape), ("bias", bias?.shape)] {
        if let parameter {
            precondition(parameter == [width], "layer norm \(name) \(parameter) does not fit input \(shape)")
        }
    }
    let (output, mean, inverse) = LayerNormKernels.forward(
        input.value, weight: weight?.value, bias: bias?.value, epsilon: epsilon)

    let inputValue = input.value
    let weightValue = weight?.value
    var inputs = [input]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let biasIndex = weight == nil ? 1 : 2
    return recordOp("layerNorm", output: output, inputs: inputs) { gradient, needs in
        var gradients = [Tensor?](repeating: nil, count: inputs.count)
        if needs[0] {
            gradients[0] = LayerNormKernels.inputGradient(
                gradOutput: gradient, input: inputValue, weight: weightValue, mean: mean, inverseDeviation: inverse)
        }
        let needsWeight = weight != nil && needs[1]
        let needsBias = bias != nil && needs[biasIndex]
        if needsWeight || needsBias {
            let affine = LayerNormKernels.affineGradients(
                gradOutput: gradient, input: inputValue, mean: mean, inverseDeviation: inverse)
            if needsWeight { gradients[1] = affine.weight }
            if needsBias { gradients[biasIndex] = affine.bias }
        }
        return gradients
    }
}
