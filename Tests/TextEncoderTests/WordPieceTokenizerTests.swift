import Foundation
import Testing
import TextEncoder

@Suite struct WordPieceTokenizerTests {
    static let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                         "un", "##aff", "##able", "aff", "able", "a", "##b", ",", "run", "##ning", "é"]

    static func tokenizer(maximumLength: Int = 16) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: Vocabulary(tokens: tokens), maximumLength: maximumLength)
    }

    @Test func greedyLongestMatchWithContinuations() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokens("unaffable running") == ["un", "##aff", "##able", "run", "##ning"])
        #expect(tokenizer.encode("unaffable") == [2, 5, 6, 7, 3])
        #expect(tokenizer.tokens("abbb") == ["a", "##b", "##b", "##b"])
    }

    @Test func wholeWordBecomesUnknownWhenAnyPieceIsMissing() throws {
        let tokenizer = try Self.tokenizer()
        // "unx" matches "un" but then nothing: the whole word, not just the tail, is [UNK].
        #expect(tokenizer.tokens("unx, able") == ["[UNK]", ",", "able"])
        #expect(tokenizer.tokenIds("zzz") == [tokenizer.unknownId])
    }

    @Test func wordsLongerThanHundredScalarsAreUnknown() throws {
        let tokenizer = try Self.tokenizer()
        let hundred = "a" + String(repeating: "b", count: 99)
        #expect(tokenizer.tokenIds(hundred).count == 100)
        #expect(tokenizer.tokens(hundred + "b") == ["[UNK]"])
    }

    @Test func truncatesContentToFitClsAndSep() throws {
        let tokenizer = try Self.tokenizer(maximumLength: 4)
        #expect(tokenizer.encode("un able , able") == [2, 5, 9, 3])
        let minimal = try Self.tokenizer(maximumLength: 2)
        #expect(minimal.encode("able able") == [2, 3])
        #expect(throws: TextEncoderError.invalidMaximumLength(1)) { try Self.tokenizer(maximumLength: 1) }
    }

    @Test func verbatimSpecialTokensKeepTheirIds() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenIds("a[MASK]able [SEP]") == [10, 4, 9, 3])
        // Matching is case-sensitive, before lower-casing.
        #expect(tokenizer.tokens("[mask]") == ["[UNK]", "[UNK]", "[UNK]"])
    }

    @Test func vocabularyKeepsCodePointsDistinct() throws {
        let vocabulary = Vocabulary(tokens: ["e\u{301}", "é"])
        #expect(vocabulary.id(of: "é") == 1)
        #expect(vocabulary.id(of: "e\u{301}") == 0)
        #expect(vocabulary.token(for: 1) == "é")
        #expect(vocabulary.token(for: 2) == nil)
        #expect(vocabulary.token(for: -1) == nil)
    }

    @Test func vocabularyFileErrorsNameTheFile() throws {
        let scratch = try ScratchDirectory()
        let missing = scratch.url.appendingPathComponent("vocab.txt")
        #expect(throws: TextEncoderError.missingFile(path: missing.path)) {
            try WordPieceTokenizer(vocabularyFile: missing, maximumLength: 8)
        }
        try scratch.write("[PAD]\n[CLS]\n[SEP]\nhello\n", to: "vocab.txt")
        do {
            _ = try WordPieceTokenizer(vocabularyFile: missing, maximumLength: 8)
            Issue.record("a vocabulary without [UNK] was accepted")
        } catch let error as TextEncoderError {
            #expect(error.description.contains(missing.path))
            #expect(error.description.contains("[UNK]"))
        }
        try Data([0x5B, 0x55, 0x4E, 0x4B, 0x5D, 0x0A, 0xFF, 0x0A]).write(to: missing)
        #expect(throws: TextEncoderError.invalidVocabulary(path: missing.path, reason: "line 2 is not valid UTF-8")) {
            try Vocabulary(contentsOf: missing)
        }
    }

    @Test func readsVocabularyFileWithCRLFLines() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n", to: "vocab.txt")
        let tokenizer = try WordPieceTokenizer(
            vocabularyFile: scratch.url.appendingPathComponent("vocab.txt"), maximumLength: 8)
        #expect(tokenizer.vocabulary.count == 5)
        #expect(tokenizer.encode("Hello there") == [2, 4, 1, 3])
    }
}
