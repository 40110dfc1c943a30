import Datasets
import Distill
import Foundation
import Models
import NN
import SafeTensors
import Tensor

/// `nayerd eval`: top-1 and per-class accuracy of a classifier on a dataset's test split.
struct EvalCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "eval", summary: "Measure a classifier's test accuracy.",
        options: ModelOptions.options + [
            .value("weights", "FILE", "Weights (safetensors with PyTorch key names).", default: nil),
            .value("num-classes", "K", "Classes of the model.", default: "the dataset's"),
            .value("batch-size", "N", "Evaluation batch size.", default: "500"),
            .flag("json", "Print one JSON line: {\"accuracy\": fraction, \"samples\": N}."),
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let options = try ModelOptions(arguments)
        guard let weights = arguments.value("weights") else { throw UsageError("--weights is required (see --help)") }
        let testSet = try options.dataset.load(.test)
        let classCount = try arguments.integer("num-classes", default: testSet.classCount, range: 2...1_000_000)!
        guard classCount == testSet.classCount else {
            throw CommandFailure("--num-classes is \(classCount) but \(options.datasetName) has \(testSet.classCount) classes")
        }
        var random = RandomGenerator(seed: 0)
        let model = try ModelZoo.make(options.architecture, classCount: classCount, inputChannels: options.inputShape[0], random: &random)
        let file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: weights))
        try model.load(stateDictionary: file.tensors, source: weights)
        let batchSize = try arguments.integer("batch-size", default: 500, range: 1...65_536)!
        let result = try Evaluator.accuracy(of: model, on: testSet, inputShape: options.inputShape,
                                            normalization: options.normalization, batchSize: batchSize)
        if arguments.flag("json") {
            console.print(String(format: "{\"accuracy\": %.6f, \"samples\": %d}", result.accuracy, result.samples))
            return
        }
        console.print("\(options.architecture) on \(options.datasetName) test (\(result.samples) images): top-1 \(percent(result.accuracy))")
        let names = testSet.classNames ?? (0..<classCount).map { "class \($0)" }
        let width = names.map(\.count).max() ?? 0
        for (name, accuracy) in zip(names, result.perClass) {
            console.print("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(percent(accuracy))")
        }
    }
}
