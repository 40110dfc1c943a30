import Autograd
import NN
import Tensor

/// CIFAR ResNet-18/34 (the DAFL lineage): 3x3 stem, no max-pool, four stages of
/// 64/128/256/512 channels. Keys: conv1, bn1, layerS.I.{conv1,bn1,conv2,bn2,shortcut.0,shortcut.1}, linear.
public final class ResNetCIFAR: Module, Layer {
    let conv1: Conv2d, bn1: BatchNorm
    let stages: [Sequential]
    let classifier: Linear

    /// `blocks` per stage: [2, 2, 2, 2] for ResNet-18, [3, 4, 6, 3] for ResNet-34.
    public init(blocks: [Int], classCount: Int, inputChannels: Int = 3, random: inout RandomGenerator) {
        precondition(blocks.count == 4, "CIFAR ResNet needs four stage sizes")
        conv1 = Conv2d(inputChannels: inputChannels, outputChannels: 64, kernelSize: 3, padding: 1, bias: false, random: &random)
        bn1 = BatchNorm(features: 64)
        var channels = 64
        var stages: [Sequential] = []
        for (stage, (width, stride)) in [(64, 1), (128, 2), (256, 2), (512, 2)].enumerated() {
            var layers: [any Layer] = []
            for index in 0..<blocks[stage] {
                layers.append(BasicBlock(inputChannels: channels, outputChannels: width, stride: index == 0 ? stride : 1,
                                          projectionName: "shortcut", random: &random))
                channels = width
            }
            stages.append(Sequential(layers))
        }
        self.stages = stages
        classifier = Linear(inputFeatures: 512, outputFeatures: classCount, random: &random)
    }

    public override var children: [(name: String, module: Module)] {
        [("conv1", conv1), ("bn1", bn1)] + stages.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
            + [("linear", classifier)]
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        var x = normalizedConvolution(input, conv1, bn1, rectified: true)
        for stage in stages { x = stage(x) }
        return classifier(flatten(adaptiveAveragePool2d(x, outputSize: (1, 1))))
    }
}
