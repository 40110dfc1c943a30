import Autograd
import Tensor

/// Something that updates named parameters from their gradients, as a PyTorch
/// optimizer with one parameter group does. Parameters keep their PyTorch state_dict
/// names so the optimizer's state can be checkpointed and restored by name.
public protocol Optimizer: AnyObject {
    /// The parameters in update order, under their state_dict keys.
    var parameters: [(name: String, variable: Variable)] { get }
    /// Read at every `step()`, so a schedule may change it between steps.
    var learningRate: Double { get set }
    /// Updates every parameter that has a gradient; parameters whose `grad` is nil are
    /// skipped and their state left untouched, as in PyTorch.
    func step()
    /// A snapshot (copied tensors) of everything the next `step()` depends on.
    func state() -> OptimizerState
    /// Replaces the state with a snapshot taken from an optimizer with the same
    /// parameters and hyperparameters. Validates everything first: on error nothing changes.
    func restore(_ state: OptimizerState) throws
}

extension Optimizer {
    public func zeroGradients() {
        for (_, variable) in parameters { variable.zeroGradient() }
    }

    /// The tensor part of `state()`, keyed like "momentum_buffer.layer1.0.conv1.weight".
    public func stateTensors() -> [String: Tensor] { state().tensors }
}

/// An optimizer's checkpointable state: JSON-friendly scalars and named tensors
/// ("<state name>.<parameter key>"), stored by the caller in state.json and a
/// safetensors file respectively.
public struct OptimizerState: Sendable {
    public struct Scalars: Codable, Sendable, Equatable {
        /// "SGD" or "Adam"; restoring into the other kind is refused.
        public var kind: String
        public var learningRate: Double
        /// Fixed at construction; checked on restore because resuming with different
        /// values would silently give a different run.
        public var hyperparameters: [String: Double]
        /// Steps taken per parameter key (Adam's bias corrections depend on it); only
        /// parameters that have been updated at least once appear.
        public var steps: [String: Int]

        public init(kind: String, learningRate: Double, hyperparameters: [String: Double], steps: [String: Int] = [:]) {
            self.kind = kind
            self.learningRate = learningRate
            self.hyperparameters = hyperparameters
            self.steps = steps
        }
    }

    public var scalars: Scalars
    public var tensors: [String: Tensor]

    public init(scalars: Scalars, tensors: [String: Tensor]) {
        self.scalars = scalars
        self.tensors = tensors
    }
}

/// Why an optimizer refused a saved state; each case names the key at fault.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    case kindMismatch(expected: String, found: String)
    case hyperparameterMismatch(name: String, saved: Double?, current: Double?)
    case unexpectedTensor(key: String)
    case shapeMismatch(key: String, saved: [Int], expected: [Int])
    case incompleteState(parameter: String, missing: String)
    case unexpectedStepCount(parameter: String)
    case invalidStepCount(parameter: String, count: Int)

    public var description: String {
        switch self {
        case .kindMismatch(let expected, let found):
            return "optimizer state is for \(found), not \(expected)"
        case .hyperparameterMismatch(let name, let saved, let current):
            let describe = { (value: Double?) in value.map { "\($0)" } ?? "nothing" }
            return "optimizer state has \(name) = \(describe(saved)) but the optimizer uses \(describe(current))"
        case .unexpectedTensor(let key):
            return "optimizer state has tensor '\(key)', which names no state of any parameter"
        case .shapeMismatch(let key, let saved, let expected):
            return "optimizer state tensor '\(key)' has shape \(saved) but its parameter has shape \(expected)"
        case .incompleteState(let parameter, let missing):
            return "optimizer state for parameter '\(parameter)' lacks '\(missing)'"
        case .unexpectedStepCount(let parameter):
            return "optimizer state has a step count for '\(parameter)', which is not a parameter"
        case .invalidStepCount(let parameter, let count):
            return "optimizer state has step count \(count) for '\(parameter)'; it must be positive"
        }
    }
}

// MARK: - Shared by the optimizers

extension Optimizer {
    /// Refuses a state of another kind or with other hyperparameters.
    func validateScalars(_ scalars: OptimizerState.Scalars, kind: String, hyperparameters: [String: Double]) throws {
        guard scalars.kind == kind else {
            throw OptimizerStateError.kindMismatch(expected: kind, found: scalars.kind)
        }
        for (name, current) in hyperparameters.sorted(by: { $0.key < $1.key }) where scalars.hyperparameters[name] != current {
            throw OptimizerStateError.hyperparameterMismatch(name: name, saved: scalars.hyperparameters[name], current: current)
        }
        if let extra = scalars.hyperparameters.keys.sorted().first(where: { hyperparameters[$0] == nil }) {
            throw OptimizerStateError.hyperparameterMismatch(name: extra, saved: scalars.hyperparameters[extra], current: nil)
        }
    }

    /// The saved tensors "<name>.<parameter key>" for each name in `stateNames`, one
    /// array per name indexed like `parameters` (nil where absent), as private copies.
    /// Every tensor must belong to a parameter and have its shape.
    func restoredTensors(named stateNames: [String], from tensors: [String: Tensor]) throws -> [[Tensor?]] {
        var result = stateNames.map { _ in [Tensor?](repeating: nil, count: parameters.count) }
        var claimed = Set<String>()
        for (stateIndex, stateName) in stateNames.enumerated() {
            for (parameterIndex, (name, variable)) in parameters.enumerated() {
                let key = "\(stateName).\(name)"
                guard let tensor = tensors[key] else { continue }
                guard tensor.shape == variable.shape else {
                    throw OptimizerStateError.shapeMismatch(key: key, saved: tensor.shape, expected: variable.shape)
                }
                result[stateIndex][parameterIndex] = tensor.copied()
                claimed.insert(key)
            }
        }
        if let unexpected = tensors.keys.sorted().first(where: { !claimed.contains($0) }) {
            throw OptimizerStateError.unexpectedTensor(key: unexpected)
        }
        return result
    }

    /// Copies of the non-nil tensors of `buffers`, keyed "<stateName>.<parameter key>".
    func namedCopies(of buffers: [Tensor?], stateName: String, into tensors: inout [String: Tensor]) {
        for (index, buffer) in buffers.enumerated() {
            if let buffer { tensors["\(stateName).\(parameters[index].name)"] = buffer.copied() }
        }
    }
}

/// Checks the parameter list once at construction: duplicates would be updated twice
/// per step and make state keys ambiguous.
func validateParameterList(_ parameters: [(name: String, variable: Variable)], optimizer: String) {
    var names = Set<String>()
    var objects = Set<ObjectIdentifier>()
    for (name, variable) in parameters {
        precondition(names.insert(name).inserted, "\(optimizer): parameter name '\(name)' appears twice")
        precondition(objects.insert(ObjectIdentifier(variable)).inserted,
                     "\(optimizer): parameter '\(name)' is the same variable as an earlier one")
    }
}

/// The gradient of `variable`, checked against its value's shape.
func checkedGradient(of variable: Variable, name: String) -> Tensor? {
    guard let grad = variable.grad else { return nil }
    precondition(grad.shape == variable.shape,
                 "gradient of '\(name)' has shape \(grad.shape) but the parameter has shape \(variable.shape)")
    return grad
}

/// Elementwise updates are independent, so large parameters are split across cores;
/// small ones stay on the calling thread.
func forEachElementChunk(count: Int, _ body: (Range<Int>) -> Void) {
    Parallel.forEachChunk(of: 0..<count, minimumChunk: 1 << 15, body)
}

/// a * b + c rounded once to Float, as PyTorch's vectorized CPU kernels compute
/// `add(x, alpha:)`, `lerp` and `addcmul`. `Float.addingProduct` would be exact but is a
/// libm call per element on the baseline x86-64 target (no FMA instructions), six times
/// slower; in Double the product of two Floats is exact and only the sum is rounded
/// twice, which changes the Float result with probability around 2^-29.
@inline(__always)
func fusedMultiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
    Float(Double(a) * Double(b) + Double(c))
}
