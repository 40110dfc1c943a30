import Datasets
import Distill
import Foundation
import Models

/// The options `train-teacher` and `eval` share: which dataset, which input shape,
/// which normalisation.
struct ModelOptions {
    static let options: [CommandSpecification.Option] = [
        .value("arch", "A", "Architecture: \(ModelZoo.architectures.joined(separator: ", ")).", default: nil),
        .value("dataset", "NAME[:DIR]", "fashion-mnist, mnist, cifar10 or cifar100; DIR defaults to the Debian location.", default: nil),
        .value("input", "C,H,W", "Model input shape; images are padded and grey is replicated to fit.", default: "3,32,32"),
        .value("mean", "M", "Normalisation mean: one value or one per channel.", default: "0.2860 for (fashion-)mnist, else CIFAR's"),
        .value("std", "S", "Normalisation standard deviation: one value or one per channel.", default: "0.3530 for (fashion-)mnist, else CIFAR's"),
    ]

    let architecture: String
    let dataset: DatasetLocation
    let datasetName: String
    let inputShape: [Int]
    let normalization: JobSpec.Normalization

    init(_ arguments: ParsedArguments) throws {
        guard let architecture = arguments.value("arch") else { throw UsageError("--arch is required (see --help)") }
        do {
            _ = try ModelZoo.canonicalName(architecture)
        } catch {
            throw UsageError("\(error)")
        }
        guard let datasetText = arguments.value("dataset") else { throw UsageError("--dataset is required (see --help)") }
        self.architecture = architecture
        do {
            dataset = try DatasetLocation(parsing: datasetText)
        } catch {
            throw UsageError("--dataset: \(error)")
        }
        datasetName = String(datasetText.split(separator: ":", maxSplits: 1)[0])
        let shapeText = arguments.value("input") ?? "3,32,32"
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }), (1...4).contains(shape[0]) else {
            throw UsageError("--input must be C,H,W (for example 3,32,32), got '\(shapeText)'")
        }
        inputShape = shape
        let grey = datasetName.hasSuffix("mnist")
        let defaultMean: [Float] = grey ? [0.2860] : JobSpec.cifar10Normalization.mean
        let defaultStd: [Float] = grey ? [0.3530] : JobSpec.cifar10Normalization.standardDeviation
        func expand(_ values: [Float], _ name: String) throws -> [Float] {
            if values.count == shape[0] { return values }
            if values.count == 1 { return Array(repeating: values[0], count: shape[0]) }
            throw UsageError("--\(name) needs 1 or \(shape[0]) values, got \(values.count)")
        }
        let mean = try expand(try arguments.floats("mean") ?? defaultMean, "mean")
        let std = try expand(try arguments.floats("std") ?? defaultStd, "std")
        guard std.allSatisfy({ $0 > 0 }) else { throw UsageError("--std values must be positive") }
        normalization = JobSpec.Normalization(mean: mean, standardDeviation: std)
    }
}

func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
