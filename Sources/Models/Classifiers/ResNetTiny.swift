import Autograd
import NN
import Tensor

/// The CIFAR ResNets of the data-free KD literature (RepDistiller's "resnet_tiny":
/// resnet8/14/20/32/44/56/110): a 3x3 stem and three stages of 16/32/64 channels.
/// Keys: conv1, bn1, layerS.I.{conv1,bn1,conv2,bn2,downsample.0,downsample.1}, fc.
public final class ResNetTiny: Module, Layer {
    let conv1: Conv2d, bn1: BatchNorm
    let stages: [Sequential]
    let fc: Linear

    public init(depth: Int, classCount: Int, inputChannels: Int = 3, random: inout RandomGenerator) {
        precondition((depth - 2) % 6 == 0 && depth >= 8, "CIFAR ResNet depth must be 6n+2, got \(depth)")
        let blocksPerStage = (depth - 2) / 6
        conv1 = Conv2d(inputChannels: inputChannels, outputChannels: 16, kernelSize: 3, padding: 1, bias: false, random: &random)
        bn1 = BatchNorm(features: 16)
        var channels = 16
        var stages: [Sequential] = []
        for (width, stride) in [(16, 1), (32, 2), (64, 2)] {
            var blocks: [any Layer] = []
            for index in 0..<blocksPerStage {
                blocks.append(BasicBlock(inputChannels: channels, outputChannels: width, stride: index == 0 ? stride : 1,
                                          projectionName: "downsample", random: &random))
                channels = width
            }
            stages.append(Sequential(blocks))
        }
        self.stages = stages
        fc = Linear(inputFeatures: 64, outputFeatures: classCount, random: &random)
    }

    public override var children: [(name: String, module: Module)] {
        [("conv1", conv1), ("bn1", bn1)] + stages.enumerated().map { ("layer\($0.offset + 1)", $0.element) } + [("fc", fc)]
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        var x = normalizedConvolution(input, conv1, bn1, rectified: true)
        for stage in stages { x = stage(x) }
        // Adaptive pooling: the reference's AvgPool2d(8) at 32x32, and any other size too.
        return fc(flatten(adaptiveAveragePool2d(x, outputSize: (1, 1))))
    }
}
