#if canImport(Glibc)
import Glibc
#endif

/// An open file whose every call is checked; closes itself when released.
public final class FileDescriptor {
    public let path: String
    public let rawValue: Int32

    public init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        let descriptor = open(path, flags | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw SystemError("open", path: path) }
        self.path = path
        self.rawValue = descriptor
    }

    deinit { close(rawValue) }

    public func size() throws -> Int {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw SystemError("fstat", path: path) }
        return Int(info.st_size)
    }

    public func isRegularFile() throws -> Bool {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw SystemError("fstat", path: path) }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads exactly `count` bytes at `offset`; a short file is an error (EIO).
    public func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let result = pread(rawValue, buffer + done, count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: path)
            }
            if result == 0 { throw SystemError("read (file ends early)", path: path, code: EIO) }
            done += result
        }
    }

    public func write(_ buffer: UnsafeRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let result = pwrite(rawValue, buffer + done, count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: path)
            }
            done += result
        }
    }

    public func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            try write(base, count: buffer.count, at: offset)
        }
    }

    public func truncate(to length: Int) throws {
        guard ftruncate(rawValue, off_t(length)) == 0 else { throw SystemError("truncate", path: path) }
    }

    public func synchronize() throws {
        guard fsync(rawValue) == 0 else { throw SystemError("fsync", path: path) }
    }
}
