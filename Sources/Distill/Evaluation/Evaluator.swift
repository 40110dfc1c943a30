import Autograd
import Datasets
import NN
import Tensor

/// Top-1 accuracy of a classifier on a labelled set, overall and per class.
public enum Evaluator {
    public struct Result: Sendable, Equatable {
        public var accuracy: Double
        public var perClass: [Double]
        public var samples: Int
    }

    public static func accuracy(of model: any Layer, on images: LabeledImages, inputShape: [Int],
                                normalization: JobSpec.Normalization, batchSize: Int) throws -> Result {
        let target = InputShape(channels: inputShape[0], height: inputShape[1], width: inputShape[2])
        let preprocessor = try ImagePreprocessor(
            images: images, target: target,
            normalization: try Normalization(mean: normalization.mean, standardDeviation: normalization.standardDeviation))
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var correct = [Int](repeating: 0, count: images.classCount)
        var seen = [Int](repeating: 0, count: images.classCount)
        GradMode.withNoGrad {
            for start in stride(from: 0, to: images.count, by: batchSize) {
                let indices = Array(start..<min(start + batchSize, images.count))
                let logits = model(Variable(preprocessor.batch(from: images, indices: indices))).value
                let predictions = SoftmaxKernels.rowArgmax(logits)
                for (row, index) in indices.enumerated() {
                    let label = images.labels[index]
                    seen[label] += 1
                    if predictions[row] == label { correct[label] += 1 }
                }
            }
        }
        let total = correct.reduce(0, +)
        return Result(accuracy: Double(total) / Double(max(images.count, 1)),
                      perClass: zip(correct, seen).map { Double($0) / Double(max($1, 1)) },
                      samples: images.count)
    }
}
