import FileSystem
import CSystemd
import Glibc

/// sd_notify through libsystemd. libsystemd reads NOTIFY_SOCKET on every call and
/// does nothing when it is unset, so this is safe outside systemd.
public struct SystemdNotifier: Notifier {
    public init() {}

    public func notify(_ messages: [NotifyMessage]) throws {
        guard !messages.isEmpty else { return }
        let text = messages.map(\.assignment).joined(separator: "\n")
        let result = sd_notify(0, text)
        if result < 0 {
            let socket = getenv("NOTIFY_SOCKET").map { String(cString: $0) } ?? "(unset)"
            throw SystemError("sd_notify", path: socket, code: -result)
        }
    }
}
