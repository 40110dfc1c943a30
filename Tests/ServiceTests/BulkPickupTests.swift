import FileSystem
import Foundation
import Testing
@testable import Service
import TestSupport

@Suite struct BulkPickupTests {
    /// Stages manifests beside the spool (same file system) and renames them in
    /// back to back, as a user's `mv *.json incoming/` does.
    private func renameIn(_ count: Int, spool: SpoolFixture) throws -> Set<String> {
        let staging = spool.temporary.url.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        var names: Set<String> = []
        for index in 0..<count {
            let name = String(format: "job-%03d", index)
            try Data("{\"id\": \"\(name)\"}".utf8).write(to: staging.appendingPathComponent("\(name).json"))
            names.insert(name)
        }
        for name in names {
            try FileOperations.rename(staging.appendingPathComponent("\(name).json").path,
                                      to: spool.layout.incoming.appendingPathComponent("\(name).json").path)
        }
        return names
    }

    @Test func watcherAndRescanClaimEachManifestOnce() throws {
        let spool = try SpoolFixture()
        let watcher = try InotifyWatcher(directories: [spool.layout.incoming])
        let expected = try renameIn(100, spool: spool)
        var claimed: [String] = []
        let deadline = Date().addingTimeInterval(5)
        // Scan on every batch of events and once more at the end (the periodic
        // rescan), so overlapping scans see the same names repeatedly.
        while claimed.count < 100 && Date() < deadline {
            let events = try watcher.waitForEvents(timeoutSeconds: 0.1)
            if events.isEmpty && claimed.count > 0 { break }
            for outcome in try spool.claimAll() {
                if case .claimed(let identifier) = outcome { claimed.append(identifier.rawValue) }
            }
        }
        for outcome in try spool.claimAll() {
            if case .claimed(let identifier) = outcome { claimed.append(identifier.rawValue) }
        }
        #expect(claimed.count == 100)
        #expect(Set(claimed) == expected)
        #expect(try spool.layout.activeJobIdentifiers().count == 100)
        #expect(try FileOperations.listDirectory(spool.layout.rejected.path).isEmpty)
    }

    @Test func watcherReportsRenamedAndClosedFiles() throws {
        let spool = try SpoolFixture()
        let watcher = try InotifyWatcher(directories: [spool.layout.incoming])
        try Data("{}".utf8).write(to: spool.layout.incoming.appendingPathComponent("direct.json"))
        try spool.drop(name: "moved.json", json: "{}")
        var names: Set<String> = []
        _ = eventually(timeoutSeconds: 2) {
            names.formUnion((try? watcher.waitForEvents(timeoutSeconds: 0.05))?.compactMap(\.name) ?? [])
            return names.isSuperset(of: ["direct.json", "moved.json"])
        }
        #expect(names.isSuperset(of: ["direct.json", "moved.json"]))
    }

    @Test func supervisorRunsEachOfHundredManifestsExactlyOnce() throws {
        let spool = try SpoolFixture()
        let log = spool.temporary.url.appendingPathComponent("runs.log")
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: """
            echo "$NAYER_JOB_ID" >> "$RUN_LOG"
            mkdir -p "$dir/output"
            """)
        let configuration = SupervisorHarness.configuration(for: spool, maximumJobs: 8, totalThreads: 8)
        let harness = try SupervisorHarness(spool: spool, configuration: configuration, worker: worker,
                                            environment: ["RUN_LOG": log.path])
        #expect(eventually { harness.notifier.messages.contains(.ready) })
        let expected = try renameIn(100, spool: spool)
        #expect(eventually(timeoutSeconds: 20) {
            (try? FileOperations.listDirectory(spool.output.path).count) == 100
        })
        #expect(harness.stopAndWait())
        let runs = (spool.text(log) ?? "").split(separator: "\n").map(String.init)
        #expect(runs.count == 100)
        #expect(Set(runs) == expected)
        #expect(try spool.layout.activeJobIdentifiers().isEmpty)
        #expect(try FileOperations.listDirectory(spool.layout.rejected.path).isEmpty)
    }
}
