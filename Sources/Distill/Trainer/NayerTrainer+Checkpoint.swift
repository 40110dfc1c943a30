import Autograd
import FileSystem
import Foundation
import Models
import NN
import Tensor

extension NayerTrainer {
    var checkpointStore: CheckpointStore {
        CheckpointStore(directory: workDirectory.appendingPathComponent("checkpoint"))
    }

    /// Identifies the training-relevant configuration: a checkpoint is only resumed by a
    /// job with the same one. Threads and the checkpoint interval may change freely.
    static func configurationHash(for spec: JobSpec) -> String {
        var neutral = spec
        neutral.threads = 0
        neutral.checkpointIntervalSeconds = 0
        return fingerprint(String(describing: neutral))
    }

    /// Writes the whole state durably; afterwards a crash loses nothing before this point.
    public func saveCheckpoint() throws {
        try bank.synchronize()
        let obsoleteBankFile = try bank.compactIfWorthwhile()
        state.bank = bank.state

        var tensors: [String: Tensor] = [:]
        for (key, value) in student.stateDictionary() { tensors["student.\(key)"] = value }
        for (key, value) in generator.stateDictionary() { tensors["generator.\(key)"] = value }
        let sgdState = studentOptimizer.state()
        state.sgd = sgdState.scalars
        for (key, value) in sgdState.tensors { tensors["sgd.\(key)"] = value }
        let adamState = generatorOptimizer.state()
        state.adam = adamState.scalars
        for (key, value) in adamState.tensors { tensors["adam.\(key)"] = value }
        if let momentum = batchNormLoss.momentumStatistics {
            for (index, statistics) in momentum.enumerated() {
                tensors["bn_momentum.\(index).mean"] = statistics.mean
                tensors["bn_momentum.\(index).variance"] = statistics.variance
            }
        }
        if let loopInputs { tensors["loop.inputs"] = loopInputs }
        if let bestImages { tensors["loop.best_images"] = bestImages }
        tensors["kd.pass_order"] = Self.floats(passOrder)
        tensors["bank.live_slots"] = Self.floats(bank.liveSlots.map(Int.init))

        try checkpointStore.save(state: state, tensors: tensors, configurationHash: Self.configurationHash(for: spec))
        if let obsoleteBankFile {
            guard unlink(obsoleteBankFile) == 0 || errno == ENOENT else { throw SystemError("unlink", path: obsoleteBankFile) }
        }
    }

    /// The inverse of `saveCheckpoint`, after `state` and the bank are back.
    func restore(from tensors: [String: Tensor]) throws {
        let source = checkpointStore.directory.path
        try student.load(stateDictionary: Self.section("student.", of: tensors), source: "\(source) (student)")
        // Building the generator draws initial weights; a scratch generator keeps those
        // draws out of the job's own random stream (every weight is overwritten anyway).
        var scratch = RandomGenerator(seed: 0)
        generator = NayerGenerator(Self.generatorConfiguration(spec: spec, inputs: generatorInputs), random: &scratch)
        try generator.load(stateDictionary: Self.section("generator.", of: tensors), source: "\(source) (generator)")
        if let scalars = state.sgd {
            try studentOptimizer.restore(OptimizerState(scalars: scalars, tensors: Self.section("sgd.", of: tensors)))
        }
        generatorOptimizer = Self.makeGeneratorOptimizer(generator, spec: spec)
        if let scalars = state.adam {
            try generatorOptimizer.restore(OptimizerState(scalars: scalars, tensors: Self.section("adam.", of: tensors)))
        }
        if state.hasMomentumStatistics {
            let layers = batchNormLoss.layers.count
            batchNormLoss.restore(momentumStatistics: try (0..<layers).map { index in
                guard let mean = tensors["bn_momentum.\(index).mean"], let variance = tensors["bn_momentum.\(index).variance"] else {
                    throw CheckpointError(message: "\(source) lacks the BN momentum statistics of layer \(index)")
                }
                return (mean, variance)
            })
        }
        loopInputs = tensors["loop.inputs"]
        bestImages = tensors["loop.best_images"]
        passOrder = try Self.integers(tensors, "kd.pass_order").map(Int.init)
        guard passOrder.allSatisfy({ $0 >= 0 && $0 < max(bank.count, 1) }) || passOrder.isEmpty else {
            throw CheckpointError(message: "\(source) has a KD pass order that does not fit the memory bank")
        }
    }

    static func section(_ prefix: String, of tensors: [String: Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (key, value) in tensors where key.hasPrefix(prefix) { result[String(key.dropFirst(prefix.count))] = value }
        return result
    }

    /// Integer lists travel as Float32 tensors: exact below 2^24, which the bank's
    /// capacity limit keeps them under.
    static func floats(_ values: [Int]) -> Tensor {
        Tensor(shape: [values.count], scalars: values.map(Float.init))
    }

    static func integers(_ tensors: [String: Tensor], _ name: String) throws -> [Int32] {
        guard let tensor = tensors[name] else { throw CheckpointError(message: "checkpoint lacks tensor \(name)") }
        return try tensor.scalars.map { value in
            guard value >= 0, value < 16_777_216, value == value.rounded() else {
                throw CheckpointError(message: "checkpoint tensor \(name) holds \(value), not an index")
            }
            return Int32(value)
        }
    }
}
