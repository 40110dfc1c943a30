import Testing
@testable import Service

@Suite struct JobIdentifierTests {
    @Test(arguments: ["a", "fmnist-resnet20-to-resnet8", "A.b_c-9", String(repeating: "x", count: 64)])
    func acceptsValidIdentifiers(text: String) throws {
        #expect(try JobIdentifier(validating: text).rawValue == text)
    }

    @Test(arguments: ["", "../x", ".hidden", "a/b", "a b", "é", String(repeating: "x", count: 65)])
    func rejectsInvalidIdentifiers(text: String) {
        #expect(throws: SpoolError.self) { try JobIdentifier(validating: text) }
    }

    @Test func safeNameIsAlwaysValid() {
        for text in ["../x", ".hidden", "", "a b/c", String(repeating: ".", count: 80)] {
            let safe = JobIdentifier.safeName(from: text)
            #expect(JobIdentifier.isValid(safe), "\(safe) from \(text)")
        }
        #expect(JobIdentifier.safeName(from: "../x") == "_._x")
    }
}
