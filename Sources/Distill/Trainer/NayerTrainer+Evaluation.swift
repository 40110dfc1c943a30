import Autograd
import Datasets
import Foundation
import Models
import NN
import Tensor

extension NayerTrainer {
    /// End of an epoch: agreement on fresh synthetic images, test accuracy when there is
    /// a test set (after warm-up), a history row, and the move to the next epoch.
    func finishEpoch() throws {
        student.eval()
        let (agreement, kl) = measureAgreement()
        var accuracy: Double?
        if let evaluationSet {
            if state.teacherAccuracy == nil {
                state.teacherAccuracy = try Evaluator.accuracy(of: teacher, on: evaluationSet, inputShape: spec.inputShape,
                                                               normalization: spec.normalization, batchSize: spec.evaluation!.batchSize).accuracy
            }
            if state.epoch >= spec.nayer.warmup {
                accuracy = try Evaluator.accuracy(of: student, on: evaluationSet, inputShape: spec.inputShape,
                                                  normalization: spec.normalization, batchSize: spec.evaluation!.batchSize).accuracy
            }
        }
        let sums = state.epochLosses
        func mean(_ total: Double, _ count: Int) -> Double? { count > 0 ? total / Double(count) : nil }
        state.history.append(EpochRecord(
            epoch: state.epoch, batchNormLoss: mean(sums.batchNorm, sums.synthesisSteps),
            oneHotLoss: mean(sums.oneHot, sums.synthesisSteps), adversarialLoss: mean(sums.adversarial, sums.synthesisSteps),
            distillationLoss: mean(sums.distillation, sums.distillationSteps),
            learningRate: state.epoch >= spec.nayer.warmup ? studentLearningRate(epoch: state.epoch) : nil,
            agreement: agreement, agreementKL: kl, testAccuracy: accuracy, bankSize: bank.count,
            seconds: state.elapsedSeconds))
        state.epochLosses = EpochLossSums()
        state.epoch += 1
        state.loop = 0
        state.step = 0
        state.phase = state.epoch >= spec.nayer.epochs ? .finished : .synthesis
    }

    /// Student-teacher top-1 agreement and mean KL(teacher || student) on freshly
    /// synthesized images that never enter the memory bank: a progress signal that needs
    /// no labelled data.
    func measureAgreement() -> (agreement: Double, kl: Double) {
        GradMode.withNoGrad {
            var agreed = 0
            var klSum = 0.0
            var remaining = spec.nayer.agreementBatchSize
            while remaining > 0 {
                let count = min(remaining, spec.nayer.synthesisBatchSize)
                remaining -= count
                let labels = synthesisLabels(count: count, classCount: spec.classCount, random: &state.random)
                let images = generator(Variable(generatorInputRows(for: labels))).value
                let input = Variable(AugmentationKernels.normalizeChannels(images, mean: normalization.mean, std: normalization.std))
                let teacherLogits = teacher(input)
                let studentLogits = student(input)
                agreed += agreementMask(teacherLogits: teacherLogits.value, studentLogits: studentLogits.value).filter { $0 }.count
                klSum += perSampleKLDivergence(teacherLogits: teacherLogits, studentLogits: studentLogits).value.scalars
                    .reduce(0.0) { $0 + Double($1) }
            }
            let total = Double(spec.nayer.agreementBatchSize)
            return (Double(agreed) / total, klSum / total)
        }
    }
}
