import FileSystem
import Foundation
import Testing
@testable import Service
import TestSupport

@Suite struct WorkerContextTests {
    @Test func readsThreadBudgetAndWritesBack() throws {
        let directory = try TemporaryDirectory(prefix: "worker")
        let context = try WorkerContext(jobDirectory: directory.url, environment: ["NAYER_THREADS": "3"])
        #expect(context.threads == 3)
        try context.recordPermanentFailure("teacher.safetensors: missing key conv1.weight")
        #expect(try String(contentsOf: context.directory.error, encoding: .utf8)
                == "teacher.safetensors: missing key conv1.weight\n")
        let output = try context.prepareOutputDirectory()
        #expect(try FileStatus.of(output.path)?.kind == .directory)
    }

    @Test func refusesBadThreadCountAndMissingDirectory() throws {
        let directory = try TemporaryDirectory(prefix: "worker")
        #expect(throws: SpoolError.self) {
            try WorkerContext(jobDirectory: directory.url, environment: ["NAYER_THREADS": "0"])
        }
        #expect(throws: SpoolError.self) {
            try WorkerContext(jobDirectory: directory.url.appendingPathComponent("nope"), environment: [:])
        }
    }

    @Test func runnerThatCannotSpawnReportsThePath() throws {
        let directory = try TemporaryDirectory(prefix: "spawn")
        let runner = ProcessJobRunner(executable: directory.url.appendingPathComponent("missing-binary"))
        let error = #expect(throws: SystemError.self) {
            _ = try runner.start(job: try JobIdentifier(validating: "j"), directory: JobDirectory(url: directory.url),
                                 threads: 1)
        }
        #expect(error?.code == ENOENT)
        #expect(error?.path.hasSuffix("missing-binary") == true)
    }
}
