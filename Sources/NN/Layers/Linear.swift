import Autograd
import Tensor

/// y = x W^T + b, with W of shape [out, in] as in torch.nn.Linear.
public final class Linear: Module, Layer {
    public let weight: Variable
    public let bias: Variable?

    public init(inputFeatures: Int, outputFeatures: Int, bias hasBias: Bool = true, random: inout RandomGenerator) {
        weight = DefaultInitialization.weight(shape: [outputFeatures, inputFeatures], fanIn: inputFeatures, random: &random)
        bias = hasBias
            ? DefaultInitialization.weight(shape: [outputFeatures], fanIn: inputFeatures, random: &random) : nil
    }

    public var inputFeatures: Int { weight.shape[1] }
    public var outputFeatures: Int { weight.shape[0] }

    public override var localParameters: [(name: String, variable: Variable)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        linear(input, weight: weight, bias: bias)
    }
}
