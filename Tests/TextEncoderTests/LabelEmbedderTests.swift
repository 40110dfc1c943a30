import Foundation
import Tensor
import Testing
import TextEncoder

@Suite struct LabelEmbedderTests {
    @Test func promptedLabelsMatchTheFixtureEmbeddings() throws {
        let embedder = try installedEmbedder.get()
        let fixture = try miniLMFixture.get()
        let labels = ["cat", "aquarium_fish", "T-shirt/top"]
        let embeddings = try embedder.labelEmbeddings(labels: labels, prompt: "a photo of a {}")
        #expect(embeddings.shape == [labels.count, embedder.dimension])
        #expect(embedder.dimension == 384)
        for (index, label) in labels.enumerated() {
            let expected = try #require(fixture.cases.first { $0.text == "a photo of a \(label)" })
            #expect(cosine(row(embeddings, index), expected.embedding) >= 0.99999, "\(label)")
        }
    }

    @Test func everyPlaceholderIsReplacedAndTextsAreEmbeddedInOrder() throws {
        let embedder = try installedEmbedder.get()
        let prompted = try embedder.labelEmbeddings(labels: ["dog", "ship"], prompt: "{} or not {}?")
        let direct = try embedder.embed(["ship or not ship?", "dog or not dog?"])
        #expect(Array(row(prompted, 0)) == Array(row(direct, 1)))
        #expect(Array(row(prompted, 1)) == Array(row(direct, 0)))
        #expect(try embedder.labelEmbeddings(labels: [], prompt: "{}").shape == [0, 384])
    }

    @Test func similarLabelsAreCloserThanUnrelatedOnes() throws {
        let embedder = try installedEmbedder.get()
        let embeddings = try embedder.embed(["a photo of a cat", "a photo of a kitten", "a photo of a truck"])
        let cat = Array(row(embeddings, 0))
        let kitten = cosine(row(embeddings, 1), cat)
        let truck = cosine(row(embeddings, 2), cat)
        #expect(kitten > truck + 0.1, "cat~kitten \(kitten), cat~truck \(truck)")
    }

    @Test func promptWithoutPlaceholderIsRefused() throws {
        let embedder = try installedEmbedder.get()
        let error = TextEncoderError.promptWithoutPlaceholder(prompt: "a photo of a")
        #expect(throws: error) { try embedder.labelEmbeddings(labels: ["cat"], prompt: "a photo of a") }
        #expect(error.description.contains("{}") && error.description.contains("a photo of a"))
    }
}
