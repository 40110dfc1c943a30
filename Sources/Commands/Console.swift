import Foundation

/// Where commands write. Progress bars only go to a terminal; redirected output gets
/// plain lines so logs stay readable.
public final class Console: @unchecked Sendable {
    public static let standard = Console()

    public let isTerminal: Bool

    public init(isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.isTerminal = isTerminal
    }

    public func print(_ text: String) {
        write(text + "\n", to: STDOUT_FILENO)
    }

    public func error(_ text: String) {
        write(text + "\n", to: STDERR_FILENO)
    }

    /// Rewrites the current terminal line (a progress bar); no-op when not a terminal.
    public func status(_ text: String) {
        guard isTerminal else { return }
        write("\r\u{1B}[2K" + text, to: STDERR_FILENO)
    }

    public func endStatus() {
        guard isTerminal else { return }
        write("\n", to: STDERR_FILENO)
    }

    private func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if result < 0 && errno == EINTR { continue }
            // A closed pipe or full disk must not crash a training run over a log line.
            if result <= 0 { return }
            offset += result
        }
        bytes.removeAll()
    }
}
