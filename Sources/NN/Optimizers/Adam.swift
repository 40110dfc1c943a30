import Autograd
import Foundation
import Tensor

/// Adam with L2 weight decay added to the gradient (torch.optim.Adam, not AdamW),
/// computed in the order and Float32 rounding of PyTorch's single-tensor (foreach=False)
/// path, so runs agree with PyTorch to a few ulps. (PyTorch's CPU sqrt goes through
/// MKL and is not always correctly rounded, so bit equality is out of reach.)
///
/// Per parameter, with its own step count t (parameters skipped for lack of a gradient
/// do not count the step, as in PyTorch):
///   g += weightDecay * p
///   m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
///   denom = sqrt(v) / sqrt(1 - beta2^t) + epsilon
///   p -= learningRate / (1 - beta1^t) * m / denom
/// The bias corrections and step size are computed in Double, as Python does.
public final class Adam: Optimizer {
    public let parameters: [(name: String, variable: Variable)]
    public var learningRate: Double
    public let betas: (Double, Double)
    public let epsilon: Double
    public let weightDecay: Double

    /// Indexed like `parameters`; nil (and step 0) until the parameter's first update.
    /// Owned here alone (state() and restore() copy), so they are updated in place.
    private var firstMoments: [Tensor?]
    private var secondMoments: [Tensor?]
    private var steps: [Int]

    public init(
        parameters: [(name: String, variable: Variable)], learningRate: Double = 1e-3,
        betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8, weightDecay: Double = 0
    ) {
        precondition(learningRate >= 0, "Adam: learning rate \(learningRate) is negative")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1),
                     "Adam: betas \(betas) must lie in [0, 1)")
        precondition(epsilon >= 0, "Adam: epsilon \(epsilon) is negative")
        precondition(weightDecay >= 0, "Adam: weight decay \(weightDecay) is negative")
        validateParameterList(parameters, optimizer: "Adam")
        self.parameters = parameters
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.firstMoments = Array(repeating: nil, count: parameters.count)
        self.secondMoments = Array(repeating: nil, count: parameters.count)
        self.steps = Array(repeating: 0, count: parameters.count)
    }

    public func step() {
        for (index, (name, variable)) in parameters.enumerated() {
            guard let grad = checkedGradient(of: variable, name: name) else { continue }
            if firstMoments[index] == nil {
                firstMoments[index] = Tensor(zeros: variable.shape)
                secondMoments[index] = Tensor(zeros: variable.shape)
            }
            steps[index] += 1
            update(variable, gradient: grad, firstMoment: firstMoments[index]!,
                   secondMoment: secondMoments[index]!, step: steps[index])
        }
    }

    private func update(_ variable: Variable, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, step: Int) {
        let (beta1, beta2) = betas
        let biasCorrection1 = 1 - pow(beta1, Double(step))
        let biasCorrection2 = 1 - pow(beta2, Double(step))
        let negativeStepSize = Float(-(learningRate / biasCorrection1))
        let biasCorrection2Root = Float(pow(biasCorrection2, 0.5))
        let decay = Float(weightDecay)
        // PyTorch's lerp picks the formula by weight size for accuracy at both ends.
        let weight = Float(1 - beta1)
        let weightIsSmall = abs(weight) < 0.5
        let weightMinusOne = weight - 1
        let beta2Float = Float(beta2)
        let squareScale = Float(1 - beta2)
        let epsilon = Float(self.epsilon)
        let count = variable.value.count
        let grad = gradient.storage.pointer
        let m = firstMoment.storage.pointer
        let v = secondMoment.storage.pointer
        variable.value.withUnsafeMutableBufferPointer { values in
            let parameter = values.baseAddress!
            forEachElementChunk(count: count) { chunk in
                for i in chunk {
                    var g = grad[i]
                    if decay != 0 { g = fusedMultiplyAdd(parameter[i], decay, g) }
                    let difference = g - m[i]
                    m[i] = weightIsSmall ? fusedMultiplyAdd(weight, difference, m[i])
                                         : fusedMultiplyAdd(weightMinusOne, difference, g)
                    v[i] = fusedMultiplyAdd(squareScale * g, g, v[i] * beta2Float)
                    let denominator = v[i].squareRoot() / biasCorrection2Root + epsilon
                    parameter[i] = parameter[i] + negativeStepSize * m[i] / denominator
                }
            }
        }
    }

    private var hyperparameters: [String: Double] {
        ["beta1": betas.0, "beta2": betas.1, "epsilon": epsilon, "weight_decay": weightDecay]
    }

    public func state() -> OptimizerState {
        var tensors: [String: Tensor] = [:]
        namedCopies(of: firstMoments, stateName: "exp_avg", into: &tensors)
        namedCopies(of: secondMoments, stateName: "exp_avg_sq", into: &tensors)
        var stepCounts: [String: Int] = [:]
        for (index, count) in steps.enumerated() where count > 0 { stepCounts[parameters[index].name] = count }
        return OptimizerState(
            scalars: .init(kind: "Adam", learningRate: learningRate, hyperparameters: hyperparameters, steps: stepCounts),
            tensors: tensors)
    }

    public func restore(_ state: OptimizerState) throws {
        try validateScalars(state.scalars, kind: "Adam", hyperparameters: hyperparameters)
        let names = Set(parameters.map(\.name))
        if let unknown = state.scalars.steps.keys.sorted().first(where: { !names.contains($0) }) {
            throw OptimizerStateError.unexpectedStepCount(parameter: unknown)
        }
        let moments = try restoredTensors(named: ["exp_avg", "exp_avg_sq"], from: state.tensors)
        var restoredSteps = Array(repeating: 0, count: parameters.count)
        // A parameter has either no state (never updated) or all three pieces.
        for (index, (name, _)) in parameters.enumerated() {
            let pieces: [(String, Bool)] = [("exp_avg", moments[0][index] != nil),
                                            ("exp_avg_sq", moments[1][index] != nil),
                                            ("step", state.scalars.steps[name] != nil)]
            if pieces.contains(where: \.1), let missing = pieces.first(where: { !$0.1 }) {
                throw OptimizerStateError.incompleteState(parameter: name, missing: missing.0)
            }
            if let count = state.scalars.steps[name] {
                guard count > 0 else { throw OptimizerStateError.invalidStepCount(parameter: name, count: count) }
                restoredSteps[index] = count
            }
        }
        firstMoments = moments[0]
        secondMoments = moments[1]
        steps = restoredSteps
        learningRate = state.scalars.learningRate
    }
}
