import TestSupport
import Foundation
import SafeTensors
import Testing

extension Integration {
    @Suite struct CommandLine {
        static let commands = ["serve", "submit", "status", "cancel", "distill", "train-teacher", "eval", "embed-labels", "worker"]

        @Test func everyHelpExitsZeroAndDescribesItsOptions() throws {
            let overview = try Nayerd.run(["--help"])
            #expect(overview.status == 0)
            for command in Self.commands {
                #expect(overview.standardOutput.contains("  \(command) "), "overview lists \(command)")
                let help = try Nayerd.run([command, "--help"])
                #expect(help.status == 0, "\(command) --help")
                #expect(help.standardOutput.contains("Usage: nayerd \(command)"), "\(command) --help")
                #expect(help.standardError.isEmpty)
            }
            let serve = try Nayerd.run(["serve", "--help"]).standardOutput
            for option in ["--spool DIR", "--output DIR", "--metrics FILE", "--max-jobs N",
                           "default: ./spool", "default: ./output", "default: <spool>/nayerd.prom"] {
                #expect(serve.contains(option), "serve --help mentions \(option)")
            }
        }

        @Test(arguments: [
            ["bogus"], [], ["serve", "--max-jobs", "zero"], ["serve", "--nope"], ["distill"],
            ["submit", "a.json", "b.json"], ["cancel", "../x"], ["status", "--json=yes"], ["serve", "--spool"],
        ])
        func badUsageExitsTwoWithOneLine(arguments: [String]) throws {
            let result = try Nayerd.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            if !arguments.isEmpty {
                let lines = result.standardError.split(separator: "\n")
                #expect(lines.count == 1 && lines[0].hasPrefix("nayerd"), "\(arguments): \(result.standardError)")
            }
        }

        @Test func failuresExitOneNamingTheFile() throws {
            let files = try TinyJobFiles(label: "cli-failure")
            let missing = files.directory.appendingPathComponent("absent.json").path
            let distill = try Nayerd.run(["distill", missing])
            #expect(distill.status == 1)
            #expect(distill.standardError.contains("absent.json"))

            let unknownKey = try files.writeManifest(files.manifest(id: "k", extra: #", "epochz": 3"#), name: "k.json")
            let submit = try Nayerd.run(["submit", unknownKey.path, "--spool", files.directory.appendingPathComponent("spool").path])
            #expect(submit.status == 1)
            #expect(submit.standardError.contains("epochz"), "\(submit.standardError)")
            #expect(!FileManager.default.fileExists(atPath: files.directory.appendingPathComponent("spool/incoming/k.json").path))
        }

        @Test func distillPrintsOneJSONLineAndResumesAfterAStop() throws {
            let files = try TinyJobFiles(label: "cli-distill")
            let manifest = try files.writeManifest(files.manifest(id: "tiny", size: .long, checkpointSeconds: 1), name: "tiny.json")
            let work = files.directory.appendingPathComponent("work")
            let output = files.directory.appendingPathComponent("out")
            let arguments = ["distill", manifest.path, "--workdir", work.path, "--output", output.path, "--json"]

            // Interrupt as soon as training has begun (the trainer creates the bank).
            let first = try RunningProcess(arguments)
            try waitUntil("the trainer to start", log: first.standardError()) {
                FileManager.default.fileExists(atPath: work.appendingPathComponent("bank").path)
            }
            first.signal(SIGINT)
            #expect(try first.wait(timeoutSeconds: 60) == 0)
            #expect(first.standardError().contains("stopped; rerun to resume"), "\(first.standardError())")
            #expect(first.standardOutput().isEmpty, "no summary line after a stop")
            #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("checkpoint/CURRENT").path))

            let second = try Nayerd.run(arguments)
            #expect(second.status == 0, "\(second.standardError)")
            #expect(second.standardError.contains("resuming from"))
            let lines = second.standardOutput.split(separator: "\n")
            #expect(lines.count == 1)
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(Set(summary.keys).isSuperset(of: ["final_accuracy", "best_accuracy", "seconds", "output"]))
            #expect(summary["output"] as? String == output.path)
            #expect((summary["seconds"] as? Double ?? -1) > 0)
            for name in ["student.safetensors", "report.html", "history.csv"] {
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name)")
            }
            // The resumed run equals one that never stopped.
            #expect(try Data(contentsOf: output.appendingPathComponent("student.safetensors")) == ReferenceRuns.longStudent.get())
        }

        @Test func distillWithoutJSONSaysWhereTheResultsAre() throws {
            let files = try TinyJobFiles(label: "cli-plain")
            let manifest = try files.writeManifest(files.manifest(id: nil), name: "plain-job.json")
            let result = try Nayerd.run(["distill", manifest.path], in: files.directory)
            #expect(result.status == 0, "\(result.standardError)")
            let output = files.directory.appendingPathComponent("output/plain-job")
            #expect(result.standardOutput.contains(output.appendingPathComponent("student.safetensors").path))
            #expect(result.standardOutput.contains(output.appendingPathComponent("report.html").path))
            // Not a terminal: one plain line per epoch, no carriage-return progress bar.
            #expect(result.standardError.contains("epoch 3/3"))
            #expect(!result.standardError.contains("\r"))
            #expect(FileManager.default.fileExists(atPath: files.directory.appendingPathComponent("work/plain-job/checkpoint/CURRENT").path))
        }
    }
}

/// Uninterrupted `nayerd distill` runs whose students interrupted runs must match.
enum ReferenceRuns {
    /// The student of the `.long` tiny job run without interruption. The id, the file
    /// locations and the checkpoint interval do not change what is computed.
    static let longStudent = Result<Data, any Error> {
        let files = try TinyJobFiles(label: "reference")
        return try student(for: files.manifest(id: "reference", size: .long), files: files)
    }

    static func student(for manifest: String, files: TinyJobFiles) throws -> Data {
        let directory = files.directory.appendingPathComponent("reference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("manifest.json")
        try Data(manifest.utf8).write(to: url)
        let result = try Nayerd.run(["distill", url.path, "--workdir", directory.appendingPathComponent("work").path,
                                     "--output", directory.appendingPathComponent("out").path])
        guard result.status == 0 else { throw TimedOut(what: "a reference run (exit \(result.status))", seconds: 0, log: result.standardError) }
        return try Data(contentsOf: directory.appendingPathComponent("out/student.safetensors"))
    }
}
