import FileSystem
import Foundation
import Testing
@testable import Service
import TestSupport

@Suite struct SpoolClientTests {
    @Test func submitPlacesValidatedManifestUnderItsIdentifier() throws {
        let spool = try SpoolFixture()
        let source = spool.temporary.url.appendingPathComponent("mine.json")
        try Data(#"{"id": "exp-1"}"#.utf8).write(to: source)
        let client = SpoolClient(layout: spool.layout)
        let identifier = try client.submit(manifestAt: source, validator: JSONObjectValidator())
        #expect(identifier.rawValue == "exp-1")
        #expect(try FileOperations.listDirectory(spool.layout.incoming.path) == ["exp-1.json"])
        let duplicate = #expect(throws: SpoolError.self) {
            try client.submit(manifestAt: source, validator: JSONObjectValidator())
        }
        #expect(duplicate == .duplicateJob(identifier: "exp-1", location: "incoming/"))
    }

    @Test func submitRefusesInvalidManifestWithoutTouchingSpool() throws {
        let spool = try SpoolFixture()
        let source = spool.temporary.url.appendingPathComponent("broken.json")
        try Data("{".utf8).write(to: source)
        #expect(throws: JSONObjectValidator.Invalid.self) {
            try SpoolClient(layout: spool.layout).submit(manifestAt: source, validator: JSONObjectValidator())
        }
        try Data(#"{"id": "../escape"}"#.utf8).write(to: source)
        #expect(throws: SpoolError.self) {
            try SpoolClient(layout: spool.layout).submit(manifestAt: source, validator: JSONObjectValidator())
        }
        #expect(try FileOperations.listDirectory(spool.layout.incoming.path).isEmpty)
    }

    @Test func cancelOfQueuedManifestMovesItToFailed() throws {
        let spool = try SpoolFixture()
        try spool.drop(name: "waiting.json", json: "{}")
        let outcome = try SpoolClient(layout: spool.layout).cancel(try JobIdentifier(validating: "waiting"))
        #expect(outcome == .cancelledBeforeStart)
        #expect(spool.text(spool.layout.failed.appendingPathComponent("waiting/error.txt")) == "cancelled\n")
        #expect(spool.exists(spool.layout.failed.appendingPathComponent("waiting/manifest.json")))
        #expect(try FileOperations.listDirectory(spool.layout.incoming.path).isEmpty)
    }

    @Test func cancelWithoutDaemonMovesActiveJobDirectly() throws {
        let spool = try SpoolFixture()
        try spool.drop(name: "idle.json", json: "{}")
        _ = try spool.claimAll()
        let outcome = try SpoolClient(layout: spool.layout).cancel(try JobIdentifier(validating: "idle"))
        #expect(outcome == .cancelledWhileIdle)
        #expect(spool.text(spool.layout.failed.appendingPathComponent("idle/error.txt")) == "cancelled\n")
        #expect(try spool.layout.activeJobIdentifiers().isEmpty)
    }

    @Test func cancelOfUnknownJobNamesIt() throws {
        let spool = try SpoolFixture()
        let error = #expect(throws: SpoolError.self) {
            try SpoolClient(layout: spool.layout).cancel(try JobIdentifier(validating: "ghost"))
        }
        #expect("\(error!)".contains("\"ghost\""))
    }

    @Test func statusListsJobsInEveryState() throws {
        let spool = try SpoolFixture()
        try spool.drop(name: "running.json", json: "{}")
        try spool.drop(name: "claimed.json", json: "{}")
        try spool.drop(name: "broken.json", json: "{")
        _ = try spool.claimAll()
        try spool.drop(name: "later.json", json: "{}")
        let running = spool.layout.activeJob(try JobIdentifier(validating: "running"))
        try ProgressRecord(jobIdentifier: "running", epoch: 7, epochs: 120, phase: "kd", step: 1, accuracy: 0.75,
                           etaSeconds: 600, state: .running).write(to: running.progress)
        try FileManager.default.createDirectory(at: spool.output.appendingPathComponent("done"),
                                                withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: spool.layout.failedJob(try JobIdentifier(validating: "oops")),
                                                withIntermediateDirectories: false)
        try Data("boom\nmore\n".utf8).write(to: spool.layout.failed.appendingPathComponent("oops/error.txt"))

        let status = try SpoolStatus.read(layout: spool.layout, outputDirectory: spool.output)
        #expect(status.running.map(\.jobIdentifier) == ["running"])
        #expect(status.running.first?.epoch == 7)
        #expect(status.queued.map(\.name).sorted() == ["claimed", "later"])
        #expect(status.finished == ["done"])
        #expect(status.failed == [SpoolStatus.EndedJob(name: "oops", reason: "boom")])
        #expect(status.rejected.map(\.name) == ["broken"])
        #expect(!status.daemonRunning)
        let text = status.text()
        #expect(text.contains("running   running epoch 7/120 acc 75.0% ETA 10m00s"))
        #expect(text.contains("finished  done"))
        let decoded = try JSONDecoder().decode(SpoolStatus.self, from: Data(try status.json().utf8))
        #expect(decoded == status)
        #expect(try status.json().contains("\"job_id\":\"running\""))
    }
}
