import Autograd
import Distill
import Foundation
import Models
import NN
import Tensor

/// `nayer-bench steps`: times one NAYER generator step (at ngf 64 and 32) and one KD step
/// at the sizes of a CIFAR-10 job (teacher resnet20, student wrn16_1, batch 256) and sets
/// them beside scripts/bench_torch_steps.py's PyTorch figures for the same steps.
public enum StepsBenchmark {
    /// Milliseconds per step, keyed as the Python script's JSON.
    public struct Timings: Sendable, Codable {
        public var generatorStep: [String: Double]
        public var distillationStep: Double
        public var threads: Int
        /// The script's frozen-weights, channels_last variant (PyTorch only).
        public var optimized: OptimizedTimings?
        /// Most fresh pooled-size allocations in one timed step, by step (ours only; after
        /// warm-up this should be 0: every large buffer comes back from the pool).
        public var freshAllocations: [String: Int] = [:]
        /// Peak resident set of the whole benchmark process, MiB (ours only).
        public var peakResidentMiB: Double = 0

        enum CodingKeys: String, CodingKey {
            case generatorStep = "generator_step_ms", distillationStep = "kd_step_ms", threads, optimized
        }
    }

    public struct OptimizedTimings: Sendable, Codable {
        public var generatorStep: [String: Double]
        public var distillationStep: Double

        enum CodingKeys: String, CodingKey {
            case generatorStep = "generator_step_ms", distillationStep = "kd_step_ms"
        }
    }

    static let batch = 256
    static let classCount = 10
    static let embeddingSize = 384
    static let noisyLayerWidth = 1000
    static let imageShape = [3, 32, 32]
    static let generatorFeatures = [64, 32]
    static let temperature: Float = 20
    static let warmups = 2
    static let repeats = 5

    /// `only` keeps the steps whose name ("ngf64", "ngf32", "kd") it lists, e.g. for a
    /// profiler run; `repeats` overrides the number of timed steps.
    public static func run(json: Bool, only: Set<String>? = nil, repeats: Int? = nil) throws -> String {
        let ours = measure(only: only, repeats: repeats ?? Self.repeats)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(ours), as: UTF8.self)
        }
        return table(ours: ours, torch: try torchTimings())
    }

    /// Our timings: the median of `repeats` steps after `warmups`.
    public static func measure(only: Set<String>? = nil, repeats: Int = 5) -> Timings {
        let warmups = min(Self.warmups, repeats)
        var fresh: [String: Int] = [:]
        func time(_ name: String, _ step: () -> Void) -> Double {
            var counts: [Int] = []
            let milliseconds = BenchmarkClock.medianMilliseconds(warmups: warmups, repeats: repeats) {
                let before = TensorStorage.freshPooledAllocationCount
                step()
                counts.append(TensorStorage.freshPooledAllocationCount - before)
            }
            fresh[name] = counts.suffix(repeats).max() ?? 0
            return milliseconds
        }
        var generatorStep: [String: Double] = [:]
        for features in generatorFeatures where only?.contains("ngf\(features)") ?? true {
            generatorStep["ngf\(features)"] = time("ngf\(features)", makeGeneratorStep(features: features))
        }
        let distillation = only?.contains("kd") ?? true ? time("kd", makeDistillationStep()) : .nan
        var timings = Timings(generatorStep: generatorStep, distillationStep: distillation,
                              threads: Parallel.threadCount, optimized: nil)
        timings.freshAllocations = fresh
        timings.peakResidentMiB = peakResidentMiB()
        return timings
    }

    static func peakResidentMiB() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
        return Double(usage.ru_maxrss) / 1024   // Linux reports KiB
    }

    /// Teacher resnet20 and student wrn16_1, both in eval mode with frozen weights, as
    /// during synthesis.
    static func frozenClassifiers(random: inout RandomGenerator) -> (teacher: any Layer, student: any Layer) {
        // The zoo only throws for unknown names; these two are in it.
        let teacher = try! ModelZoo.make("resnet20", classCount: classCount, random: &random)
        let student = try! ModelZoo.make("wrn16_1", classCount: classCount, random: &random)
        for model in [teacher, student] as [any Layer] {
            model.eval()
            model.setRequiresGradient(false)
        }
        return (teacher, student)
    }

    /// One `NayerSteps.synthesisIteration` with the adversarial term on.
    public static func makeGeneratorStep(features: Int) -> () -> Void {
        var random = RandomGenerator(seed: 1)
        let (teacher, student) = frozenClassifiers(random: &random)
        let configuration = NayerGenerator.Configuration(
            embeddingSize: embeddingSize, classCount: classCount, batchSize: batch,
            noisyLayerWidth: noisyLayerWidth, noisyLayers: true, features: features, imageShape: imageShape)
        let generator = NayerGenerator(configuration, random: &random)
        generator.redrawNoisyLayers(random: &random)
        let table = random.normalTensor(shape: [classCount, embeddingSize])
        let labels = synthesisLabels(count: batch, classCount: classCount, random: &random)
        let inputs = ShapeKernels.indexSelect(table, rows: labels)
        let optimizer = Adam(parameters: generator.namedParameters, learningRate: 1e-3, betas: (0.5, 0.999))
        let batchNormLoss = BatchNormStatisticsLoss(layers: ModelZoo.batchNormLayers(of: teacher), momentum: 0.9)
        let weights = SynthesisWeights(batchNorm: 10, oneHot: 1, adversarial: 1)
        let normalization: (mean: [Float], std: [Float]) = ([0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.2010])
        return {
            let draw = AugmentationDraw.random(count: batch, padding: 4, random: &random, flip: true)
            _ = NayerSteps.synthesisIteration(
                generator: generator, inputs: inputs, labels: labels, draw: draw, normalization: normalization,
                teacher: teacher, student: student, batchNormLoss: batchNormLoss, weights: weights,
                optimizer: optimizer)
        }
    }

    /// One `NayerSteps.distillationStep`: student in train mode, SGD with momentum.
    public static func makeDistillationStep() -> () -> Void {
        var random = RandomGenerator(seed: 2)
        let (teacher, student) = frozenClassifiers(random: &random)
        student.train()
        student.setRequiresGradient(true)
        let optimizer = SGD(parameters: student.namedParameters, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
        let images = random.normalTensor(shape: [batch] + imageShape)
        return {
            _ = NayerSteps.distillationStep(images: images, teacher: teacher, student: student,
                                            temperature: temperature, optimizer: optimizer)
        }
    }

    static func table(ours: Timings, torch: Timings?) -> String {
        var rows: [(String, Double, Double?, Double?)] = generatorFeatures.map { features in
            let key = "ngf\(features)"
            return ("generator step ngf \(features)", ours.generatorStep[key] ?? .nan,
                    torch?.generatorStep[key], torch?.optimized?.generatorStep[key])
        }
        rows.append(("KD step", ours.distillationStep, torch?.distillationStep, torch?.optimized?.distillationStep))
        func cell(_ value: Double?, _ format: String) -> String {
            let text = value.map { String(format: format, $0) } ?? "-"
            return String(repeating: " ", count: max(0, 10 - text.count)) + text
        }
        var lines = ["step                     ours ms  torch ms  ours/torch  torch-opt ms  ours/opt"
                     + "   (batch \(batch), \(ours.threads) threads)"]
        for (name, mine, reference, optimized) in rows {
            lines.append(name.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + cell(mine, "%.1f") + cell(reference, "%.1f") + cell(reference.map { mine / $0 }, "%.2fx")
                         + "    " + cell(optimized, "%.1f") + cell(optimized.map { mine / $0 }, "%.2fx"))
        }
        let fresh = ours.freshAllocations.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append("fresh large allocations per timed step (0 = pool warm): " + fresh.joined(separator: ", ")
                     + String(format: "; peak RSS %.0f MiB", ours.peakResidentMiB))
        return lines.joined(separator: "\n")
    }

    /// The script's figures, when scripts/bench_torch_steps.py and .venv/bin/python exist
    /// under the current directory.
    static func torchTimings() throws -> Timings? {
        let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let script = directory.appendingPathComponent("scripts/bench_torch_steps.py")
        let python = directory.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.fileExists(atPath: script.path),
              FileManager.default.isExecutableFile(atPath: python.path) else { return nil }
        let output = try OpsBenchmark.runScript(python: python, script: script, arguments: ["--json"])
        do {
            return try JSONDecoder().decode(Timings.self, from: output)
        } catch {
            throw OpsBenchmark.Failure(description: "PyTorch step timings are not the script's JSON: \(error)")
        }
    }
}

/// Median wall time of a benchmark body, shared by the ops and steps tables.
enum BenchmarkClock {
    static func medianMilliseconds(warmups: Int, repeats: Int, _ body: () -> Void) -> Double {
        for _ in 0..<warmups { body() }
        let clock = ContinuousClock()
        let times = (0..<repeats).map { _ in
            let elapsed = clock.measure(body)
            return Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
        }.sorted()
        return times[times.count / 2]
    }
}
