import Autograd
import Tensor

/// A mismatch between a module and the tensors offered to it, naming the key at fault.
public struct StateDictionaryError: Error, CustomStringConvertible, Equatable {
    public enum Problem: Equatable, Sendable {
        case missingKeys([String])
        case unexpectedKeys([String])
        case shapeMismatch(key: String, expected: [Int], found: [Int])
    }

    public let source: String
    public let problem: Problem

    public var description: String {
        switch problem {
        case .missingKeys(let keys):
            return "\(source) lacks \(keys.count == 1 ? "key" : "keys") the model needs: \(keys.prefix(10).joined(separator: ", "))\(keys.count > 10 ? ", ..." : "")"
        case .unexpectedKeys(let keys):
            return "\(source) has \(keys.count == 1 ? "a key" : "keys") the model does not: \(keys.prefix(10).joined(separator: ", "))\(keys.count > 10 ? ", ..." : "")"
        case .shapeMismatch(let key, let expected, let found):
            return "\(source): '\(key)' has shape \(found) but the model expects \(expected)"
        }
    }
}

extension Module {
    /// Parameters and buffers by key, as PyTorch's `state_dict()`.
    public func stateDictionary() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, variable) in namedParameters { result[name] = variable.value }
        for buffer in namedBuffers { result[buffer.name] = buffer.read() }
        return result
    }

    /// Strict loading: the key sets must match exactly and every shape must agree; on any
    /// mismatch nothing is changed. `source` names the file in errors.
    public func load(stateDictionary tensors: [String: Tensor], source: String) throws {
        let parameters = namedParameters
        let buffers = namedBuffers
        var expectedShapes: [String: [Int]] = [:]
        for (name, variable) in parameters { expectedShapes[name] = variable.shape }
        for buffer in buffers { expectedShapes[buffer.name] = buffer.read().shape }

        let missing = expectedShapes.keys.filter { tensors[$0] == nil }.sorted()
        guard missing.isEmpty else {
            throw StateDictionaryError(source: source, problem: .missingKeys(missing))
        }
        let unexpected = tensors.keys.filter { expectedShapes[$0] == nil }.sorted()
        guard unexpected.isEmpty else {
            throw StateDictionaryError(source: source, problem: .unexpectedKeys(unexpected))
        }
        for key in expectedShapes.keys.sorted() {
            let found = tensors[key]!.shape
            // PyTorch stores num_batches_tracked as a 0-d tensor; accept [] and [1] alike.
            let expected = expectedShapes[key]!
            if found != expected && !(found.reduce(1, *) == 1 && expected.reduce(1, *) == 1) {
                throw StateDictionaryError(source: source, problem: .shapeMismatch(key: key, expected: expected, found: found))
            }
        }

        for (name, variable) in parameters {
            variable.value = tensors[name]!.reshaped(variable.shape).copied()
        }
        for buffer in buffers {
            buffer.write(tensors[buffer.name]!.reshaped(buffer.read().shape).copied())
        }
    }
}
