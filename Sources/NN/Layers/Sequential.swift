import Autograd

/// Layers applied in order, keyed "0", "1", ... as torch.nn.Sequential.
public final class Sequential: Module, Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public override var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public func callAsFunction(_ input: Variable) -> Variable {
        layers.reduce(input) { value, layer in layer(value) }
    }
}
