import Tensor

/// 2-D convolution, PyTorch's `conv2d` with square stride and padding.
///
/// input [N, Cin, H, W], weight [Cout, Cin / groups, kh, kw], bias [Cout]
/// -> [N, Cout, (H + 2 * padding - kh) / stride + 1, (W + 2 * padding - kw) / stride + 1].
/// Backward computes only the gradients the graph needs: a frozen weight costs nothing.
public func conv2d(
    _ input: Variable, weight: Variable, bias: Variable? = nil,
    stride: Int = 1, padding: Int = 0, groups: Int = 1
) -> Variable {
    let problem = Conv2dGeometry.problem(inputShape: input.shape, weightShape: weight.shape,
                                         stride: stride, padding: padding, groups: groups)
    precondition(problem == nil, problem ?? "")
    precondition(bias == nil || bias!.shape == [weight.shape[0]],
                 "conv2d bias \(bias!.shape) does not match weight \(weight.shape)")
    let geometry = Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape,
                                  stride: stride, padding: padding, groups: groups)!
    let (inputValue, weightValue) = (input.value, weight.value)
    let output = Conv2dKernels.forward(input: inputValue, weight: weightValue, bias: bias?.value,
                                       geometry: geometry)
    let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
    return recordOp("conv2d", output: output, inputs: inputs) { gradOutput, needs in
        var gradients: [Tensor?] = [
            needs[0] ? Conv2dKernels.backwardInput(gradOutput: gradOutput, weight: weightValue, geometry: geometry) : nil,
            needs[1] ? Conv2dKernels.backwardWeight(gradOutput: gradOutput, input: inputValue, geometry: geometry) : nil,
        ]
        if needs.count == 3 {
            gradients.append(needs[2] ? Conv2dKernels.backwardBias(gradOutput: gradOutput) : nil)
        }
        return gradients
    }
}
