import Autograd
import Models
import NN
import Tensor

/// The loss terms of one synthesis iteration, as plain numbers for logs and history.
public struct SynthesisLosses: Equatable, Sendable, Codable {
    public var batchNorm: Double
    public var oneHot: Double
    public var adversarial: Double
    /// bn * L_bn + oh * L_oh + adv * L_adv: what the generator minimises.
    public var total: Double

    public init(batchNorm: Double, oneHot: Double, adversarial: Double, total: Double) {
        self.batchNorm = batchNorm
        self.oneHot = oneHot
        self.adversarial = adversarial
        self.total = total
    }
}

public struct SynthesisWeights: Equatable, Sendable {
    public var batchNorm: Float
    public var oneHot: Float
    public var adversarial: Float

    public init(batchNorm: Float, oneHot: Float, adversarial: Float) {
        self.batchNorm = batchNorm
        self.oneHot = oneHot
        self.adversarial = adversarial
    }
}

/// The two kinds of NAYER steps as functions of their inputs, so the trainer and the
/// PyTorch parity tests run exactly the same code.
public enum NayerSteps {
    /// One generator update (NAYER.md, "Synthesis", step 2): generate, augment
    /// differentiably, teacher with BN-statistics hooks, optionally the student for the
    /// adversarial term, then one Adam step on the generator.
    ///
    /// `inputs` are the generator's input rows ([B, d], constant), `student` nil before
    /// the adversarial term starts. Teacher and student must be frozen (no weight
    /// gradients) and in eval mode. Returns the losses and the un-augmented images the
    /// generator produced before its update (the best-batch candidates).
    public static func synthesisIteration(
        generator: NayerGenerator, inputs: Tensor, labels: [Int], draw: AugmentationDraw,
        normalization: (mean: [Float], std: [Float]), teacher: any Layer, student: (any Layer)?,
        batchNormLoss: BatchNormStatisticsLoss, weights: SynthesisWeights, optimizer: Adam
    ) -> (losses: SynthesisLosses, images: Tensor) {
        optimizer.zeroGradients()
        let images = generator(Variable(inputs))
        let augmented = normalizeChannels(cropAndFlip(images, draw: draw), mean: normalization.mean, std: normalization.std)
        let (teacherLogits, bnLoss) = batchNormLoss.collect { teacher(augmented) }
        let oneHotLoss = crossEntropy(teacherLogits, labels: labels)
        var total = weights.batchNorm * bnLoss + weights.oneHot * oneHotLoss
        var adversarialValue = 0.0
        if let student {
            let adversarial = maskedAdversarialLoss(teacherLogits: teacherLogits, studentLogits: student(augmented))
            adversarialValue = Double(adversarial.value.scalar)
            total = total + weights.adversarial * adversarial
        }
        let losses = SynthesisLosses(batchNorm: Double(bnLoss.value.scalar), oneHot: Double(oneHotLoss.value.scalar),
                                     adversarial: adversarialValue, total: Double(total.value.scalar))
        total.backward()
        optimizer.step()
        return (losses, images.value)
    }

    /// One KD step (NAYER.md, "Knowledge distillation"): `images` are already augmented
    /// and normalised. The teacher runs without gradients in eval mode, the student in
    /// train mode; one SGD step on the student. Returns the KD loss.
    public static func distillationStep(images: Tensor, teacher: any Layer, student: any Layer,
                                        temperature: Float, optimizer: SGD) -> Double {
        let teacherLogits = GradMode.withNoGrad { teacher(Variable(images)) }
        optimizer.zeroGradients()
        let loss = distillationKLDivergence(studentLogits: student(Variable(images)),
                                            teacherLogits: teacherLogits.detached(), temperature: temperature)
        loss.backward()
        optimizer.step()
        return Double(loss.value.scalar)
    }
}
