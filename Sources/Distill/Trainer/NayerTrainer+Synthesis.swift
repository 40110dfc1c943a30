import Autograd
import Datasets
import Foundation
import Models
import NN
import Tensor

/// Labels of a synthesis batch (NAYER.md, "Labels for a synthesis batch"): floor(B/K)
/// full copies of 0..<K, then B mod K uniformly random labels.
public func synthesisLabels(count: Int, classCount: Int, random: inout RandomGenerator) -> [Int] {
    var labels: [Int] = []
    labels.reserveCapacity(count)
    for _ in 0..<(count / classCount) { labels += 0..<classCount }
    for _ in 0..<(count % classCount) { labels.append(random.integer(below: classCount)) }
    return labels
}

extension NayerTrainer {
    /// Epochs at which the whole generator is replaced: (epoch - warmup) % g_life == 0
    /// or epoch % g_life == 0 (NAYER.md).
    func isGeneratorResetEpoch(_ epoch: Int) -> Bool {
        let life = spec.nayer.generatorLife
        return (epoch - spec.nayer.warmup) % life == 0 || epoch % life == 0
    }

    /// The adversarial term joins once the warm-up is over (epoch > warmup, NAYER.md).
    var usesAdversarialTerm: Bool {
        state.epoch > spec.nayer.warmup && spec.nayer.adversarialWeight > 0
    }

    /// Generator input rows for `labels`: embedding-table rows, or fresh N(0, 1) noise.
    func generatorInputRows(for labels: [Int]) -> Tensor {
        if let table = generatorInputs {
            return ShapeKernels.indexSelect(table, rows: labels)
        }
        return state.random.normalTensor(shape: [labels.count, Self.noiseInputSize])
    }

    var normalization: (mean: [Float], std: [Float]) {
        (spec.normalization.mean, spec.normalization.standardDeviation)
    }

    func synthesisStep() throws {
        if state.step == 0 { beginLoop() }
        student.eval()
        student.setRequiresGradient(false)
        let draw = AugmentationDraw.random(count: spec.nayer.synthesisBatchSize, padding: 4, random: &state.random, flip: true)
        let weights = SynthesisWeights(batchNorm: Float(spec.nayer.batchNormWeight), oneHot: Float(spec.nayer.oneHotWeight),
                                       adversarial: Float(spec.nayer.adversarialWeight))
        let (losses, images) = NayerSteps.synthesisIteration(
            generator: generator, inputs: loopInputs!, labels: state.loopLabels, draw: draw,
            normalization: normalization, teacher: teacher, student: usesAdversarialTerm ? student : nil,
            batchNormLoss: batchNormLoss, weights: weights, optimizer: generatorOptimizer)
        if state.bestLoss == nil || losses.total < state.bestLoss! {
            state.bestLoss = losses.total
            bestImages = images
        }
        latestSynthesisLosses = losses
        state.epochLosses.batchNorm += losses.batchNorm
        state.epochLosses.oneHot += losses.oneHot
        state.epochLosses.adversarial += losses.adversarial
        state.epochLosses.synthesisTotal += losses.total
        state.epochLosses.synthesisSteps += 1
        state.synthesizedImages += spec.nayer.synthesisBatchSize
        state.step += 1
        if state.step == spec.nayer.generatorSteps { try endLoop() }
    }

    /// NAYER.md "One epoch", synthesis step 1: a new generator every g_life epochs,
    /// re-drawn noisy layers, new labels and a fresh Adam for every loop.
    private func beginLoop() {
        if state.loop == 0 && isGeneratorResetEpoch(state.epoch) {
            generator = NayerGenerator(Self.generatorConfiguration(spec: spec, inputs: generatorInputs), random: &state.random)
        }
        generator.redrawNoisyLayers(random: &state.random)
        state.loopLabels = synthesisLabels(count: spec.nayer.synthesisBatchSize, classCount: spec.classCount, random: &state.random)
        loopInputs = generatorInputRows(for: state.loopLabels)
        generatorOptimizer = Self.makeGeneratorOptimizer(generator, spec: spec)
        state.bestLoss = nil
        bestImages = nil
    }

    /// Step 3: momentum statistics, the best batch into the memory bank, a new pass.
    private func endLoop() throws {
        batchNormLoss.updateMomentum()
        state.hasMomentumStatistics = batchNormLoss.momentumStatistics != nil
        guard let bestImages else { preconditionFailure("a synthesis loop ended without a best batch") }
        try bank.append(bestImages, random: &state.random)
        if state.loop == loops(in: state.epoch) - 1 && sampleEpochs.contains(state.epoch) {
            try writeSampleGrid(bestImages, labels: state.loopLabels, epoch: state.epoch)
        }
        passOrder = state.random.permutation(bank.count)
        state.passCursor = 0
        state.passLength = passOrder.count
        state.loop += 1
        state.step = 0
        state.bestLoss = nil
        self.bestImages = nil
        loopInputs = nil
        generatorOptimizer = Self.makeGeneratorOptimizer(generator, spec: spec)
    }

    /// Epochs whose last synthesized batch is kept as a picture: the first, the end of
    /// warm-up, the middle of distillation and the last.
    var sampleEpochs: Set<Int> {
        let last = spec.nayer.epochs - 1
        return [0, max(spec.nayer.warmup - 1, 0), (spec.nayer.warmup + last) / 2, last]
    }

    var samplesDirectory: URL { workDirectory.appendingPathComponent("samples") }

    /// A grid with one row per class and one column per copy of it in the batch.
    func writeSampleGrid(_ images: Tensor, labels: [Int], epoch: Int) throws {
        let classCount = spec.classCount
        let copies = min(labels.count / classCount, 10)
        guard copies > 0 else { return }
        var order: [Int] = []
        for label in 0..<classCount {
            for copy in 0..<copies { order.append(copy * classCount + label) }
        }
        let grid = ShapeKernels.indexSelect(images, rows: order)
        try FileManager.default.createDirectory(at: samplesDirectory, withIntermediateDirectories: true)
        let name = String(format: "epoch-%03d.png", epoch)
        try ImageGrid.write(grid, columns: copies, to: samplesDirectory.appendingPathComponent(name).path)
    }
}
