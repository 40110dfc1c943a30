import Datasets
import Distill
import Foundation
import Models
import NN
import SafeTensors
import Tensor

/// `nayerd train-teacher`: supervised training of a classifier, to make teachers.
struct TrainTeacherCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "train-teacher", summary: "Train a classifier on a labelled dataset (to make a teacher).",
        options: ModelOptions.options + [
            .value("epochs", "N", "Training epochs.", default: "15"),
            .value("batch-size", "N", "Mini-batch size.", default: "128"),
            .value("lr", "X", "Initial learning rate (cosine-annealed to 0 per iteration).", default: "0.1"),
            .value("seed", "N", "Seed for initialisation, shuffling and augmentation.", default: "0"),
            .value("threads", "N", "Worker threads.", default: "all cores"),
            .value("out", "FILE", "Where to write the weights (safetensors, PyTorch key names).", default: nil),
        ],
        discussion: "Recipe: SGD (momentum 0.9, weight decay 5e-4), random crop with padding 4 and horizontal flip.")

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let options = try ModelOptions(arguments)
        guard let out = arguments.value("out") else { throw UsageError("--out is required (see --help)") }
        var recipe = TeacherTraining.Recipe()
        recipe.epochs = try arguments.integer("epochs", default: 15, range: 1...10_000)!
        recipe.batchSize = try arguments.integer("batch-size", default: 128, range: 1...65_536)!
        recipe.seed = UInt64(try arguments.integer("seed", default: 0, range: 0...Int.max)!)
        if let lr = try arguments.floats("lr") {
            guard lr.count == 1, lr[0] > 0 else { throw UsageError("--lr must be one positive number") }
            recipe.learningRate = Double(lr[0])
        }
        if let threads = try arguments.integer("threads", range: 1...1024) { Parallel.threadCount = threads }

        let trainSet = try options.dataset.load(.train)
        let testSet = try options.dataset.load(.test)
        var random = RandomGenerator(seed: recipe.seed)
        let model = try ModelZoo.make(options.architecture, classCount: trainSet.classCount,
                                      inputChannels: options.inputShape[0], random: &random)
        console.print("training \(options.architecture) (\(model.parameterCount) parameters) on \(options.datasetName): "
                      + "\(trainSet.count) images, \(recipe.epochs) epochs, batch \(recipe.batchSize)")
        let training = TeacherTraining(model: model, inputShape: options.inputShape, normalization: options.normalization, recipe: recipe)
        let bar = ProgressBar(console: console)
        var finalAccuracy = 0.0
        try training.train(trainSet: trainSet, testSet: testSet, progress: { epoch, batch, batches, loss in
            bar.update(fraction: (Double(epoch) + Double(batch) / Double(batches)) / Double(recipe.epochs),
                       text: String(format: "epoch %d/%d  batch %d/%d  loss %.4f", epoch + 1, recipe.epochs, batch, batches, loss))
        }, epochDone: { report in
            finalAccuracy = report.testAccuracy
            bar.finishLine()
            console.print(String(format: "epoch %d/%d  train loss %.4f  test accuracy %@  %.0f s", report.epoch + 1,
                                 recipe.epochs, report.trainLoss, percent(report.testAccuracy), report.seconds))
        })
        let metadata = ["format": "pt", "architecture": options.architecture, "dataset": options.datasetName,
                        "test_accuracy": String(format: "%.4f", finalAccuracy),
                        "input": options.inputShape.map(String.init).joined(separator: ","),
                        "mean": options.normalization.mean.map { "\($0)" }.joined(separator: ","),
                        "std": options.normalization.standardDeviation.map { "\($0)" }.joined(separator: ",")]
        try SafeTensorsFile(tensors: model.stateDictionary(), metadata: metadata).write(to: URL(fileURLWithPath: out))
        console.print("wrote \(out) (test accuracy \(percent(finalAccuracy)))")
    }
}
