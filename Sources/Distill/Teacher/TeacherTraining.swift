import Autograd
import Datasets
import Foundation
import Models
import NN
import SafeTensors
import Tensor

/// Supervised training of a classifier on a labelled dataset (to make teachers):
/// SGD with momentum and weight decay, a per-iteration cosine schedule to zero, random
/// crop (pad 4) and horizontal flip. scripts/train_torch_teacher.py is the same recipe
/// in PyTorch, for timing and accuracy comparisons.
public struct TeacherTraining {
    public struct Recipe: Sendable {
        public var epochs = 15
        public var batchSize = 128
        public var learningRate = 0.1
        public var momentum = 0.9
        public var weightDecay = 5e-4
        public var seed: UInt64 = 0

        public init() {}
    }

    public struct EpochReport: Sendable {
        public var epoch: Int
        public var trainLoss: Double
        public var testAccuracy: Double
        public var seconds: Double
    }

    public let model: any Layer
    public let inputShape: [Int]
    public let normalization: JobSpec.Normalization
    public let recipe: Recipe

    public init(model: any Layer, inputShape: [Int], normalization: JobSpec.Normalization, recipe: Recipe) {
        self.model = model
        self.inputShape = inputShape
        self.normalization = normalization
        self.recipe = recipe
    }

    /// Trains in place; `progress(epoch, batch, batches, runningLoss)` after every batch
    /// and `epochDone` after every epoch's evaluation.
    public func train(trainSet: LabeledImages, testSet: LabeledImages,
                      progress: (Int, Int, Int, Double) -> Void, epochDone: (EpochReport) -> Void) throws {
        var random = RandomGenerator(seed: recipe.seed)
        let target = InputShape(channels: inputShape[0], height: inputShape[1], width: inputShape[2])
        let datasetNormalization = try Normalization(mean: normalization.mean, standardDeviation: normalization.standardDeviation)
        let preprocessor = try ImagePreprocessor(images: trainSet, target: target, normalization: datasetNormalization)
        // torchvision pads before normalising, so padding pixels are normalised black.
        let augmentation = try Augmentation(padding: 4, flip: true, fill: datasetNormalization.zeroPixelValues(channels: inputShape[0]))
        let optimizer = SGD(parameters: model.namedParameters, learningRate: recipe.learningRate,
                            momentum: recipe.momentum, weightDecay: recipe.weightDecay)
        let batchesPerEpoch = (trainSet.count + recipe.batchSize - 1) / recipe.batchSize
        let schedule = CosineAnnealingSchedule(baseLearningRate: recipe.learningRate, minimumLearningRate: 0,
                                               totalSteps: recipe.epochs * batchesPerEpoch)
        let start = Date()
        var iteration = 0
        for epoch in 0..<recipe.epochs {
            model.train()
            var lossSum = 0.0
            let batches = try EpochBatches(count: trainSet.count, batchSize: recipe.batchSize, partialBatch: .keep, using: &random)
            for (index, indices) in batches.enumerated() {
                optimizer.learningRate = schedule.learningRate(atStep: iteration)
                let images = try augmentation.apply(to: preprocessor.batch(from: trainSet, indices: indices), using: &random)
                optimizer.zeroGradients()
                let loss = crossEntropy(model(Variable(images)), labels: indices.map { trainSet.labels[$0] })
                loss.backward()
                optimizer.step()
                lossSum += Double(loss.value.scalar)
                iteration += 1
                progress(epoch, index + 1, batchesPerEpoch, lossSum / Double(index + 1))
            }
            let accuracy = try Evaluator.accuracy(of: model, on: testSet, inputShape: inputShape,
                                                  normalization: normalization, batchSize: 500).accuracy
            epochDone(EpochReport(epoch: epoch, trainLoss: lossSum / Double(batchesPerEpoch), testAccuracy: accuracy,
                                  seconds: Date().timeIntervalSince(start)))
        }
    }
}
