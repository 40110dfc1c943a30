import FileSystem
import Foundation

/// A snapshot of a spool for `nayerd status`, read from the directories and the
/// workers' progress records, so it works whether or not a daemon is running.
public struct SpoolStatus: Codable, Equatable, Sendable {
    public struct QueuedJob: Codable, Equatable, Sendable {
        /// The id, or for manifests not yet picked up, the file name stem.
        public var name: String
        /// `incoming` (not yet picked up) or `active` (claimed, waiting for a slot or a retry).
        public var location: String
    }

    public struct RunningJob: Codable, Equatable, Sendable {
        public var jobIdentifier: String
        public var epoch: Int
        public var epochs: Int
        public var phase: String
        public var accuracy: Double?
        public var etaSeconds: Double?
        public var state: String

        enum CodingKeys: String, CodingKey {
            case jobIdentifier = "job_id"
            case epoch, epochs, phase, accuracy
            case etaSeconds = "eta_seconds"
            case state
        }
    }

    public struct EndedJob: Codable, Equatable, Sendable {
        public var name: String
        public var reason: String?
    }

    public var queued: [QueuedJob]
    public var running: [RunningJob]
    public var finished: [String]
    public var failed: [EndedJob]
    public var rejected: [EndedJob]
    public var daemonRunning: Bool

    enum CodingKeys: String, CodingKey {
        case queued, running, finished, failed, rejected
        case daemonRunning = "daemon_running"
    }

    /// `outputDirectory` lists finished jobs; pass nil when it is unknown.
    public static func read(layout: SpoolLayout, outputDirectory: URL?) throws -> SpoolStatus {
        var status = SpoolStatus(queued: [], running: [], finished: [], failed: [], rejected: [],
                                 daemonRunning: try SpoolLock.isHeld(at: layout.lockFile))
        let scanner = SpoolScanner(incoming: layout.incoming)
        for case .candidate(let url) in try scanner.scan() {
            status.queued.append(QueuedJob(name: url.deletingPathExtension().lastPathComponent, location: "incoming"))
        }
        for identifier in try layout.activeJobIdentifiers() {
            let job = layout.activeJob(identifier)
            if let record = try? ProgressRecord.read(from: job.progress) {
                status.running.append(RunningJob(jobIdentifier: identifier.rawValue, epoch: record.epoch,
                                                 epochs: record.epochs, phase: record.phase,
                                                 accuracy: record.accuracy, etaSeconds: record.etaSeconds,
                                                 state: record.state.rawValue))
            } else {
                status.queued.append(QueuedJob(name: identifier.rawValue, location: "active"))
            }
        }
        if let outputDirectory, try FileStatus.exists(outputDirectory.path) {
            status.finished = try FileOperations.listDirectory(outputDirectory.path).filter(JobIdentifier.isValid)
        }
        status.failed = try FileOperations.listDirectory(layout.failed.path).filter(JobIdentifier.isValid).map { name in
            EndedJob(name: name, reason: firstLine(of: layout.failed.appendingPathComponent(name)
                .appendingPathComponent("error.txt")))
        }
        status.rejected = try FileOperations.listDirectory(layout.rejected.path)
            .filter { $0.hasSuffix(".error.txt") }
            .map { name in
                EndedJob(name: String(name.dropLast(".error.txt".count)),
                         reason: firstLine(of: layout.rejected.appendingPathComponent(name)))
            }
        return status
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Human-readable listing, one job a line.
    public func text() -> String {
        var lines = ["daemon: \(daemonRunning ? "running" : "not running")"]
        for job in running {
            lines.append("running   \(StatusLine.describe(job: job.jobIdentifier, epoch: job.epoch, epochs: job.epochs, accuracy: job.accuracy, etaSeconds: job.etaSeconds))")
        }
        for job in queued { lines.append("queued    \(job.name) (\(job.location))") }
        for name in finished { lines.append("finished  \(name)") }
        for job in failed { lines.append("failed    \(job.name): \(job.reason ?? "no error.txt")") }
        for job in rejected { lines.append("rejected  \(job.name): \(job.reason ?? "no reason recorded")") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func firstLine(of url: URL) -> String? {
        guard let data = try? DurableFile.read(url.path) else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }
}

/// The one-line job summaries shared by STATUS= and `nayerd status`.
public enum StatusLine {
    public static func describe(job: String, epoch: Int, epochs: Int, accuracy: Double?, etaSeconds: Double?) -> String {
        var parts = ["\(job) epoch \(epoch)/\(epochs)"]
        if let accuracy { parts.append(String(format: "acc %.1f%%", accuracy * 100)) }
        if let etaSeconds { parts.append("ETA \(duration(etaSeconds))") }
        return parts.joined(separator: " ")
    }

    /// `1h02m`, `5m07s`, `42s`: short enough for a status line.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let hours = total / 3600, minutes = (total % 3600) / 60, rest = total % 60
        if hours > 0 { return String(format: "%dh%02dm", hours, minutes) }
        if minutes > 0 { return String(format: "%dm%02ds", minutes, rest) }
        return "\(rest)s"
    }
}
