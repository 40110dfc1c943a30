import FileSystem
import Foundation
import Glibc
import Synchronization

/// Plain lines with the `<N>` priority prefixes of sd-daemon.h, which journald
/// and most log collectors understand. Each line of a multi-line message gets
/// its own prefix so no line loses its priority.
public final class StderrLogger: Logger {
    private let descriptor: Int32
    private let lock = Mutex(())

    public init(fileDescriptor: Int32 = STDERR_FILENO) {
        descriptor = fileDescriptor
    }

    public func log(priority: LogPriority, message: String, job: String?, epoch: Int?) {
        let text = Self.format(priority: priority, message: message, job: job, epoch: epoch)
        lock.withLock { _ in
            // A failing stderr has nowhere to report to; dropping the line is all we can do.
            try? FileDescriptor.writeAll(Array(text.utf8), toDescriptor: descriptor, named: "stderr")
        }
    }

    public static func format(priority: LogPriority, message: String, job: String?, epoch: Int?) -> String {
        var context = ""
        if let job { context += "[\(job)] " }
        if let epoch { context += "epoch \(epoch): " }
        return message.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(priority.rawValue)>\(context)\($0)\n" }
            .joined()
    }
}
