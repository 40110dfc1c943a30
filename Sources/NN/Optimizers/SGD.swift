import Autograd
import Tensor

/// Stochastic gradient descent with optional momentum, dampening, L2 weight decay and
/// Nesterov momentum, computed as torch.optim.SGD (foreach=False) does, including its
/// Float32 rounding: PyTorch's `add(x, alpha:)` is a fused multiply-add on the CPU, and
/// so is `fusedMultiplyAdd` here.
///
/// Per parameter with gradient g: g += weightDecay * p; with momentum, the buffer is g
/// on the first step and momentum * buf + (1 - dampening) * g afterwards, and g becomes
/// g + momentum * buf (Nesterov) or buf; then p -= learningRate * g.
public final class SGD: Optimizer {
    public let parameters: [(name: String, variable: Variable)]
    public var learningRate: Double
    public let momentum: Double
    public let dampening: Double
    public let weightDecay: Double
    public let nesterov: Bool

    /// Indexed like `parameters`; nil until the parameter's first update with momentum.
    /// Owned here alone (state() and restore() copy), so they are updated in place.
    private var momentumBuffers: [Tensor?]

    public init(
        parameters: [(name: String, variable: Variable)], learningRate: Double, momentum: Double = 0,
        dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false
    ) {
        precondition(learningRate >= 0, "SGD: learning rate \(learningRate) is negative")
        precondition(momentum >= 0, "SGD: momentum \(momentum) is negative")
        precondition(weightDecay >= 0, "SGD: weight decay \(weightDecay) is negative")
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "SGD: Nesterov momentum needs momentum > 0 and zero dampening")
        validateParameterList(parameters, optimizer: "SGD")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        for (index, (name, variable)) in parameters.enumerated() {
            guard let grad = checkedGradient(of: variable, name: name) else { continue }
            var buffer: Tensor? = nil
            var isFirstStep = false
            if momentum != 0 {
                isFirstStep = momentumBuffers[index] == nil
                buffer = momentumBuffers[index] ?? Tensor(uninitializedShape: variable.shape)
                momentumBuffers[index] = buffer
            }
            update(variable, gradient: grad, momentumBuffer: buffer, isFirstStep: isFirstStep)
        }
    }

    private func update(_ variable: Variable, gradient: Tensor, momentumBuffer: Tensor?, isFirstStep: Bool) {
        let decay = Float(weightDecay)
        let momentum = Float(self.momentum)
        let gradientScale = Float(1 - dampening)
        let negativeRate = Float(-learningRate)
        let useMomentum = momentumBuffer != nil
        let (nesterov, count) = (self.nesterov, variable.value.count)
        let grad = gradient.storage.pointer
        // Unused without momentum; pointing at the gradient keeps the pointer non-optional.
        let buffer = momentumBuffer?.storage.pointer ?? grad
        variable.value.withUnsafeMutableBufferPointer { values in
            let parameter = values.baseAddress!
            forEachElementChunk(count: count) { chunk in
                for i in chunk {
                    var g = grad[i]
                    if decay != 0 { g = fusedMultiplyAdd(parameter[i], decay, g) }
                    if useMomentum {
                        buffer[i] = isFirstStep ? g : fusedMultiplyAdd(g, gradientScale, buffer[i] * momentum)
                        g = nesterov ? fusedMultiplyAdd(buffer[i], momentum, g) : buffer[i]
                    }
                    parameter[i] = fusedMultiplyAdd(g, negativeRate, parameter[i])
                }
            }
        }
    }

    private var hyperparameters: [String: Double] {
        ["momentum": momentum, "dampening": dampening, "weight_decay": weightDecay, "nesterov": nesterov ? 1 : 0]
    }

    public func state() -> OptimizerState {
        var tensors: [String: Tensor] = [:]
        namedCopies(of: momentumBuffers, stateName: "momentum_buffer", into: &tensors)
        return OptimizerState(
            scalars: .init(kind: "SGD", learningRate: learningRate, hyperparameters: hyperparameters),
            tensors: tensors)
    }

    public func restore(_ state: OptimizerState) throws {
        try validateScalars(state.scalars, kind: "SGD", hyperparameters: hyperparameters)
        if let parameter = state.scalars.steps.keys.sorted().first {
            throw OptimizerStateError.unexpectedStepCount(parameter: parameter)
        }
        let buffers = try restoredTensors(named: ["momentum_buffer"], from: state.tensors)[0]
        if momentum == 0, let index = buffers.firstIndex(where: { $0 != nil }) {
            throw OptimizerStateError.unexpectedTensor(key: "momentum_buffer.\(parameters[index].name)")
        }
        momentumBuffers = buffers
        learningRate = state.scalars.learningRate
    }
}
