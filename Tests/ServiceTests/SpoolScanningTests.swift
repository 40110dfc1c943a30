import FileSystem
import Foundation
import Testing
@testable import Service
import TestSupport

@Suite struct SpoolScanningTests {
    @Test func claimsValidManifestUnderItsIdentifier() throws {
        let spool = try SpoolFixture()
        try spool.drop(name: "whatever.json", json: #"{"id": "job-1"}"#)
        try spool.drop(name: "stem-named.json", json: #"{}"#)
        let outcomes = try spool.claimAll()
        #expect(outcomes.contains(.claimed(try JobIdentifier(validating: "job-1"))))
        #expect(outcomes.contains(.claimed(try JobIdentifier(validating: "stem-named"))))
        #expect(spool.text(spool.layout.active.appendingPathComponent("job-1/manifest.json")) == #"{"id": "job-1"}"#)
        #expect(try FileOperations.listDirectory(spool.layout.incoming.path).isEmpty)
    }

    @Test func leavesDotFilesAndTemporaryFilesAlone() throws {
        let spool = try SpoolFixture()
        try Data("{}".utf8).write(to: spool.layout.incoming.appendingPathComponent(".pending.json"))
        try Data("{}".utf8).write(to: spool.layout.incoming.appendingPathComponent("upload.json.tmp"))
        try Data("{}".utf8).write(to: spool.layout.incoming.appendingPathComponent("notes.txt"))
        let outcomes = try spool.claimAll()
        #expect(outcomes == [.skipped, .skipped, .skipped])
        #expect(try FileOperations.listDirectory(spool.layout.incoming.path) == [".pending.json", "notes.txt", "upload.json.tmp"])
        #expect(try FileOperations.listDirectory(spool.layout.rejected.path).isEmpty)
    }

    @Test func rejectsSymbolicLink() throws {
        let spool = try SpoolFixture()
        let target = spool.temporary.url.appendingPathComponent("real.json")
        try Data("{}".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(at: spool.layout.incoming.appendingPathComponent("link.json"),
                                                   withDestinationURL: target)
        let outcomes = try spool.claimAll()
        #expect(outcomes.count == 1)
        guard case .rejected(let name, let reason) = outcomes.first else {
            Issue.record("expected a rejection, got \(outcomes)")
            return
        }
        #expect(name == "link")
        #expect(reason.contains("symbolic link"))
        #expect(spool.text(spool.layout.rejected.appendingPathComponent("link.error.txt"))?.contains("symbolic link") == true)
        #expect(spool.exists(target), "the link target must not be touched")
    }

    @Test func rejectsDirectoryNamedLikeManifest() throws {
        let spool = try SpoolFixture()
        try FileManager.default.createDirectory(at: spool.layout.incoming.appendingPathComponent("x.json"),
                                                withIntermediateDirectories: false)
        let outcomes = try spool.claimAll()
        #expect(outcomes.first.map { if case .rejected("x", let reason) = $0 { reason.contains("directory") } else { false } } == true)
        #expect(spool.text(spool.layout.rejected.appendingPathComponent("x.error.txt"))?.contains("is a directory") == true)
    }

    @Test func rejectsOversizedManifest() throws {
        let spool = try SpoolFixture()
        let big = Data(repeating: UInt8(ascii: " "), count: 10 * 1024 * 1024)
        try big.write(to: spool.layout.incoming.appendingPathComponent("big.json"))
        let outcomes = try spool.claimAll()
        #expect(outcomes.count == 1)
        let reason = spool.text(spool.layout.rejected.appendingPathComponent("big.error.txt")) ?? ""
        #expect(reason.contains("10485760 bytes"))
        #expect(reason.contains("1048576-byte limit"))
        #expect(try FileOperations.listDirectory(spool.layout.active.path).isEmpty)
    }

    @Test(arguments: [("../x", "dotdot"), (".hidden", "hidden"), (String(repeating: "a", count: 65), "long")])
    func rejectsInvalidIdentifierUnderSafeName(identifier: String, fileStem: String) throws {
        let spool = try SpoolFixture()
        try spool.drop(name: "\(fileStem).json", json: "{\"id\": \"\(identifier)\"}")
        let outcomes = try spool.claimAll()
        #expect(outcomes.count == 1)
        let errorFile = spool.layout.rejected.appendingPathComponent("\(fileStem).error.txt")
        let reason = spool.text(errorFile) ?? ""
        #expect(reason.contains("is invalid"), "reason: \(reason)")
        #expect(spool.exists(spool.layout.rejected.appendingPathComponent("\(fileStem).json")))
        #expect(try FileOperations.listDirectory(spool.layout.active.path).isEmpty)
        // Nothing escaped the rejected directory.
        #expect(!spool.exists(spool.layout.root.appendingPathComponent("x.error.txt")))
    }

    @Test func rejectsDuplicateIdentifier() throws {
        let spool = try SpoolFixture()
        try spool.drop(name: "first.json", json: #"{"id": "same"}"#)
        _ = try spool.claimAll()
        try spool.drop(name: "second.json", json: #"{"id": "same"}"#)
        let outcomes = try spool.claimAll()
        #expect(outcomes == [.rejected(name: "same", reason: "job id \"same\" already exists in active/")])
        let reason = spool.text(spool.layout.rejected.appendingPathComponent("same.error.txt")) ?? ""
        #expect(reason.hasPrefix("second.json: job id \"same\" already exists in active/"))
        // The running job's manifest is untouched.
        #expect(spool.text(spool.layout.active.appendingPathComponent("same/manifest.json")) == #"{"id": "same"}"#)
    }

    @Test func rejectsIdentifierOfFinishedJob() throws {
        let spool = try SpoolFixture()
        try FileManager.default.createDirectory(at: spool.output.appendingPathComponent("done"),
                                                withIntermediateDirectories: false)
        try spool.drop(name: "done.json", json: "{}")
        let outcomes = try spool.claimAll()
        guard case .rejected("done", let reason) = outcomes.first else {
            Issue.record("expected rejection, got \(outcomes)")
            return
        }
        #expect(reason.contains(spool.output.path))
    }

    @Test func rejectsMalformedJsonWithValidatorReason() throws {
        let spool = try SpoolFixture()
        try spool.drop(name: "broken.json", json: #"{"id": "#)
        _ = try spool.claimAll()
        let reason = spool.text(spool.layout.rejected.appendingPathComponent("broken.error.txt")) ?? ""
        #expect(reason == "broken.json: invalid manifest: broken.json is not well-formed JSON\n")
    }

    @Test func resolvedManifestIsRunAndOriginalKept() throws {
        struct Resolving: ManifestValidator {
            func validate(manifestAt url: URL) throws -> ManifestSummary {
                ManifestSummary(jobIdentifier: "resolved", resolvedManifest: Data(#"{"teacher": "/abs"}"#.utf8))
            }
        }
        let spool = try SpoolFixture()
        try spool.drop(name: "r.json", json: #"{"teacher": "rel"}"#)
        let claimer = JobClaimer(layout: spool.layout, outputDirectory: spool.output, validator: Resolving())
        let outcome = try claimer.process(try #require(try SpoolScanner(incoming: spool.layout.incoming).scan().first))
        #expect(outcome == .claimed(try JobIdentifier(validating: "resolved")))
        let job = spool.layout.activeJob(try JobIdentifier(validating: "resolved"))
        #expect(spool.text(job.manifest) == #"{"teacher": "/abs"}"#)
        #expect(spool.text(job.submittedManifest) == #"{"teacher": "rel"}"#)
    }
}
