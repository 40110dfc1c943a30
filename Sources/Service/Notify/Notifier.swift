/// One assignment of the sd_notify protocol.
public enum NotifyMessage: Equatable, Sendable {
    case ready
    case status(String)
    case watchdog
    case stopping
    case extendTimeout(microseconds: UInt64)

    /// The `KEY=value` line sent on the socket; STATUS is forced onto one line
    /// because a newline would start a new assignment.
    public var assignment: String {
        switch self {
        case .ready: return "READY=1"
        case .status(let text):
            return "STATUS=" + text.map { $0.isNewline ? " " : String($0) }.joined()
        case .watchdog: return "WATCHDOG=1"
        case .stopping: return "STOPPING=1"
        case .extendTimeout(let microseconds): return "EXTEND_TIMEOUT_USEC=\(microseconds)"
        }
    }
}

/// Tells the service manager about our state; a protocol so tests can record it.
public protocol Notifier: Sendable {
    func notify(_ messages: [NotifyMessage]) throws
}
