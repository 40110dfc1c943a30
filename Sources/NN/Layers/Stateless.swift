import Autograd
import Tensor

/// Layers without parameters. They are modules so that a `Sequential` keeps PyTorch's
/// index numbering (in VGG's `block2.4.running_mean`, index 2 is a ReLU).
public final class ReLU: Module, Layer {
    public override init() {}
    public func callAsFunction(_ input: Variable) -> Variable { relu(input) }
}

public final class LeakyReLU: Module, Layer {
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public func callAsFunction(_ input: Variable) -> Variable { leakyRelu(input, negativeSlope: negativeSlope) }
}

public final class Sigmoid: Module, Layer {
    public override init() {}
    public func callAsFunction(_ input: Variable) -> Variable { sigmoid(input) }
}

public final class Identity: Module, Layer {
    public override init() {}
    public func callAsFunction(_ input: Variable) -> Variable { input }
}

/// Collapses every axis from `startAxis` on, as torch.flatten(x, 1).
public final class Flatten: Module, Layer {
    public let startAxis: Int
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    public func callAsFunction(_ input: Variable) -> Variable { flatten(input, startAxis: startAxis) }
}

public final class MaxPool2d: Module, Layer {
    public let kernelSize: Int
    public let stride: Int
    public init(kernelSize: Int, stride: Int? = nil) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }
    public func callAsFunction(_ input: Variable) -> Variable {
        maxPool2d(input, kernelSize: kernelSize, stride: stride)
    }
}

/// Average pooling to a fixed output size whatever the input size.
public final class AdaptiveAveragePool2d: Module, Layer {
    public let outputSize: (height: Int, width: Int)
    public init(outputSize: (height: Int, width: Int) = (1, 1)) { self.outputSize = outputSize }
    public func callAsFunction(_ input: Variable) -> Variable {
        adaptiveAveragePool2d(input, outputSize: outputSize)
    }
}

/// Nearest-neighbour upsampling by 2, as nn.Upsample(scale_factor=2).
public final class Upsample2x: Module, Layer {
    public override init() {}
    public func callAsFunction(_ input: Variable) -> Variable { upsampleNearest2x(input) }
}
