import FileSystem
import Foundation
import Glibc

/// An exclusive flock on `<spool>/nayerd.lock`: one daemon per spool. The lock
/// belongs to the open file description, so it ends when the process dies, and a
/// second `acquire` (even in the same process) fails.
public final class SpoolLock: Sendable {
    public let path: URL
    private let file: FileDescriptor

    private init(path: URL, file: FileDescriptor) {
        self.path = path
        self.file = file
    }

    /// Throws `SpoolError.alreadyLocked` naming the holder's pid when another
    /// process (or another acquire) holds the lock.
    public static func acquire(at path: URL) throws -> SpoolLock {
        let file = try FileDescriptor(path: path.path, flags: O_RDWR | O_CREAT)
        if flock(file.rawValue, LOCK_EX | LOCK_NB) == -1 {
            let code = errno
            if code == EWOULDBLOCK {
                throw SpoolError.alreadyLocked(lockPath: path.path, holder: readHolder(file))
            }
            throw SystemError("flock", path: path.path, code: code)
        }
        let lock = SpoolLock(path: path, file: file)
        try lock.recordHolder()
        return lock
    }

    /// True if some process holds the lock right now (a daemon serves the spool).
    public static func isHeld(at path: URL) throws -> Bool {
        guard try FileStatus.exists(path.path) else { return false }
        do {
            _ = try acquire(at: path)
            return false
        } catch SpoolError.alreadyLocked {
            return true
        }
    }

    /// The pid in the file is only for the error message; the flock is the truth.
    private func recordHolder() throws {
        try file.truncate(to: 0)
        try file.write(Array("\(getpid())\n".utf8), at: 0)
    }

    private static func readHolder(_ file: FileDescriptor) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(file.rawValue, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
