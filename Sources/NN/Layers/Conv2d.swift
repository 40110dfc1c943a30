import Autograd
import Tensor

/// 2-D convolution over [N, C, H, W], weight [out, in / groups, k, k], as torch.nn.Conv2d.
public final class Conv2d: Module, Layer {
    public let weight: Variable
    public let bias: Variable?
    public let stride: Int
    public let padding: Int
    public let groups: Int

    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                groups: Int = 1, bias hasBias: Bool = true, random: inout RandomGenerator) {
        precondition(inputChannels % groups == 0 && outputChannels % groups == 0,
                     "conv channels \(inputChannels) -> \(outputChannels) not divisible by \(groups) groups")
        let fanIn = inputChannels / groups * kernelSize * kernelSize
        weight = DefaultInitialization.weight(shape: [outputChannels, inputChannels / groups, kernelSize, kernelSize],
                                              fanIn: fanIn, random: &random)
        bias = hasBias ? DefaultInitialization.weight(shape: [outputChannels], fanIn: fanIn, random: &random) : nil
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public var outputChannels: Int { weight.shape[0] }

    public override var localParameters: [(name: String, variable: Variable)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups)
    }
}
