import Tensor

/// A tensor in the computation graph. Leaves are parameters and inputs; every other
/// variable remembers the op (`Node`) that produced it, so `backward()` can walk the
/// graph in reverse.
public final class Variable {
    public var value: Tensor
    /// Accumulated gradient of a leaf that requires one; summed across backward passes
    /// until `zeroGradient()`, as in PyTorch.
    public var grad: Tensor?
    /// A frozen network's parameters set this to false: ops then skip their weight
    /// gradients but still pass gradients through to inputs that need them.
    public var requiresGrad: Bool
    /// Set for outputs of recorded ops; nil for leaves and for no-grad results.
    let creator: Node?

    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.creator = nil
    }

    init(value: Tensor, creator: Node) {
        self.value = value
        self.requiresGrad = true
        self.creator = creator
    }

    public var shape: [Int] { value.shape }
    public var isLeaf: Bool { creator == nil }

    /// The same value cut off from the graph.
    public func detached() -> Variable { Variable(value, requiresGrad: false) }

    public func zeroGradient() { grad = nil }
}

/// One recorded op: its inputs, and how to turn the gradient of its output into
/// gradients of those inputs. `needsGradient[i]` tells the op which inputs want one,
/// so a frozen weight costs no work.
final class Node {
    let name: String
    let inputs: [Variable]
    let backward: (_ gradOutput: Tensor, _ needsGradient: [Bool]) -> [Tensor?]

    init(name: String, inputs: [Variable],
         backward: @escaping (_ gradOutput: Tensor, _ needsGradient: [Bool]) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Records an op's result. Op files call this right after their forward kernel; in a
/// no-grad scope, or when no input needs a gradient, nothing is recorded and the
/// forward's saved tensors are released at once.
///
/// `backward` returns one entry per input, nil where `needsGradient` was false.
public func recordOp(
    _ name: String, output: Tensor, inputs: [Variable],
    backward: @escaping (_ gradOutput: Tensor, _ needsGradient: [Bool]) -> [Tensor?]
) -> Variable {
    guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else {
        return Variable(output)
    }
    return Variable(value: output, creator: Node(name: name, inputs: inputs, backward: backward))
}
