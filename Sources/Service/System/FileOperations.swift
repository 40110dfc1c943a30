import Foundation
import Glibc

/// Thin, checked wrappers over the file system calls the spool relies on.
/// Rename is the only primitive used to move jobs between states because it is
/// atomic within one file system.
public enum FileOperations {
    public static func rename(_ source: URL, to destination: URL) throws {
        try checkSystemCall(Glibc.rename(source.path, destination.path),
                            "rename to \(destination.path)", path: source.path)
    }

    /// Creates one directory; returns false if it already existed.
    @discardableResult
    public static func makeDirectory(_ url: URL) throws -> Bool {
        if mkdir(url.path, 0o755) == -1 {
            let code = errno
            if code == EEXIST { return false }
            throw SystemCallError(operation: "mkdir", path: url.path, errorNumber: code)
        }
        return true
    }

    public static func makeDirectories(_ url: URL) throws {
        if try FileStatus.of(url)?.kind == .directory { return }
        let parent = url.deletingLastPathComponent()
        if parent.path != url.path { try makeDirectories(parent) }
        try makeDirectory(url)
    }

    /// Removes a file or a whole directory tree; a missing path is not an error.
    public static func removeTree(_ url: URL) throws {
        guard try FileStatus.exists(url) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw SystemCallError(operation: "remove", path: url.path, errorNumber: posixCode(of: error))
        }
    }

    /// Names in a directory, without "." and "..", sorted so scans are reproducible.
    public static func listDirectory(_ url: URL) throws -> [String] {
        guard let directory = opendir(url.path) else {
            throw SystemCallError(operation: "opendir", path: url.path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func readFile(_ url: URL) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw SystemCallError(operation: "open", path: url.path)
        }
        defer { try? handle.close() }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw SystemCallError(operation: "read", path: url.path, errorNumber: EIO)
        }
    }

    /// Copies a tree into place for moves across file systems: the copy goes to a
    /// hidden sibling first and is renamed, so readers never see half a tree.
    public static func copyTreeThenRename(_ source: URL, to destination: URL) throws {
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        try removeTree(staging)
        do {
            try FileManager.default.copyItem(at: source, to: staging)
        } catch {
            throw SystemCallError(operation: "copy to \(staging.path)", path: source.path,
                                  errorNumber: posixCode(of: error))
        }
        try rename(staging, to: destination)
    }

    /// Moves a tree, falling back to copy-then-rename when the destination is on
    /// another file system (EXDEV), then removes the source.
    public static func moveTree(_ source: URL, to destination: URL) throws {
        if Glibc.rename(source.path, destination.path) == 0 { return }
        let code = errno
        guard code == EXDEV else {
            throw SystemCallError(operation: "rename to \(destination.path)", path: source.path, errorNumber: code)
        }
        try copyTreeThenRename(source, to: destination)
        try removeTree(source)
    }

    /// Foundation wraps the errno of a failed call; dig it out so the thrown error
    /// names the real cause.
    static func posixCode(of error: any Error) -> Int32 {
        let bridged = error as NSError
        if bridged.domain == NSPOSIXErrorDomain { return Int32(bridged.code) }
        if let underlying = bridged.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return EIO
    }
}
