import Foundation
import Testing
import TextEncoder

@Suite struct TokenizerFixtureTests {
    @Test func fixtureCoversEnoughStrings() throws {
        let fixture = try MiniLMFixture.load()
        #expect(fixture.cases.count >= 60)
        #expect(fixture.embeddingSize == 384)
        #expect(fixture.cases.allSatisfy { $0.embedding.count == fixture.embeddingSize })
        #expect(fixture.cases.contains { $0.ids.count == fixture.maxSeqLength })
    }

    @Test func tokenIdsMatchHuggingFaceForEveryFixtureString() throws {
        let fixture = try MiniLMFixture.load()
        let model = try InstalledModel.directory()
        #expect(model.maximumSequenceLength == fixture.maxSeqLength)
        let tokenizer = try model.makeTokenizer()
        #expect(tokenizer.vocabulary.count == fixture.vocabularySize)
        var mismatches = 0
        for item in fixture.cases {
            let ids = tokenizer.encode(item.text)
            if ids != item.ids { mismatches += 1 }
            #expect(ids == item.ids, "text: \(item.text.debugDescription)")
        }
        #expect(mismatches == 0)
    }

    @Test func longTextIsTruncatedBeforeSeparator() throws {
        let tokenizer = try InstalledModel.directory().makeTokenizer()
        let text = Array(repeating: "the quick brown fox", count: 200).joined(separator: " ")
        let untruncated = tokenizer.tokenIds(text)
        #expect(untruncated.count == 800)
        let ids = tokenizer.encode(text)
        #expect(ids.count == 256)
        #expect(ids.first == tokenizer.classifierId)
        #expect(ids.last == tokenizer.separatorId)
        #expect(Array(ids[1..<255]) == Array(untruncated.prefix(254)))
    }

    @Test func photoPromptTokens() throws {
        let tokenizer = try InstalledModel.directory().makeTokenizer()
        #expect(tokenizer.tokens("a photo of a T-shirt/top") == ["a", "photo", "of", "a", "t", "-", "shirt", "/", "top"])
        #expect(tokenizer.encode("") == [101, 102])
    }
}
