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
        #expect(try FileStatus.of(output)?.kind == .directory)
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

    @Test func copyThenRenamePublishesWholeTree() throws {
        let directory = try TemporaryDirectory(prefix: "copy")
        let source = directory.url.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("samples"),
                                                withIntermediateDirectories: true)
        try Data("png".utf8).write(to: source.appendingPathComponent("samples/0.png"))
        let destination = directory.url.appendingPathComponent("published")
        try FileOperations.copyTreeThenRename(source, to: destination)
        #expect(try String(contentsOf: destination.appendingPathComponent("samples/0.png"), encoding: .utf8) == "png")
        #expect(try FileOperations.listDirectory(directory.url) == ["published", "source"])
    }

    @Test func runnerThatCannotSpawnReportsThePath() throws {
        let directory = try TemporaryDirectory(prefix: "spawn")
        let runner = ProcessJobRunner(executable: directory.url.appendingPathComponent("missing-binary"))
        let error = #expect(throws: SystemCallError.self) {
            _ = try runner.start(job: try JobIdentifier(validating: "j"), directory: JobDirectory(url: directory.url),
                                 threads: 1)
        }
        #expect(error?.errorNumber == ENOENT)
        #expect(error?.path.hasSuffix("missing-binary") == true)
    }
}
