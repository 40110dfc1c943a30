import Autograd
import NN
import Tensor

/// VGG-8/11/13 with BatchNorm as in RepDistiller's vgg.py: five conv blocks, each
/// conv (with bias) + BN + ReLU, except that every block drops its last ReLU (the
/// forward applies it after the block). Keys: blockB.{I}.weight..., classifier.
public final class VGG: Module, Layer {
    public enum Configuration: Sendable {
        case vgg8, vgg11, vgg13

        var widths: [[Int]] {
            switch self {
            case .vgg8: [[64], [128], [256], [512], [512]]
            case .vgg11: [[64], [128], [256, 256], [512, 512], [512, 512]]
            case .vgg13: [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]]
            }
        }
    }

    let blocks: [Sequential]
    let classifier: Linear

    public init(configuration: Configuration, classCount: Int, inputChannels: Int = 3, random: inout RandomGenerator) {
        var channels = inputChannels
        var blocks: [Sequential] = []
        for widths in configuration.widths {
            var layers: [any Layer] = []
            for width in widths {
                layers.append(Conv2d(inputChannels: channels, outputChannels: width, kernelSize: 3, padding: 1, random: &random))
                layers.append(BatchNorm(features: width))
                layers.append(ReLU())
                channels = width
            }
            layers.removeLast()
            blocks.append(Sequential(layers))
        }
        self.blocks = blocks
        classifier = Linear(inputFeatures: 512, outputFeatures: classCount, random: &random)
    }

    public override var children: [(name: String, module: Module)] {
        blocks.enumerated().map { ("block\($0.offset)", $0.element) } + [("classifier", classifier)]
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        let height = input.shape[2]
        var x = input
        for (index, block) in blocks.enumerated() {
            x = relu(block(x))
            // pool0..pool2 always; pool3 only for 64-pixel inputs, as the reference.
            if index < 3 || (index == 3 && height == 64) {
                x = maxPool2d(x, kernelSize: 2, stride: 2)
            }
        }
        return classifier(flatten(adaptiveAveragePool2d(x, outputSize: (1, 1))))
    }
}
