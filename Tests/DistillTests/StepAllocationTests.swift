import Autograd
import Distill
import Models
import NN
import Tensor
import Testing

/// Once the buffer pool is warm, NAYER steps recycle every large buffer instead of
/// asking the allocator (and the kernel, page by page) for fresh memory each step.
@Suite struct StepAllocationTests {
    /// Fresh pooled-size allocations made by each of `steps` runs of `body` after two
    /// warm-up runs. The counter is process-wide and other tests run in parallel, so
    /// the caller asks that some step made none, which a step that cannot recycle its
    /// buffers never achieves.
    private static func freshAllocationsPerStep(steps: Int, _ body: () -> Void) -> [Int] {
        body()
        body()
        return (0..<steps).map { _ in
            let before = TensorStorage.freshPooledAllocationCount
            body()
            return TensorStorage.freshPooledAllocationCount - before
        }
    }

    private static func frozen(_ name: String, random: inout RandomGenerator) throws -> any Layer {
        let model = try ModelZoo.make(name, classCount: 10, random: &random)
        model.eval()
        model.setRequiresGradient(false)
        return model
    }

    @Test func synthesisIterationsRecycleTheirBuffers() throws {
        var random = RandomGenerator(seed: 5)
        let teacher = try Self.frozen("resnet8", random: &random)
        let student = try Self.frozen("wrn16_1", random: &random)
        let configuration = NayerGenerator.Configuration(
            embeddingSize: 16, classCount: 10, batchSize: 20, noisyLayerWidth: 32, noisyLayers: true,
            features: 16, imageShape: [3, 16, 16])
        let generator = NayerGenerator(configuration, random: &random)
        let labels = synthesisLabels(count: 20, classCount: 10, random: &random)
        let inputs = ShapeKernels.indexSelect(random.normalTensor(shape: [10, 16]), rows: labels)
        let optimizer = Adam(parameters: generator.namedParameters, learningRate: 1e-3, betas: (0.5, 0.999))
        let loss = BatchNormStatisticsLoss(layers: ModelZoo.batchNormLayers(of: teacher), momentum: 0.9)
        var totals: [Double] = []
        let fresh = Self.freshAllocationsPerStep(steps: 6) {
            let draw = AugmentationDraw.random(count: 20, padding: 2, random: &random)
            let (losses, _) = NayerSteps.synthesisIteration(
                generator: generator, inputs: inputs, labels: labels, draw: draw,
                normalization: ([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]), teacher: teacher, student: student,
                batchNormLoss: loss, weights: SynthesisWeights(batchNorm: 1, oneHot: 1, adversarial: 1),
                optimizer: optimizer)
            totals.append(losses.total)
        }
        #expect(fresh.contains(0), "fresh allocations per step: \(fresh)")
        #expect(totals.allSatisfy { $0.isFinite })
    }

    @Test func distillationStepsRecycleTheirBuffers() throws {
        var random = RandomGenerator(seed: 6)
        let teacher = try Self.frozen("resnet8", random: &random)
        let student = try ModelZoo.make("wrn16_1", classCount: 10, random: &random)
        let optimizer = SGD(parameters: student.namedParameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4)
        let images = random.normalTensor(shape: [24, 3, 16, 16])
        var losses: [Double] = []
        let fresh = Self.freshAllocationsPerStep(steps: 6) {
            losses.append(NayerSteps.distillationStep(images: images, teacher: teacher, student: student,
                                                      temperature: 20, optimizer: optimizer))
        }
        #expect(fresh.contains(0), "fresh allocations per step: \(fresh)")
        #expect(losses.allSatisfy { $0.isFinite })
    }
}
