import TestSupport
import Foundation
import Glibc
import Testing

/// A real `nayerd serve` on a test spool.
final class Daemon {
    let directories: SpoolDirectories
    let process: RunningProcess

    init(_ directories: SpoolDirectories, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        self.directories = directories
        process = try RunningProcess(directories.serveArguments + extraArguments, environment: environment)
    }

    var log: String { process.standardError() }
    var isRunning: Bool { process.process.isRunning }

    func waitForFinished(_ id: String, timeoutSeconds: Double = 180) throws {
        let student = directories.finished(id).appendingPathComponent("student.safetensors")
        try waitUntil("job \(id) to finish", timeoutSeconds: timeoutSeconds, log: log) {
            guard isRunning else { throw TimedOut(what: "job \(id); the daemon exited", seconds: 0, log: log) }
            return directories.exists(student) && !directories.exists(directories.active.appendingPathComponent(id))
        }
    }

    func stop(timeoutSeconds: Double = 30) throws -> Int32 {
        process.signal(SIGTERM)
        return try process.wait(timeoutSeconds: timeoutSeconds)
    }

    /// The worker of a running job: the daemon's only child.
    func waitForWorker(timeoutSeconds: Double = 60) throws -> Int32 {
        var worker: Int32 = 0
        try waitUntil("a worker process", timeoutSeconds: timeoutSeconds, pollSeconds: 0.005, log: log) {
            worker = process.children().first ?? 0
            return worker != 0
        }
        return worker
    }

    func progress(of id: String) -> [String: Any]? {
        let url = directories.active.appendingPathComponent(id).appendingPathComponent("progress.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Waits until a worker started after `since` reports `phase`, and returns its pid.
    func waitForPhase(_ phase: String, of id: String, since: Date, timeoutSeconds: Double = 120) throws -> Int32 {
        let url = directories.active.appendingPathComponent(id).appendingPathComponent("progress.json")
        var worker: Int32 = 0
        try waitUntil("job \(id) to reach \(phase)", timeoutSeconds: timeoutSeconds, pollSeconds: 0.002, log: log) {
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
                  modified > since, progress(of: id)?["phase"] as? String == phase else { return false }
            worker = process.children().first ?? 0
            return worker != 0
        }
        return worker
    }
}

/// True while `pid` names a live process (zombies count as gone).
func processIsAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(after: close)...].hasPrefix(" Z")
}
