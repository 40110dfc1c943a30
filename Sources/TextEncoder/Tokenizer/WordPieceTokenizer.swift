import Foundation

/// BERT's uncased WordPiece tokenizer, producing the same ids as Hugging Face's
/// `BertTokenizerFast` (tokenizer.json of all-MiniLM-L6-v2) with truncation on.
public struct WordPieceTokenizer: Sendable {
    /// Words longer than this many scalars become a single [UNK], as in BERT.
    public static let maximumWordLength = 100
    public static let continuationPrefix = "##"

    public let vocabulary: Vocabulary
    /// Total ids per encoded text, [CLS] and [SEP] included.
    public let maximumLength: Int
    public let unknownId: Int
    public let classifierId: Int
    public let separatorId: Int

    /// Special tokens found verbatim (case-sensitive) in the raw text become their own id
    /// before any normalization, as Hugging Face's added-token matching does.
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int)]
    private let continuationScalars = Array(WordPieceTokenizer.continuationPrefix.unicodeScalars)

    public init(vocabulary: Vocabulary, maximumLength: Int, source: String = "vocabulary") throws {
        guard maximumLength >= 2 else { throw TextEncoderError.invalidMaximumLength(maximumLength) }
        func required(_ token: String) throws -> Int {
            guard let id = vocabulary.id(of: token) else {
                throw TextEncoderError.invalidVocabulary(path: source, reason: "it has no \(token) token")
            }
            return id
        }
        self.vocabulary = vocabulary
        self.maximumLength = maximumLength
        self.unknownId = try required("[UNK]")
        self.classifierId = try required("[CLS]")
        self.separatorId = try required("[SEP]")
        self.specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
            vocabulary.id(of: token).map { (Array(token.unicodeScalars), $0) }
        }
    }

    public init(vocabularyFile: URL, maximumLength: Int) throws {
        try self.init(vocabulary: Vocabulary(contentsOf: vocabularyFile),
                      maximumLength: maximumLength, source: vocabularyFile.path)
    }

    /// The ids fed to the encoder: [CLS], the text's WordPiece ids cut to fit
    /// `maximumLength`, [SEP].
    public func encode(_ text: String) -> [Int] {
        var ids = [classifierId]
        ids.append(contentsOf: tokenIds(text).prefix(maximumLength - 2))
        ids.append(separatorId)
        return ids
    }

    /// The WordPiece ids of `text`, without [CLS]/[SEP] and without truncation.
    public func tokenIds(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in segments(of: Array(text.unicodeScalars)) {
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let scalars):
                for word in BasicTokenizer.words(in: scalars) {
                    appendWordPieces(of: word, to: &ids)
                }
            }
        }
        return ids
    }

    /// The token strings of `text` (no [CLS]/[SEP]), for inspection and tests.
    public func tokens(_ text: String) -> [String] {
        tokenIds(text).map { vocabulary.token(for: $0) ?? "[UNK]" }
    }

    /// Greedy longest-match-first: take the longest vocabulary entry starting at the
    /// current position (prefixed "##" after the first piece); if any position has no
    /// match, the whole word is [UNK].
    private func appendWordPieces(of word: [Unicode.Scalar], to ids: inout [Int]) {
        guard word.count <= Self.maximumWordLength else {
            ids.append(unknownId)
            return
        }
        var pieces: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int?
            while start < end {
                var candidate = start > 0 ? continuationScalars : []
                candidate.append(contentsOf: word[start..<end])
                if let id = vocabulary.id(ofScalars: candidate) {
                    match = id
                    break
                }
                end -= 1
            }
            guard let id = match else {
                ids.append(unknownId)
                return
            }
            pieces.append(id)
            start = end
        }
        ids.append(contentsOf: pieces)
    }

    private enum Segment {
        case text([Unicode.Scalar])
        case special(Int)
    }

    /// Cuts the raw text at every verbatim special token. No special token is a prefix
    /// of another, so the first match at a position is the longest.
    private func segments(of scalars: [Unicode.Scalar]) -> [Segment] {
        var segments: [Segment] = []
        var textStart = 0
        var position = 0
        while position < scalars.count {
            guard scalars[position] == "[",
                  let special = specialTokens.first(where: { token in
                      scalars[position...].starts(with: token.scalars)
                  })
            else {
                position += 1
                continue
            }
            if textStart < position { segments.append(.text(Array(scalars[textStart..<position]))) }
            segments.append(.special(special.id))
            position += special.scalars.count
            textStart = position
        }
        if textStart < scalars.count { segments.append(.text(Array(scalars[textStart...]))) }
        return segments
    }
}
