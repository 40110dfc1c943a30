import Foundation

/// syslog priorities, as used by both the journal and the `<N>` stderr prefixes.
public enum LogPriority: Int32, Sendable, Comparable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug

    public static func < (left: LogPriority, right: LogPriority) -> Bool { left.rawValue < right.rawValue }
}

/// Structured log sink; a protocol so tests can record what was logged.
public protocol Logger: Sendable {
    func log(priority: LogPriority, message: String, job: String?, epoch: Int?)
}

extension Logger {
    public func error(_ message: String, job: String? = nil, epoch: Int? = nil) {
        log(priority: .error, message: message, job: job, epoch: epoch)
    }

    public func warning(_ message: String, job: String? = nil, epoch: Int? = nil) {
        log(priority: .warning, message: message, job: job, epoch: epoch)
    }

    public func info(_ message: String, job: String? = nil, epoch: Int? = nil) {
        log(priority: .info, message: message, job: job, epoch: epoch)
    }
}

/// Picks the journal when stderr is connected to it and the stderr fallback otherwise.
public enum StandardLogger {
    public static func make(environment: [String: String] = ProcessInfo.processInfo.environment) -> any Logger {
        if JournalLogger.isStandardErrorConnectedToJournal(environment: environment) {
            return JournalLogger()
        }
        return StderrLogger()
    }
}

extension Logger {
    public func notice(_ message: String, job: String? = nil, epoch: Int? = nil) {
        log(priority: .notice, message: message, job: job, epoch: epoch)
    }
}
