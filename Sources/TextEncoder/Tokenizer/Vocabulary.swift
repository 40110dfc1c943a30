import Foundation

/// A WordPiece vocabulary: token text <-> id, where the id is the line number in vocab.txt.
///
/// Keys are scalar arrays rather than `String`s because Swift compares strings by
/// canonical equivalence, while Hugging Face matches code points exactly; "é" and
/// "e\u{301}" must stay different tokens.
public struct Vocabulary: Sendable {
    private let idsByToken: [[Unicode.Scalar]: Int]
    private let tokensById: [String]

    /// Builds the vocabulary from tokens in id order. A repeated token keeps its last id,
    /// as Hugging Face's dictionary-based loaders do.
    public init(tokens: [String]) {
        var idsByToken: [[Unicode.Scalar]: Int] = [:]
        idsByToken.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            idsByToken[Array(token.unicodeScalars)] = id
        }
        self.idsByToken = idsByToken
        self.tokensById = tokens
    }

    /// Reads vocab.txt: one UTF-8 token per line, newline-terminated.
    public init(contentsOf file: URL) throws {
        let path = file.path
        let bytes = try FileContents.read(path: path)
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else {
            throw TextEncoderError.invalidVocabulary(path: path, reason: "it holds no tokens")
        }
        var tokens: [String] = []
        tokens.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            // Tolerate CRLF files; no real token ends in a carriage return.
            let content = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            guard let token = String(validating: content, as: UTF8.self) else {
                throw TextEncoderError.invalidVocabulary(
                    path: path, reason: "line \(index + 1) is not valid UTF-8")
            }
            tokens.append(token)
        }
        self.init(tokens: tokens)
    }

    public var count: Int { tokensById.count }

    public func id(of token: String) -> Int? {
        idsByToken[Array(token.unicodeScalars)]
    }

    func id(ofScalars scalars: [Unicode.Scalar]) -> Int? {
        idsByToken[scalars]
    }

    public func token(for id: Int) -> String? {
        tokensById.indices.contains(id) ? tokensById[id] : nil
    }
}
