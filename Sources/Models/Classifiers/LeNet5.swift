import Autograd
import NN
import Tensor

/// LeNet-5 as in DAFL (the ZSKD/DAFL Fashion-MNIST baselines): three 5x5 convs with
/// ReLU and max-pooling, then 120 -> 84 -> classes. Needs 32x32 inputs. No BatchNorm,
/// so it can be a student but not a NAYER teacher. Keys: features.{0,3,6}, fc.{0,2}.
public final class LeNet5: Module, Layer {
    let features: Sequential
    let fc: Sequential

    public init(classCount: Int, inputChannels: Int = 1, random: inout RandomGenerator) {
        features = Sequential([
            Conv2d(inputChannels: inputChannels, outputChannels: 6, kernelSize: 5, random: &random), ReLU(),
            MaxPool2d(kernelSize: 2, stride: 2),
            Conv2d(inputChannels: 6, outputChannels: 16, kernelSize: 5, random: &random), ReLU(),
            MaxPool2d(kernelSize: 2, stride: 2),
            Conv2d(inputChannels: 16, outputChannels: 120, kernelSize: 5, random: &random), ReLU(),
        ])
        fc = Sequential([
            Linear(inputFeatures: 120, outputFeatures: 84, random: &random), ReLU(),
            Linear(inputFeatures: 84, outputFeatures: classCount, random: &random),
        ])
    }

    public override var children: [(name: String, module: Module)] {
        [("features", features), ("fc", fc)]
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        fc(flatten(features(input)))
    }
}
