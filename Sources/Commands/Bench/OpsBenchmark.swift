import Foundation
import Tensor

/// `nayer-bench ops`: times our conv2d and linear kernels on the shapes that dominate a
/// NAYER job and sets them beside PyTorch's figures for the same rows, measured by
/// scripts/bench_torch_ops.py (torch.set_num_threads(2)).
public enum OpsBenchmark {
    /// One timed row: a name shared with the Python script, our milliseconds, the work.
    public struct Row: Sendable, Codable {
        public let name: String
        public let milliseconds: Double
        public let gigaflops: Double
        public let torchMilliseconds: Double?
        /// torch / ours: above 1 means we are faster.
        public var speedup: Double? { torchMilliseconds.map { $0 / milliseconds } }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static let batch = 256
    /// (Cin, Cout, H, W, stride), all 3x3 with padding 1; must match bench_torch_ops.py.
    static let convolutionShapes = [(3, 16, 32, 32, 1), (16, 16, 32, 32, 1), (16, 32, 32, 32, 2),
                                    (32, 32, 16, 16, 1), (64, 64, 8, 8, 1), (128, 128, 16, 16, 1),
                                    (128, 64, 32, 32, 1)]
    static let linearFeatures = (input: 1000, output: 8192)
    static let warmups = 1
    static let repeats = 3

    /// Runs every row and returns the table (or JSON). `torchResults` is a file holding
    /// the script's JSON; without it the script is run when scripts/bench_torch_ops.py
    /// and .venv/bin/python exist under the current directory. `only` keeps the rows whose
    /// name contains one of its strings (e.g. "s2" or "linear") and skips PyTorch, for
    /// profiler runs.
    public static func run(json: Bool, torchResults: URL?, only: Set<String>? = nil,
                           repeats: Int? = nil) throws -> String {
        let torch = only == nil ? try torchTimings(from: torchResults) : [:]
        var random = RandomGenerator(seed: 0)
        var rows: [Row] = []
        func wanted(_ name: String) -> Bool { only?.contains(where: { name.contains($0) }) ?? true }
        func add(_ name: String, flops: Double, _ body: () -> Void) {
            guard wanted(name) else { return }
            let milliseconds = BenchmarkClock.medianMilliseconds(warmups: warmups, repeats: repeats ?? Self.repeats, body)
            rows.append(Row(name: name, milliseconds: milliseconds, gigaflops: flops / milliseconds / 1e6,
                            torchMilliseconds: torch[name]))
        }
        for (inputChannels, outputChannels, height, width, stride) in convolutionShapes {
            let name = "conv \(inputChannels)->\(outputChannels) \(height)x\(width) s\(stride)"
            // Profiler runs skip the random inputs of rows they leave out.
            guard ["forward", "backward-input", "backward-weight"].contains(where: { wanted("\(name) \($0)") }) else {
                continue
            }
            let geometry = Conv2dGeometry(inputShape: [batch, inputChannels, height, width],
                                          weightShape: [outputChannels, inputChannels, 3, 3],
                                          stride: stride, padding: 1, groups: 1)!
            let input = random.normalTensor(shape: geometry.inputShape)
            let weight = random.normalTensor(shape: geometry.weightShape, standardDeviation: 0.1)
            let bias = random.normalTensor(shape: [outputChannels])
            let gradOutput = random.normalTensor(shape: geometry.outputShape)
            let flops = geometry.floatingPointOperations
            add("\(name) forward", flops: flops) {
                _ = Conv2dKernels.forward(input: input, weight: weight, bias: bias, geometry: geometry)
            }
            add("\(name) backward-input", flops: flops) {
                _ = Conv2dKernels.backwardInput(gradOutput: gradOutput, weight: weight, geometry: geometry)
            }
            add("\(name) backward-weight", flops: flops) {
                _ = Conv2dKernels.backwardWeight(gradOutput: gradOutput, input: input, geometry: geometry)
            }
        }
        let (featuresIn, featuresOut) = linearFeatures
        guard wanted("linear \(featuresIn)->\(featuresOut) forward") || wanted("linear \(featuresIn)->\(featuresOut) backward") else {
            return json ? try jsonReport(rows) : table(rows)
        }
        let input = random.normalTensor(shape: [batch, featuresIn])
        let weight = random.normalTensor(shape: [featuresOut, featuresIn], standardDeviation: 0.03)
        let bias = random.normalTensor(shape: [featuresOut])
        let gradOutput = random.normalTensor(shape: [batch, featuresOut])
        let linearFlops = 2 * Double(batch * featuresIn * featuresOut)
        add("linear \(featuresIn)->\(featuresOut) forward", flops: linearFlops) {
            _ = MatmulKernels.linear(input: input, weight: weight, bias: bias)
        }
        // Input, weight and bias gradients, as a training step needs them.
        add("linear \(featuresIn)->\(featuresOut) backward", flops: 2 * linearFlops) {
            _ = MatmulKernels.multiply(gradOutput, weight)
            _ = MatmulKernels.multiply(gradOutput, input, transposeA: true)
            _ = MatmulKernels.columnSums(gradOutput)
        }
        return json ? try jsonReport(rows) : table(rows)
    }

    static func table(_ rows: [Row]) -> String {
        let width = rows.map(\.name.count).max() ?? 0
        func cell(_ value: Double?, _ format: String) -> String {
            value.map { String(format: format, $0) } ?? "-"
        }
        var lines = ["\("row".padding(toLength: width, withPad: " ", startingAt: 0))  "
            + "      ms   GFLOP/s  torch ms  speed-up   (batch \(batch), \(Parallel.threadCount) threads)"]
        for row in rows {
            let values = [cell(row.milliseconds, "%8.2f"), cell(row.gigaflops, "%9.1f"),
                          cell(row.torchMilliseconds, "%9.2f"), cell(row.speedup, "%8.2fx")]
            lines.append(row.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                         + values.map { $0.count < 9 ? String(repeating: " ", count: 9 - $0.count) + $0 : $0 }
                             .joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func jsonReport(_ rows: [Row]) throws -> String {
        struct Report: Codable {
            let batch: Int
            let threads: Int
            let rows: [Row]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Report(batch: batch, threads: Parallel.threadCount, rows: rows))
        return String(decoding: data, as: UTF8.self)
    }

    /// PyTorch milliseconds by row name, from a file, from running the script, or none.
    static func torchTimings(from file: URL?) throws -> [String: Double] {
        let output: Data
        if let file {
            do { output = try Data(contentsOf: file) } catch {
                throw Failure(description: "cannot read PyTorch results \(file.path): \(error)")
            }
        } else {
            let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let script = directory.appendingPathComponent("scripts/bench_torch_ops.py")
            let python = directory.appendingPathComponent(".venv/bin/python")
            guard FileManager.default.fileExists(atPath: script.path),
                  FileManager.default.isExecutableFile(atPath: python.path) else { return [:] }
            output = try runScript(python: python, script: script)
        }
        struct Results: Decodable { let rows: [String: Double] }
        do {
            return try JSONDecoder().decode(Results.self, from: output).rows
        } catch {
            throw Failure(description: "PyTorch results are not the script's JSON: \(error)")
        }
    }

    static func runScript(python: URL, script: URL, arguments: [String] = []) throws -> Data {
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch {
            throw Failure(description: "cannot start \(python.path) \(script.path): \(error)")
        }
        // Read before waiting: a full pipe would otherwise block the script forever.
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(script.path) exited with status \(process.terminationStatus)")
        }
        return output
    }
}
