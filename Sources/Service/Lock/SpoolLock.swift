import Foundation
import Glibc

/// An exclusive flock on `<spool>/nayerd.lock`: one daemon per spool. The lock
/// belongs to the open file description, so it ends when the process dies, and a
/// second `acquire` (even in the same process) fails.
public final class SpoolLock: Sendable {
    public let path: URL
    private let descriptor: Int32

    private init(path: URL, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Throws `SpoolError.alreadyLocked` naming the holder's pid when another
    /// process (or another acquire) holds the lock.
    public static func acquire(at path: URL) throws -> SpoolLock {
        let descriptor = try checkSystemCall(open(path.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644),
                                             "open", path: path.path)
        if flock(descriptor, LOCK_EX | LOCK_NB) == -1 {
            let code = errno
            defer { close(descriptor) }
            if code == EWOULDBLOCK {
                throw SpoolError.alreadyLocked(lockPath: path.path, holder: readHolder(descriptor))
            }
            throw SystemCallError(operation: "flock", path: path.path, errorNumber: code)
        }
        let lock = SpoolLock(path: path, descriptor: descriptor)
        try lock.recordHolder()
        return lock
    }

    /// True if some process holds the lock right now (a daemon serves the spool).
    public static func isHeld(at path: URL) throws -> Bool {
        guard try FileStatus.exists(path) else { return false }
        do {
            _ = try acquire(at: path)
            return false
        } catch SpoolError.alreadyLocked {
            return true
        }
    }

    deinit {
        close(descriptor)
    }

    /// The pid in the file is only for the error message; the flock is the truth.
    private func recordHolder() throws {
        try checkSystemCall(ftruncate(descriptor, 0), "ftruncate", path: path.path)
        let text = "\(getpid())\n"
        let written = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        if written == -1 { throw SystemCallError(operation: "pwrite", path: path.path) }
    }

    private static func readHolder(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
