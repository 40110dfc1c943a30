import Autograd
import NN
import Tensor

/// The post-activation residual block both CIFAR ResNet families use:
/// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), with a 1x1 conv + BN shortcut
/// when the shape changes. The families differ only in that shortcut's key name
/// (`downsample` in the resnet8..110 code, `shortcut` in the ResNet-18/34 code).
final class BasicBlock: Module, Layer {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm
    let projection: Sequential?
    let projectionName: String

    init(inputChannels: Int, outputChannels: Int, stride: Int, projectionName: String, random: inout RandomGenerator) {
        conv1 = Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3,
                       stride: stride, padding: 1, bias: false, random: &random)
        bn1 = BatchNorm(features: outputChannels)
        conv2 = Conv2d(inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3,
                       padding: 1, bias: false, random: &random)
        bn2 = BatchNorm(features: outputChannels)
        projection = stride != 1 || inputChannels != outputChannels
            ? Sequential([Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1,
                                 stride: stride, bias: false, random: &random),
                          BatchNorm(features: outputChannels)])
            : nil
        self.projectionName = projectionName
    }

    override var children: [(name: String, module: Module)] {
        [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]
            + (projection.map { [(projectionName, $0)] } ?? [])
    }

    func callAsFunction(_ input: Variable) -> Variable {
        let out = normalizedConvolution(normalizedConvolution(input, conv1, bn1, rectified: true), conv2, bn2,
                                        rectified: false)
        return reluOfSum(out, projection?(input) ?? input)
    }
}
