import Autograd
import NN
import Tensor

/// Wide ResNets (WRN-16-1, 16-2, 40-1, 40-2) as in the ZSKT code the DFKD literature uses:
/// pre-activation blocks. Keys: conv1, blockS.layer.I.{bn1,conv1,bn2,conv2,convShortcut}, bn1, fc.
public final class WideResNet: Module, Layer {
    final class Block: Module, Layer {
        let bn1: BatchNorm, conv1: Conv2d, bn2: BatchNorm, conv2: Conv2d
        let convShortcut: Conv2d?

        init(inputChannels: Int, outputChannels: Int, stride: Int, random: inout RandomGenerator) {
            bn1 = BatchNorm(features: inputChannels)
            conv1 = Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3,
                           stride: stride, padding: 1, bias: false, random: &random)
            bn2 = BatchNorm(features: outputChannels)
            conv2 = Conv2d(inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3,
                           padding: 1, bias: false, random: &random)
            convShortcut = inputChannels == outputChannels ? nil
                : Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1,
                         stride: stride, bias: false, random: &random)
        }

        override var children: [(name: String, module: Module)] {
            [("bn1", bn1), ("conv1", conv1), ("bn2", bn2), ("conv2", conv2)]
                + (convShortcut.map { [("convShortcut", $0)] } ?? [])
        }

        func callAsFunction(_ input: Variable) -> Variable {
            let activated = bn1.reluOfNormalized(input)
            let out = conv2(normalizedConvolution(activated, conv1, bn2, rectified: true))
            // With a shortcut conv the reference feeds it the activated input; without one
            // the raw input is added.
            return (convShortcut?(activated) ?? input) + out
        }
    }

    /// ZSKT's NetworkBlock: a container whose only child is `layer`.
    final class Stage: Module, Layer {
        let layer: Sequential
        init(_ layer: Sequential) { self.layer = layer }
        override var children: [(name: String, module: Module)] { [("layer", layer)] }
        func callAsFunction(_ input: Variable) -> Variable { layer(input) }
    }

    let conv1: Conv2d
    let stages: [Stage]
    let bn1: BatchNorm
    let fc: Linear

    public init(depth: Int, widenFactor: Int, classCount: Int, inputChannels: Int = 3, random: inout RandomGenerator) {
        precondition((depth - 4) % 6 == 0 && depth >= 10, "WRN depth must be 6n+4, got \(depth)")
        let blocksPerStage = (depth - 4) / 6
        let widths = [16 * widenFactor, 32 * widenFactor, 64 * widenFactor]
        conv1 = Conv2d(inputChannels: inputChannels, outputChannels: 16, kernelSize: 3, padding: 1, bias: false, random: &random)
        var channels = 16
        var stages: [Stage] = []
        for (width, stride) in zip(widths, [1, 2, 2]) {
            var blocks: [any Layer] = []
            for index in 0..<blocksPerStage {
                blocks.append(Block(inputChannels: index == 0 ? channels : width, outputChannels: width,
                                    stride: index == 0 ? stride : 1, random: &random))
            }
            channels = width
            stages.append(Stage(Sequential(blocks)))
        }
        self.stages = stages
        bn1 = BatchNorm(features: channels)
        fc = Linear(inputFeatures: channels, outputFeatures: classCount, random: &random)
    }

    public override var children: [(name: String, module: Module)] {
        [("conv1", conv1)] + stages.enumerated().map { ("block\($0.offset + 1)", $0.element) } + [("bn1", bn1), ("fc", fc)]
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        var x = conv1(input)
        for stage in stages { x = stage(x) }
        return fc(flatten(adaptiveAveragePool2d(bn1.reluOfNormalized(x), outputSize: (1, 1))))
    }
}
