import Commands
import Foundation

// nayer-bench ops|steps [--json] [--only ...] [--repeats N]: kernel and training-step
// timings beside PyTorch's (the last two options for profiler runs; `ops --only s2,linear`
// keeps rows whose name contains one of the strings and skips PyTorch).
let usage = "usage: nayer-bench ops|steps [--json] [--only ROWS] [--repeats N]\n"
    + "  --only  steps: ngf64,ngf32,kd; ops: substrings of row names, e.g. s2,linear (no PyTorch run)\n"
var json = false
var only: Set<String>?
var repeats: Int?
var benchmarks: [String] = []
var remaining = CommandLine.arguments.dropFirst()[...]
while let argument = remaining.popFirst() {
    switch argument {
    case "--json": json = true
    case "--only":
        only = remaining.popFirst().map { Set($0.split(separator: ",").map(String.init)) }
    case "--repeats":
        guard let value = remaining.popFirst().flatMap({ Int($0) }), value > 0 else {
            FileHandle.standardError.write(Data(usage.utf8))
            exit(2)
        }
        repeats = value
    default: benchmarks.append(argument)
    }
}
guard benchmarks.count == 1, ["ops", "steps"].contains(benchmarks[0]) else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
}
do {
    let report = benchmarks[0] == "ops"
        ? try OpsBenchmark.run(json: json, torchResults: nil, only: only, repeats: repeats)
        : try StepsBenchmark.run(json: json, only: only, repeats: repeats)
    print(report)
} catch {
    FileHandle.standardError.write(Data("nayer-bench: \(error)\n".utf8))
    exit(1)
}
