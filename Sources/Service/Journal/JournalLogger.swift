import CSystemd
import Foundation
import Glibc

/// Structured entries through sd_journal_sendv: MESSAGE, PRIORITY, JOB_ID, EPOCH
/// become journal fields (`journalctl JOB_ID=...`).
public struct JournalLogger: Logger {
    public let identifier: String

    public init(identifier: String = "nayerd") {
        self.identifier = identifier
    }

    public func log(priority: LogPriority, message: String, job: String?, epoch: Int?) {
        var fields = ["MESSAGE=\(message)", "PRIORITY=\(priority.rawValue)", "SYSLOG_IDENTIFIER=\(identifier)"]
        if let job { fields.append("JOB_ID=\(job)") }
        if let epoch { fields.append("EPOCH=\(epoch)") }
        let buffers = fields.map { Array($0.utf8) }
        let pointers = buffers.map { bytes -> UnsafeMutableRawBufferPointer in
            let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            pointer.copyBytes(from: bytes)
            return pointer
        }
        defer { pointers.forEach { $0.deallocate() } }
        var vectors = pointers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        let result = sd_journal_sendv(&vectors, Int32(vectors.count))
        if result < 0 {
            // The journal is gone; keep the line rather than lose it.
            StderrLogger().log(priority: priority, message: message, job: job, epoch: epoch)
        }
    }

    /// systemd sets JOURNAL_STREAM=dev:inode for the stream it connected to stderr;
    /// it only counts if stderr is still that stream (not redirected by a shell).
    public static func isStandardErrorConnectedToJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
