#if canImport(Glibc)
import Glibc
#endif

/// An open file whose every call is checked; closes itself when released.
/// Sendable because it holds only constants and positioned reads and writes
/// (pread/pwrite) do not share a file offset between threads.
public final class FileDescriptor: Sendable {
    public let path: String
    public let rawValue: Int32

    public init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        let descriptor = open(path, flags | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw SystemError("open", path: path) }
        self.path = path
        self.rawValue = descriptor
    }

    deinit { close(rawValue) }

    public func status() throws -> FileStatus {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw SystemError("fstat", path: path) }
        return FileStatus(info)
    }

    public func size() throws -> Int { Int(try status().size) }

    public func isRegularFile() throws -> Bool { try status().kind == .regular }

    /// Reads exactly `count` bytes at `offset`; a short file is an error (EIO).
    public func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        try Self.repeatUntilDone(count, "read", path: path) { done in
            pread(rawValue, buffer + done, count - done, off_t(offset + done))
        }
    }

    public func write(_ buffer: UnsafeRawPointer, count: Int, at offset: Int) throws {
        try Self.repeatUntilDone(count, "write", path: path) { done in
            pwrite(rawValue, buffer + done, count - done, off_t(offset + done))
        }
    }

    public func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            try write(base, count: buffer.count, at: offset)
        }
    }

    /// Writes all of `bytes` to a descriptor this process did not open (stderr, a pipe),
    /// where positioned writes fail with ESPIPE; `name` stands in for the path in errors.
    public static func writeAll(_ bytes: [UInt8], toDescriptor descriptor: Int32, named name: String) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            try repeatUntilDone(buffer.count, "write", path: name) { done in
                Glibc.write(descriptor, base + done, buffer.count - done)
            }
        }
    }

    public func truncate(to length: Int) throws {
        guard ftruncate(rawValue, off_t(length)) == 0 else { throw SystemError("truncate", path: path) }
    }

    public func synchronize() throws {
        guard fsync(rawValue) == 0 else { throw SystemError("fsync", path: path) }
    }

    /// Calls `step(done)` until `count` bytes have moved, since reads and writes may move
    /// fewer bytes than asked. Retries EINTR; a call that moves nothing means the file
    /// ended early (reads), which is EIO rather than an endless loop.
    private static func repeatUntilDone(_ count: Int, _ operation: String, path: String,
                                        _ step: (_ done: Int) -> Int) throws {
        var done = 0
        while done < count {
            let result = step(done)
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation, path: path)
            }
            if result == 0 { throw SystemError("\(operation) (file ends early)", path: path, code: EIO) }
            done += result
        }
    }
}
