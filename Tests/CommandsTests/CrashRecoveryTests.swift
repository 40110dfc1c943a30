import TestSupport
import Foundation
import Glibc
import Testing

/// Reports entries created in a directory as they appear (IN_CREATE), so a test can
/// act within microseconds of a checkpoint directory being made.
final class CreationWatch {
    let descriptor: Int32

    init(_ directory: URL) throws {
        descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0, inotify_add_watch(descriptor, directory.path, UInt32(IN_CREATE)) >= 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    deinit { close(descriptor) }

    /// Blocks until an entry whose name satisfies `matches` is created; returns its name.
    func next(timeoutSeconds: Double, where matches: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            var offset = 0
            while count > 0, offset + 16 <= count {
                // struct inotify_event: wd, mask, cookie, len (4 bytes each), then the name.
                let length = buffer[(offset + 12)..<(offset + 16)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                let nameBytes = buffer[(offset + 16)..<(offset + 16 + Int(length))].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if matches(name) { return name }
                offset += 16 + Int(length)
            }
        }
        throw TimedOut(what: "a matching entry to be created", seconds: timeoutSeconds)
    }
}

extension Integration {
    @Suite struct CrashRecovery {
        /// SIGKILL of the worker during synthesis and during KD, of the daemon during KD,
        /// and of the worker while it writes a checkpoint: the job still completes with a
        /// student byte-identical to an uninterrupted run's, and leaves no temporary files.
        @Test func killedWorkersAndDaemonResumeToTheSameStudent() throws {
            let reference = try ReferenceRuns.longStudent.get()
            let files = try TinyJobFiles(label: "crash-files")
            let spool = try SpoolDirectories(label: "crash")
            let job = spool.active.appendingPathComponent("crash")

            let first = try Daemon(spool)
            try spool.drop(files.manifest(id: "crash", size: .long, checkpointSeconds: 1), as: "crash.json")

            var killedAt = Date.distantPast
            for phase in ["synthesis", "distillation"] {
                let worker = try first.waitForPhase(phase, of: "crash", since: killedAt)
                #expect(kill(worker, SIGKILL) == 0)
                killedAt = Date()
                try waitUntil("the killed worker to be reaped") { !processIsAlive(worker) }
                #expect(spool.exists(job), "the job stays active after a crash in \(phase)")
            }

            // The daemon dies; its orphaned worker checkpoints and exits on its own.
            let orphan = try first.waitForPhase("distillation", of: "crash", since: killedAt)
            first.process.signal(SIGKILL)
            _ = try first.process.wait(timeoutSeconds: 10)
            try waitUntil("the orphaned worker to exit", timeoutSeconds: 30) { !processIsAlive(orphan) }
            #expect(first.log.contains("retry 2 of 3"), "\(first.log)")
            // The orphan still writes to the first daemon's stderr.
            #expect(first.log.contains("[crash] stopped after a checkpoint"), "\(first.log)")

            // Debris of a metrics rewrite by a process that is gone; the next daemon clears it.
            let debris = spool.spool.appendingPathComponent(".nayerd.prom.4194000.tmp")
            #expect(!processIsAlive(4_194_000))
            try Data("partial".utf8).write(to: debris)

            let second = try Daemon(spool)
            let worker = try second.waitForWorker()
            #expect(!spool.exists(debris))
            let checkpoints = job.appendingPathComponent("checkpoint")
            let watch = try CreationWatch(checkpoints)
            let created = try watch.next(timeoutSeconds: 120) { $0.hasPrefix("checkpoint-") }
            #expect(kill(worker, SIGKILL) == 0)
            try waitUntil("the worker killed in a checkpoint to be reaped") { !processIsAlive(worker) }
            let current = try String(contentsOf: checkpoints.appendingPathComponent("CURRENT"), encoding: .utf8)
            // Killed before the new checkpoint became current: the previous one is used.
            #expect(current.trimmingCharacters(in: .whitespacesAndNewlines) != created, "missed the checkpoint window")

            try second.waitForFinished("crash")
            let student = try Data(contentsOf: spool.finished("crash").appendingPathComponent("student.safetensors"))
            #expect(student == reference)
            #expect(try second.stop() == 0)
            #expect(spool.temporaryFiles().isEmpty, "\(spool.temporaryFiles())")
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool.failed.path).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool.active.path).isEmpty)
        }
    }
}
