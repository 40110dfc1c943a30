import Autograd
import Foundation
import Models
import NN
import SafeTensors
import Tensor
import Testing
import TestSupport

private struct ZooCase: CustomTestStringConvertible, Sendable {
    let fixture: String
    let architecture: String
    let inputChannels: Int
    var testDescription: String { fixture }
}

private let zooCases: [ZooCase] = ModelZoo.architectures.map { ZooCase(fixture: $0, architecture: $0, inputChannels: 3) } + [
    ZooCase(fixture: "lenet5_gray", architecture: "lenet5", inputChannels: 1),
    ZooCase(fixture: "resnet20_in1_28", architecture: "resnet20", inputChannels: 1),
]

private func loadFixture(_ name: String) throws -> SafeTensorsFile {
    try SafeTensorsFile.read(contentsOf: Fixtures.url("models/\(name).safetensors"))
}

private func keyShapes(_ file: SafeTensorsFile) throws -> [String: [Int]] {
    let json = try #require(file.metadata["keys"])
    return try JSONDecoder().decode([String: [Int]].self, from: Data(json.utf8))
}

/// Logits of formula-weight models can be large (deep ResNets in eval mode), so the
/// tolerance is relative to the largest |logit|: 1e-4 of it, absolute.
private func checkLogits(_ actual: Tensor, _ expected: Tensor, _ context: String) -> ClosenessReport {
    let scale = expected.scalars.map { abs($0) }.max() ?? 1
    return checkClose(actual, expected, relativeTolerance: 1e-4, absoluteTolerance: 1e-4 * max(scale, 1), context)
}

@Suite struct ModelZooGoldenTests {
    @Test(arguments: zooCases)
    fileprivate func stateDictionaryKeysAndShapesMatchPyTorch(_ zoo: ZooCase) throws {
        let fixture = try loadFixture(zoo.fixture)
        var random = RandomGenerator(seed: 1)
        let model = try ModelZoo.make(zoo.architecture, classCount: 10, inputChannels: zoo.inputChannels, random: &random)
        let ours = model.stateDictionary().mapValues(\.shape)
        let theirs = try keyShapes(fixture)
        #expect(Set(ours.keys) == Set(theirs.keys), "only ours: \(Set(ours.keys).subtracting(theirs.keys).sorted().prefix(5)); only PyTorch's: \(Set(theirs.keys).subtracting(ours.keys).sorted().prefix(5))")
        for (key, shape) in theirs { #expect(ours[key] == shape, "\(key)") }
    }

    @Test(arguments: zooCases)
    fileprivate func logitsMatchPyTorchInEvalAndTrainMode(_ zoo: ZooCase) throws {
        let fixture = try loadFixture(zoo.fixture)
        let input = try fixture.tensor("input")
        for training in [false, true] {
            var random = RandomGenerator(seed: 1)
            let model = try ModelZoo.make(zoo.architecture, classCount: 10, inputChannels: zoo.inputChannels, random: &random)
            try model.load(stateDictionary: FormulaWeights.stateDictionary(for: model), source: "formula weights")
            model.train(training)
            let logits = GradMode.withNoGrad { model(Variable(input)) }.value
            let expected = try fixture.tensor(training ? "logits_train" : "logits_eval")
            let report = checkLogits(logits, expected, "\(zoo.fixture) \(training ? "train" : "eval")")
            #expect(report.passed, "\(report)")
            if training, let bnKey = fixture.metadata["train_bn"] {
                let state = model.stateDictionary()
                let mean = checkClose(try #require(state["\(bnKey).running_mean"]), try fixture.tensor("train_running_mean"),
                                      relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "\(bnKey).running_mean")
                let variance = checkClose(try #require(state["\(bnKey).running_var"]), try fixture.tensor("train_running_var"),
                                          relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "\(bnKey).running_var")
                #expect(mean.passed, "\(mean)")
                #expect(variance.passed, "\(variance)")
            }
        }
    }

    /// nlgenerator: the reference generator; nlgenerator_gray: PyTorch's nc=1 generator
    /// expanded to 3 channels, which nayerd's grayscale generator must equal.
    @Test(arguments: [("nlgenerator", false), ("nlgenerator_gray", true)])
    func generatorImagesMatchPyTorch(fixtureName: String, grayscale: Bool) throws {
        let fixture = try loadFixture(fixtureName)
        var random = RandomGenerator(seed: 1)
        let generator = NayerGenerator(.init(embeddingSize: 16, classCount: 4, batchSize: 10, noisyLayerWidth: 20,
                                             noisyLayers: true, features: 8, imageShape: [3, 32, 32], grayscale: grayscale),
                                       random: &random)
        let ours = generator.stateDictionary().mapValues(\.shape)
        let theirs = try keyShapes(fixture)
        #expect(Set(ours.keys) == Set(theirs.keys))
        #expect(ours["conv_blocks.9.weight"] == theirs["conv_blocks.9.weight"])
        try generator.load(stateDictionary: FormulaWeights.stateDictionary(for: generator), source: "formula weights")
        let labels = try fixture.tensor("targets").scalars.map { Int($0) }
        let rows = ShapeKernels.indexSelect(try fixture.tensor("label_embedding"), rows: labels)
        let images = GradMode.withNoGrad { generator(Variable(rows)) }.value
        #expect(images.shape == [10, 3, 32, 32])
        let report = checkClose(images, try fixture.tensor("images"), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, fixtureName)
        #expect(report.passed, "\(report)")
    }

    /// The grey copy's backward must add the three channels' gradients into the one
    /// generated channel: checked on the last conv, whose output is copied.
    @Test func grayscaleGeneratorGradientsMatchFiniteDifferences() throws {
        var random = RandomGenerator(seed: 3)
        let generator = NayerGenerator(.init(embeddingSize: 6, classCount: 3, batchSize: 6, noisyLayerWidth: 8,
                                             noisyLayers: true, features: 4, imageShape: [3, 8, 8], grayscale: true),
                                       random: &random)
        let parameters = Dictionary(uniqueKeysWithValues: generator.namedParameters.map { ($0.name, $0.variable) })
        let lastWeight = try #require(parameters["conv_blocks.9.weight"])
        let lastBias = try #require(parameters["conv_blocks.9.bias"])
        #expect(lastWeight.shape == [1, 4, 3, 3])
        let rows = Variable(random.normalTensor(shape: [6, 6]))
        let report = checkGradients(of: [lastWeight, lastBias], step: 1e-2) { _ in generator(rows) }
        #expect(report.passed, "\(report)")
    }

    @Test func unknownArchitectureNamesTheKnownOnes() {
        var random = RandomGenerator(seed: 1)
        #expect { try ModelZoo.make("resnet9000", classCount: 10, random: &random) } throws: {
            "\($0)".contains("unknown architecture 'resnet9000'") && "\($0)".contains("wrn16_1")
        }
    }

    @Test func strictLoadingNamesKeysAndShapes() throws {
        var random = RandomGenerator(seed: 1)
        let model = try ModelZoo.make("resnet8", classCount: 10, random: &random)
        var tensors = model.stateDictionary()
        tensors["fc.weight"] = Tensor(zeros: [5, 64])
        #expect { try model.load(stateDictionary: tensors, source: "t.safetensors") } throws: {
            "\($0)" == "t.safetensors: 'fc.weight' has shape [5, 64] but the model expects [10, 64]"
        }
        tensors.removeValue(forKey: "fc.weight")
        #expect { try model.load(stateDictionary: tensors, source: "t.safetensors") } throws: { "\($0)".contains("lacks key the model needs: fc.weight") }
        tensors["fc.weight"] = Tensor(zeros: [10, 64])
        tensors["extra.bias"] = Tensor(zeros: [1])
        #expect { try model.load(stateDictionary: tensors, source: "t.safetensors") } throws: { "\($0)".contains("extra.bias") }
    }
}
