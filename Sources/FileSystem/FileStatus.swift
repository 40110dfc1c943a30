#if canImport(Glibc)
import Glibc
#endif

/// What `lstat` (or `fstat`) says about a file. Symbolic links are reported as such,
/// never followed, so a spool scan cannot be led outside its directory.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case regular, directory, symbolicLink, other }

    public let kind: Kind
    public let size: Int64
    public let permissions: mode_t
    public let modificationUnixSeconds: Double

    init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int64(info.st_size)
        permissions = info.st_mode & 0o7777
        modificationUnixSeconds = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }

    /// nil when nothing is at `path` (ENOENT); any other failure, such as EACCES, throws
    /// so that "missing" is never confused with "unreadable". With `followingLinks` a
    /// link reports its target, and a dangling link counts as missing.
    public static func of(_ path: String, followingLinks: Bool = false) throws -> FileStatus? {
        var info = stat()
        if (followingLinks ? stat(path, &info) : lstat(path, &info)) == -1 {
            let code = errno
            if code == ENOENT { return nil }
            throw SystemError(followingLinks ? "stat" : "lstat", path: path, code: code)
        }
        return FileStatus(info)
    }

    public static func exists(_ path: String) throws -> Bool {
        try of(path) != nil
    }

    public static func isDirectory(_ path: String) throws -> Bool {
        try of(path)?.kind == .directory
    }

    public static func isRegularFile(_ path: String) throws -> Bool {
        try of(path)?.kind == .regular
    }
}
