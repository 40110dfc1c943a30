import Autograd
import Foundation
import Models
import NN
import Tensor

/// The deterministic "formula weights" of docs/model-zoo.md, which the PyTorch fixture
/// script fills its models with, so fixtures need not carry megabytes of weights.
enum FormulaWeights {
    enum Kind { case affine, batchNorm }

    /// Every state-dict key with the kind of module that owns it.
    static func kinds(of module: Module, prefix: String = "") -> [String: Kind] {
        var result: [String: Kind] = [:]
        let own = module is BatchNorm ? Kind.batchNorm : .affine
        for (name, _) in module.localParameters { result[prefix + name] = own }
        for buffer in module.localBuffers { result[prefix + buffer.name] = own }
        for (name, child) in module.children {
            result.merge(kinds(of: child, prefix: "\(prefix)\(name)."), uniquingKeysWith: { first, _ in first })
        }
        return result
    }

    static func sortedKeys(_ keys: some Sequence<String>) -> [String] {
        keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    static func stateDictionary(for module: Module) -> [String: Tensor] {
        let kinds = kinds(of: module)
        let shapes = module.stateDictionary().mapValues(\.shape)
        var result: [String: Tensor] = [:]
        for (index, key) in sortedKeys(shapes.keys).enumerated() {
            let shape = shapes[key]!
            let attribute = String(key.split(separator: ".").last!)
            let count = shape.reduce(1, *)
            let fanIn = shape.dropFirst().reduce(1, *)
            let values: [Float] = (0..<count).map { j in
                let u = Double((j * 7919 + (index + 1) * 104729) % 2001 - 1000) / 1000
                switch (kinds[key]!, attribute) {
                case (.affine, "weight"): return Float(u * 1.7 / Double(fanIn).squareRoot())
                case (.affine, _): return Float(u * 0.1)
                case (.batchNorm, "weight"): return Float(1 + 0.2 * u)
                case (.batchNorm, "running_var"): return Float(1 + 0.5 * u)
                case (.batchNorm, "num_batches_tracked"): return 0
                case (.batchNorm, _): return Float(0.1 * u)
                }
            }
            result[key] = Tensor(shape: shape, scalars: values)
        }
        return result
    }
}
