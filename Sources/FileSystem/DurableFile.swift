#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads, and writes that a crash can never leave half done.
public enum DurableFile {
    /// The whole regular file (a directory or device is refused with EISDIR/EINVAL).
    public static func read(_ path: String) throws -> [UInt8] {
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
        guard try file.isRegularFile() else { throw SystemError("read", path: path, code: EISDIR) }
        let size = try file.size()
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let result = bytes.withUnsafeMutableBytes { Glibc.read(file.rawValue, $0.baseAddress! + filled, size - filled) }
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: path)
            }
            if result == 0 { break }   // the file shrank under us; callers validate the length
            filled += result
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Temp file in the same directory, fsync, rename over `path`, fsync the directory:
    /// afterwards `path` holds either the old contents or the new, never a mix.
    /// Takes any byte collection: `[UInt8]`, `Data`, `text.utf8`.
    public static func write<Bytes: Collection>(_ bytes: Bytes, to path: String,
                                                permissions: mode_t = 0o644) throws where Bytes.Element == UInt8 {
        try write(to: path, permissions: permissions) { file in
            let written: Void? = try bytes.withContiguousStorageIfAvailable { buffer in
                if let base = buffer.baseAddress { try file.write(base, count: buffer.count, at: 0) }
            }
            if written == nil { try file.write(Array(bytes), at: 0) }
        }
    }

    /// The same, with the contents produced by `fill` writing into the temporary file.
    public static func write(to path: String, permissions: mode_t = 0o644,
                             _ fill: (FileDescriptor) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        do {
            let file = try FileDescriptor(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: permissions)
            try fill(file)
            try file.synchronize()
            try FileOperations.rename(temporary, to: path)
        } catch {
            unlink(temporary)   // best effort: the error that matters is the one thrown
            throw error
        }
        try synchronizeDirectory(containing: path)
    }

    /// Makes a rename or unlink in the directory durable.
    public static func synchronizeDirectory(containing path: String) throws {
        try synchronizeDirectory(directoryPath(of: path))
    }

    public static func synchronizeDirectory(_ directory: String) throws {
        let file = try FileDescriptor(path: directory, flags: O_RDONLY | O_DIRECTORY)
        try file.synchronize()
    }

    /// Hidden, per-process temporary name beside `path`; spool scanners skip dot-files.
    public static func temporaryPath(for path: String) -> String {
        "\(directoryPath(of: path))/.\(fileName(of: path)).\(getpid()).tmp"
    }

    public static func directoryPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
