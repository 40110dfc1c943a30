import Foundation
import Glibc

/// What `lstat` says about a path, without following symbolic links.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case regular, directory, symbolicLink, other }

    public let kind: Kind
    public let size: Int64
    public let modificationUnixSeconds: Double

    /// Returns nil when the path does not exist; throws for any other failure.
    public static func of(_ url: URL) throws -> FileStatus? {
        var info = stat()
        if lstat(url.path, &info) == -1 {
            let code = errno
            if code == ENOENT { return nil }
            throw SystemCallError(operation: "lstat", path: url.path, errorNumber: code)
        }
        let kind: Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        let seconds = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return FileStatus(kind: kind, size: Int64(info.st_size), modificationUnixSeconds: seconds)
    }

    public static func exists(_ url: URL) throws -> Bool {
        try of(url) != nil
    }
}
