import Autograd
import Tensor

/// A tensor a module keeps but does not train (BatchNorm's running statistics), reached
/// through accessors so the owning layer can store it in whatever form its op wants.
public struct NamedBuffer {
    public let name: String
    public let read: () -> Tensor
    public let write: (Tensor) -> Void

    public init(_ name: String, read: @escaping () -> Tensor, write: @escaping (Tensor) -> Void) {
        self.name = name
        self.read = read
        self.write = write
    }
}

/// A building block of a network. Every parameter, buffer and child is listed explicitly
/// under its PyTorch state_dict name (no reflection), so key names are visible in the
/// code and loading a PyTorch checkpoint is a plain name lookup.
open class Module {
    public private(set) var isTraining = true

    public init() {}

    /// This module's own trainable tensors, under local names ("weight", "bias").
    open var localParameters: [(name: String, variable: Variable)] { [] }

    /// This module's own non-trainable state ("running_mean", ...).
    open var localBuffers: [NamedBuffer] { [] }

    /// Sub-modules, under the names that prefix their keys ("layer1", "0", "bn1").
    open var children: [(name: String, module: Module)] { [] }

    /// Every parameter in the tree, keyed like PyTorch's `named_parameters()`.
    public var namedParameters: [(name: String, variable: Variable)] {
        var result = localParameters
        for (childName, child) in children {
            result += child.namedParameters.map { ("\(childName).\($0.name)", $0.variable) }
        }
        return result
    }

    public var parameters: [Variable] { namedParameters.map(\.variable) }

    /// Every buffer in the tree, keyed like PyTorch's `named_buffers()`.
    public var namedBuffers: [NamedBuffer] {
        var result = localBuffers
        for (childName, child) in children {
            result += child.namedBuffers.map { buffer in
                NamedBuffer("\(childName).\(buffer.name)", read: buffer.read, write: buffer.write)
            }
        }
        return result
    }

    /// Train mode uses batch statistics and dropout; eval mode running statistics.
    public func train(_ training: Bool = true) {
        isTraining = training
        for (_, child) in children { child.train(training) }
    }

    public func eval() { train(false) }

    /// Freezing a network (the teacher; the student during synthesis) stops its weight
    /// gradients; gradients still flow through it to its input.
    public func setRequiresGradient(_ requiresGradient: Bool) {
        for parameter in parameters { parameter.requiresGrad = requiresGradient }
    }

    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
