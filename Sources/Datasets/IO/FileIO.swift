#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over open/read/write/rename: every call's result is checked and turned
/// into a `DatasetError` carrying the path and errno.
enum FileIO {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The whole regular file in memory. Dataset files are tens of megabytes at most.
    static func readAll(_ path: String) throws(DatasetError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT {
                throw DatasetError(path: path, kind: .notFound, reason: "no such file")
            }
            throw .system(path: path, operation: "open", errno: code)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .system(path: path, operation: "fstat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DatasetError(path: path, kind: .invalidArgument, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, size - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw .system(path: path, operation: "read")
            }
            if got == 0 { break }   // the file shrank under us; the parsers report it short
            filled += got
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Writes to a temporary name in the same directory, fsyncs, then renames into
    /// place, so a reader never sees a half-written file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DatasetError) {
        let temporary = temporaryName(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system(path: temporary, operation: "open") }
        do throws(DatasetError) {
            try writeAll(bytes, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0 else { throw .system(path: temporary, operation: "fsync") }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let failure = DatasetError.system(path: temporary, operation: "close")
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let failure = DatasetError.system(path: path, operation: "rename")
            unlink(temporary)
            throw failure
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(DatasetError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .system(path: path, operation: "write")
            }
            written += result
        }
    }

    private static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).tmp.\(getpid())"
    }
}
