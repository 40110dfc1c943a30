import Autograd
import NN
import Tensor

/// An architecture name that the zoo does not know, with the names it does.
public struct UnknownArchitecture: Error, CustomStringConvertible, Equatable {
    public let name: String
    public init(name: String) { self.name = name }
    public var description: String {
        "unknown architecture '\(name)'; known: \(ModelZoo.architectures.joined(separator: ", "))"
    }
}

/// Classifiers by the names the DFKD literature's code uses.
public enum ModelZoo {
    public static let architectures = [
        "resnet8", "resnet14", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
        "resnet18", "resnet34",
        "wrn16_1", "wrn16_2", "wrn40_1", "wrn40_2",
        "vgg8_bn", "vgg11_bn", "vgg13_bn",
        "lenet5",
    ]

    /// Smallest input side each architecture works at (LeNet's convs need 32).
    public static func minimumInputSize(_ name: String) -> Int {
        name == "lenet5" ? 32 : 8
    }

    private static let aliases = ["wrn_16_1": "wrn16_1", "wrn_16_2": "wrn16_2", "wrn_40_1": "wrn40_1",
                                  "wrn_40_2": "wrn40_2", "vgg8": "vgg8_bn", "vgg11": "vgg11_bn", "vgg13": "vgg13_bn",
                                  "lenet": "lenet5"]

    /// The zoo's own name for `name` (which may be an alias such as "wrn_16_1"), or an
    /// error listing the known architectures. Cheap: checks a name without building a network.
    public static func canonicalName(_ name: String) throws -> String {
        let canonical = aliases[name] ?? name
        guard architectures.contains(canonical) else { throw UnknownArchitecture(name: name) }
        return canonical
    }

    /// A freshly initialised classifier (PyTorch's default initialisation).
    public static func make(_ name: String, classCount: Int, inputChannels: Int = 3,
                            random: inout RandomGenerator) throws -> any Layer {
        let canonical = try canonicalName(name)
        switch canonical {
        case "resnet8", "resnet14", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110":
            return ResNetTiny(depth: Int(canonical.dropFirst("resnet".count))!, classCount: classCount,
                              inputChannels: inputChannels, random: &random)
        case "resnet18":
            return ResNetCIFAR(blocks: [2, 2, 2, 2], classCount: classCount, inputChannels: inputChannels, random: &random)
        case "resnet34":
            return ResNetCIFAR(blocks: [3, 4, 6, 3], classCount: classCount, inputChannels: inputChannels, random: &random)
        case "wrn16_1", "wrn16_2", "wrn40_1", "wrn40_2":
            let parts = canonical.dropFirst(3).split(separator: "_").compactMap { Int($0) }
            return WideResNet(depth: parts[0], widenFactor: parts[1], classCount: classCount,
                              inputChannels: inputChannels, random: &random)
        case "vgg8_bn":
            return VGG(configuration: .vgg8, classCount: classCount, inputChannels: inputChannels, random: &random)
        case "vgg11_bn":
            return VGG(configuration: .vgg11, classCount: classCount, inputChannels: inputChannels, random: &random)
        case "vgg13_bn":
            return VGG(configuration: .vgg13, classCount: classCount, inputChannels: inputChannels, random: &random)
        case "lenet5":
            return LeNet5(classCount: classCount, inputChannels: inputChannels, random: &random)
        default:
            throw UnknownArchitecture(name: name)
        }
    }

    /// Every BatchNorm layer in the network, in forward order of registration (the
    /// teacher's BN-statistics loss needs them all).
    public static func batchNormLayers(of module: Module) -> [BatchNorm] {
        var result: [BatchNorm] = []
        var stack: [Module] = [module]
        while let current = stack.popLast() {
            if let layer = current as? BatchNorm { result.append(layer) }
            stack.append(contentsOf: current.children.map(\.module).reversed())
        }
        return result
    }
}
