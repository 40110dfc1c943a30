import Autograd

/// A module with one input and one output, which is every layer and model in the zoo.
public protocol Layer: Module {
    func callAsFunction(_ input: Variable) -> Variable
}

/// PyTorch's default initialisation (`reset_parameters` of Conv2d and Linear):
/// kaiming_uniform_(a = sqrt(5)) for weights, which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
/// and the same bound for biases.
public enum DefaultInitialization {
    public static func uniformBound(fanIn: Int) -> Float {
        fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    }

    public static func weight(shape: [Int], fanIn: Int, random: inout RandomGenerator) -> Variable {
        let bound = uniformBound(fanIn: fanIn)
        return Variable(random.uniformTensor(shape: shape, in: -bound...bound), requiresGrad: true)
    }
}

import Tensor
