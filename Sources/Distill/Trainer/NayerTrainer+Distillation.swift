import Autograd
import Datasets
import Foundation
import NN
import Tensor

extension NayerTrainer {
    /// The student's learning rate in `epoch`: cosine annealing from lr to eta_min over
    /// the epochs - warmup distillation epochs, one step per epoch.
    func studentLearningRate(epoch: Int) -> Double {
        let schedule = CosineAnnealingSchedule(baseLearningRate: spec.distillation.learningRate,
                                               minimumLearningRate: spec.distillation.minimumLearningRate,
                                               totalSteps: max(spec.nayer.epochs - spec.nayer.warmup, 1))
        return schedule.learningRate(atStep: max(epoch - spec.nayer.warmup, 0))
    }

    /// The next KD batch: the next indices of a shuffled pass over the whole bank
    /// without replacement, starting a new pass when one runs out.
    func nextBatchIndices() -> [Int] {
        if state.passCursor >= passOrder.count {
            passOrder = state.random.permutation(bank.count)
            state.passCursor = 0
            state.passLength = passOrder.count
        }
        let end = min(state.passCursor + spec.distillation.batchSize, passOrder.count)
        defer { state.passCursor = end }
        return Array(passOrder[state.passCursor..<end])
    }

    func distillationStep() throws {
        student.train()
        student.setRequiresGradient(true)
        studentOptimizer.learningRate = studentLearningRate(epoch: state.epoch)
        let indices = nextBatchIndices()
        let images = try bank.images(at: indices)
        // The training transform of the reference: random crop (pad 4) + flip, then normalise.
        let draw = AugmentationDraw.random(count: indices.count, padding: 4, random: &state.random, flip: true)
        let augmented = AugmentationKernels.cropAndFlip(images, padding: 4, offsets: draw.offsets, flips: draw.flips)
        let normalized = AugmentationKernels.normalizeChannels(augmented, mean: normalization.mean, std: normalization.std)
        let loss = NayerSteps.distillationStep(images: normalized, teacher: teacher, student: student,
                                               temperature: Float(spec.distillation.temperature), optimizer: studentOptimizer)
        latestDistillationLoss = loss
        state.epochLosses.distillation += loss
        state.epochLosses.distillationSteps += 1
        state.step += 1
    }
}
