import TestSupport
import Foundation
import Glibc
import SafeTensors
import Testing

extension Integration {
    @Suite struct Serve {
        @Test func droppedManifestIsDistilledAndReported() throws {
            let files = try TinyJobFiles(label: "serve-files")
            let spool = try SpoolDirectories(label: "serve")
            let daemon = try Daemon(spool)
            try spool.drop(files.manifest(id: "first", size: .long), as: "first.json")

            // While it runs, `status` shows it from the worker's progress record.
            try waitUntil("progress of the running job", log: daemon.log) { daemon.progress(of: "first") != nil }
            let running = try Nayerd.run(["status", "--spool", spool.spool.path, "--output", spool.output.path, "--json"])
            #expect(running.status == 0)
            let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(running.standardOutput.utf8)) as? [String: Any])
            #expect(snapshot["daemon_running"] as? Bool == true)
            let listed = (snapshot["running"] as? [[String: Any]] ?? []).map { $0["job_id"] as? String }
                + (snapshot["queued"] as? [[String: Any]] ?? []).map { $0["name"] as? String }
            #expect(listed.contains("first"), "\(running.standardOutput)")

            try daemon.waitForFinished("first")
            let result = spool.finished("first")
            for name in ["student.safetensors", "report.html", "history.csv", "manifest.json"] {
                #expect(spool.exists(result.appendingPathComponent(name)), "\(name)")
            }
            let student = try SafeTensorsFile.read(contentsOf: result.appendingPathComponent("student.safetensors"))
            #expect(student.tensors["fc.weight"]?.shape == [3, 64])
            let history = try String(contentsOf: result.appendingPathComponent("history.csv"), encoding: .utf8)
            #expect(history.split(separator: "\n").count == 6)
            #expect(try Data(contentsOf: result.appendingPathComponent("student.safetensors")) == ReferenceRuns.longStudent.get())
            // The journal (stderr here) has per-epoch lines with the job and epoch.
            #expect(daemon.log.contains("[first] epoch 5: epoch 5/5"), "\(daemon.log)")

            try waitUntil("metrics to count the finished job", log: daemon.log) {
                (try? String(contentsOf: spool.metrics, encoding: .utf8))?.contains("nayer_jobs_completed_total 1") == true
            }
            let status = try Nayerd.run(["status", "--spool", spool.spool.path, "--output", spool.output.path])
            #expect(status.standardOutput.contains("finished  first"))
            try Metrics.check(spool.metrics)
            #expect(try daemon.stop() == 0)
            #expect(spool.temporaryFiles().isEmpty, "\(spool.temporaryFiles())")
        }

        @Test func secondDaemonOnTheSameSpoolRefusesNamingTheLock() throws {
            let spool = try SpoolDirectories(label: "serve-lock")
            let daemon = try Daemon(spool)
            try waitUntil("the first daemon's metrics", log: daemon.log) { spool.exists(spool.metrics) }
            let second = try Nayerd.run(spool.serveArguments, timeoutSeconds: 30)
            #expect(second.status == 1)
            #expect(second.standardError.contains("nayerd.lock"), "\(second.standardError)")
            #expect(second.standardError.split(separator: "\n").count == 1)
            #expect(daemon.isRunning)
            #expect(try daemon.stop() == 0)
        }

        @Test func sigtermCheckpointsWithinTenSecondsAndARestartFinishes() throws {
            let files = try TinyJobFiles(label: "serve-term-files")
            let spool = try SpoolDirectories(label: "serve-term")
            let first = try Daemon(spool)
            try spool.drop(files.manifest(id: "term", size: .long), as: "term.json")
            _ = try first.waitForPhase("distillation", of: "term", since: .distantPast)

            let asked = Date()
            #expect(try first.stop(timeoutSeconds: 10) == 0)
            #expect(Date().timeIntervalSince(asked) < 10)
            let job = spool.active.appendingPathComponent("term")
            #expect(spool.exists(job.appendingPathComponent("checkpoint/CURRENT")), "\(first.log)")
            #expect(first.progress(of: "term")?["state"] as? String == "stopping")
            #expect(first.log.contains("STOPPING") || first.log.contains("stopping"))

            let second = try Daemon(spool)
            try second.waitForFinished("term")
            #expect(second.log.contains("resuming job from its last checkpoint"))
            let student = try Data(contentsOf: spool.finished("term").appendingPathComponent("student.safetensors"))
            #expect(try student == ReferenceRuns.longStudent.get())
            #expect(try second.stop() == 0)
        }
    }
}
