import Foundation
import TextEncoder

/// Golden data written by scripts/golden/text_encoder.py from the Hugging Face pipeline.
struct MiniLMFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let embedding: [Float]
    }

    let maxSeqLength: Int
    let vocabularySize: Int
    let embeddingSize: Int
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
        case maxSeqLength = "max_seq_length"
        case vocabularySize = "vocabulary_size"
        case embeddingSize = "embedding_size"
        case cases
    }

    static func load() throws -> MiniLMFixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/text/minilm.json")
        return try JSONDecoder().decode(MiniLMFixture.self, from: Data(contentsOf: url))
    }
}

/// The installed model, found the way the daemon finds it (bootstrap installs it).
enum InstalledModel {
    static func directory() throws -> MiniLMModelDirectory {
        try MiniLMModelDirectory.locate(explicit: nil)
    }
}

/// A scratch directory removed when the test ends.
struct ScratchDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("nayerd-text-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
