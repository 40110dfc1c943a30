import TestSupport
import Foundation
import Glibc
import Testing

extension Integration {
    @Suite struct Rejections {
        /// Each bad input lands in rejected/ with a reason that names what is wrong;
        /// the daemon keeps running and still runs a good job afterwards.
        @Test func badInputsAreRejectedWithAReasonAndTheDaemonCarriesOn() throws {
            let files = try TinyJobFiles(label: "reject-files")
            let spool = try SpoolDirectories(label: "reject")
            let good = files.manifest(id: nil)
            let truncated = files.directory.appendingPathComponent("truncated.safetensors")
            let teacherBytes = try Data(contentsOf: files.teacher)
            try teacherBytes.prefix(teacherBytes.count / 2).write(to: truncated)
            func replacing(_ text: String, _ replacement: String) -> String {
                good.replacingOccurrences(of: text, with: replacement)
            }
            // name (file stem, or the name the rejection is filed under) -> (contents, words the reason must contain)
            let manifests: [(String, String, [String])] = [
                ("malformed", "{\"teacher\": ", ["not valid JSON"]),
                ("empty", "", ["empty"]),
                ("unknown-key", replacing("\"seed\": 3", "\"seed\": 3, \"sede\": 4"), ["sede"]),
                ("wrong-type", replacing("\"epochs\": 3", "\"epochs\": \"three\""), ["nayer.epochs"]),
                ("missing-teacher", replacing(files.teacher.path, files.directory.appendingPathComponent("absent.safetensors").path),
                 ["teacher.weights", "absent.safetensors"]),
                ("wrong-arch", replacing("\"arch\": \"resnet8\", \"weights\"", "\"arch\": \"resnet14\", \"weights\""),
                 ["teacher.weights", "layer"]),
                ("truncated", replacing(files.teacher.path, truncated.path), ["teacher.weights", "truncated.safetensors"]),
                ("escape", replacing("{\"teacher\"", "{\"id\": \"../escape\", \"teacher\""), ["id", "../escape"]),
                ("hidden-id", replacing("{\"teacher\"", "{\"id\": \".hidden\", \"teacher\""), ["id", "starts with a dot"]),
            ]
            for (name, text, _) in manifests { try spool.drop(text, as: "\(name).json") }
            // Oversized, a symbolic link, a directory.
            try spool.drop(String(repeating: " ", count: 10 << 20) + good, as: "huge.json")
            let elsewhere = try files.writeManifest(good, name: "elsewhere.json")
            try FileManager.default.createSymbolicLink(atPath: spool.incoming.appendingPathComponent("link.json").path,
                                                       withDestinationPath: elsewhere.path)
            try FileManager.default.createDirectory(at: spool.incoming.appendingPathComponent("folder.json"),
                                                    withIntermediateDirectories: false)
            // Still being written: never picked up.
            try Data(good.utf8).write(to: spool.incoming.appendingPathComponent(".pending.json"))
            try Data(good.utf8).write(to: spool.incoming.appendingPathComponent("writing.json.tmp"))

            let daemon = try Daemon(spool)
            let expected = manifests.map { ($0.0, $0.2) }
                + [("huge", ["bytes", "limit"]), ("link", ["symbolic link"]), ("folder", ["directory"])]
            for (name, words) in expected {
                let reason = spool.rejected.appendingPathComponent("\(name).error.txt")
                try waitUntil("\(name) to be rejected", timeoutSeconds: 60, log: daemon.log) { spool.exists(reason) }
                let text = try String(contentsOf: reason, encoding: .utf8)
                for word in words { #expect(text.contains(word), "\(name): \(text)") }
                #expect(!spool.exists(spool.incoming.appendingPathComponent("\(name).json")), "\(name) left in incoming/")
            }
            #expect(daemon.isRunning)

            // A good job still runs; a second manifest with its id is a duplicate.
            try spool.drop(good, as: "dup.json")
            try daemon.waitForFinished("dup")
            try spool.drop(files.manifest(id: "dup"), as: "again.json")
            let duplicate = spool.rejected.appendingPathComponent("dup.error.txt")
            try waitUntil("the duplicate to be rejected", timeoutSeconds: 60, log: daemon.log) { spool.exists(duplicate) }
            #expect(try String(contentsOf: duplicate, encoding: .utf8).contains("already exists"))

            for name in [".pending.json", "writing.json.tmp"] {
                #expect(spool.exists(spool.incoming.appendingPathComponent(name)), "\(name) was picked up")
            }
            let status = try Nayerd.run(["status", "--spool", spool.spool.path, "--output", spool.output.path])
            #expect(status.standardOutput.contains("rejected  empty:"))
            #expect(daemon.isRunning)
            #expect(try daemon.stop() == 0)
        }

        @Test func submitQueuesWithAbsolutePathsAndCancelRemovesTheJob() throws {
            let files = try TinyJobFiles(label: "submit-files")
            let spool = try SpoolDirectories(label: "submit")
            // Relative paths resolve against the manifest's own directory.
            let relative = files.manifest(id: "queued")
                .replacingOccurrences(of: files.teacher.path, with: "teacher.safetensors")
                .replacingOccurrences(of: files.embeddings.path, with: "./lte.safetensors")
            let manifest = try files.writeManifest(relative, name: "queued.json")
            let submit = try Nayerd.run(["submit", manifest.path, "--spool", spool.spool.path], in: spool.root)
            #expect(submit.status == 0, "\(submit.standardError)")
            let queued = spool.incoming.appendingPathComponent("queued.json")
            let text = try String(contentsOf: queued, encoding: .utf8)
            #expect(text.contains("\"weights\": \"\(files.teacher.path)\""), "\(text)")
            #expect(text.contains("\"file\": \"\(files.embeddings.path)\""))
            #expect(text.contains("\"id\": \"queued\""))

            let again = try Nayerd.run(["submit", manifest.path, "--spool", spool.spool.path])
            #expect(again.status == 1)
            #expect(again.standardError.contains("already exists"))

            let cancel = try Nayerd.run(["cancel", "queued", "--spool", spool.spool.path])
            #expect(cancel.status == 0, "\(cancel.standardError)")
            #expect(!spool.exists(queued))
            #expect(try String(contentsOf: spool.failed.appendingPathComponent("queued/error.txt"), encoding: .utf8)
                .contains("cancelled"))
            let unknown = try Nayerd.run(["cancel", "nothing", "--spool", spool.spool.path])
            #expect(unknown.status == 1)
            #expect(unknown.standardError.contains("nothing"))
        }
    }
}

extension Integration {
    @Suite struct Failures {
        /// A job already in active/ (accepted earlier) whose teacher has since vanished
        /// fails at once, without retries, with the worker's reason in failed/ID/error.txt.
        @Test func jobWhoseTeacherVanishedFailsPermanently() throws {
            let files = try TinyJobFiles(label: "vanish-files")
            let spool = try SpoolDirectories(label: "vanish")
            let job = spool.active.appendingPathComponent("vanish")
            try FileManager.default.createDirectory(at: job, withIntermediateDirectories: true)
            try Data(files.manifest(id: "vanish").utf8).write(to: job.appendingPathComponent("manifest.json"))
            try FileManager.default.removeItem(at: files.teacher)

            let daemon = try Daemon(spool)
            let reason = spool.failed.appendingPathComponent("vanish/error.txt")
            try waitUntil("the job to fail", timeoutSeconds: 60, log: daemon.log) { spool.exists(reason) }
            let text = try String(contentsOf: reason, encoding: .utf8)
            #expect(text.contains("teacher.safetensors"), "\(text)")
            #expect(!daemon.log.contains("retry 1"), "a permanent failure is not retried")
            #expect(try daemon.stop() == 0)
        }

        @Test func cancellingARunningJobStopsItsWorker() throws {
            let files = try TinyJobFiles(label: "cancel-files")
            let spool = try SpoolDirectories(label: "cancel")
            let daemon = try Daemon(spool)
            try spool.drop(files.manifest(id: "doomed", size: .long), as: "doomed.json")
            let worker = try daemon.waitForPhase("synthesis", of: "doomed", since: .distantPast)
            let cancel = try Nayerd.run(["cancel", "doomed", "--spool", spool.spool.path])
            #expect(cancel.status == 0, "\(cancel.standardError)")
            let reason = spool.failed.appendingPathComponent("doomed/error.txt")
            try waitUntil("the cancelled job to reach failed/", timeoutSeconds: 60, log: daemon.log) { spool.exists(reason) }
            #expect(try String(contentsOf: reason, encoding: .utf8).contains("cancelled"))
            #expect(!processIsAlive(worker))
            #expect(!spool.exists(spool.finished("doomed")))
            #expect(try daemon.stop() == 0)
        }
    }
}
