import Tensor

extension Variable {
    /// Reverse-mode differentiation from this variable. `seed` is dL/d(self); it defaults
    /// to ones, which is what a scalar loss wants. Leaves that require a gradient get it
    /// added to their `grad`.
    public func backward(seed: Tensor? = nil) {
        let seed = seed ?? Tensor(shape: shape, repeating: 1)
        precondition(seed.shape == shape, "backward seed \(seed.shape) does not match \(shape)")
        guard requiresGrad else { return }
        guard creator != nil else {
            accumulateGradient(seed)
            return
        }

        let order = Variable.reverseTopologicalOrder(from: self)
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for variable in order {
            guard let node = variable.creator,
                  let gradOutput = pending.removeValue(forKey: ObjectIdentifier(variable)) else { continue }
            let needs = node.inputs.map(\.requiresGrad)
            let gradients = node.backward(gradOutput, needs)
            precondition(gradients.count == node.inputs.count,
                         "\(node.name) backward returned \(gradients.count) gradients for \(node.inputs.count) inputs")
            for (input, gradient) in zip(node.inputs, gradients) where input.requiresGrad {
                guard let gradient else { continue }
                precondition(gradient.shape == input.shape,
                             "\(node.name) backward gave a gradient of shape \(gradient.shape) for an input of shape \(input.shape)")
                if input.creator == nil {
                    input.accumulateGradient(gradient)
                } else if var existing = pending.removeValue(forKey: ObjectIdentifier(input)) {
                    // Out of the dictionary first, so the add can reuse its storage in place.
                    Elementwise.add(gradient, into: &existing)
                    pending[ObjectIdentifier(input)] = existing
                } else {
                    pending[ObjectIdentifier(input)] = gradient
                }
            }
        }
    }

    func accumulateGradient(_ gradient: Tensor) {
        if var existing = grad {
            grad = nil
            Elementwise.add(gradient, into: &existing)
            grad = existing
        } else {
            grad = gradient
        }
    }

    /// Variables reachable from `root` through recorded ops, each after every variable
    /// that consumes it. Iterative, because a deep network would overflow the stack.
    static func reverseTopologicalOrder(from root: Variable) -> [Variable] {
        var visited = Set<ObjectIdentifier>()
        var postOrder: [Variable] = []
        var stack: [(Variable, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (variable, nextInput) = stack.popLast() {
            let inputs = variable.creator?.inputs ?? []
            if nextInput < inputs.count {
                stack.append((variable, nextInput + 1))
                let input = inputs[nextInput]
                if input.requiresGrad, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                postOrder.append(variable)
            }
        }
        return postOrder.reversed()
    }
}
