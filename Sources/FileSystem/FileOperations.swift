#if canImport(Glibc)
import Glibc
#endif

/// Checked single calls on directory entries. Every failure is a `SystemError` naming
/// the path; rename is the move of choice because within one file system it is atomic.
public enum FileOperations {
    /// Atomically replaces `destination` (a file, or an empty directory) with `source`.
    public static func rename(_ source: String, to destination: String) throws {
        try SystemError.check(Glibc.rename(source, destination), "rename \(source) to", path: destination)
    }

    /// A second name for `source` that, unlike rename, fails with EEXIST instead of
    /// replacing what is at `destination`: publishing without overwriting.
    public static func link(_ source: String, to destination: String) throws {
        try SystemError.check(Glibc.link(source, destination), "link \(source) to", path: destination)
    }

    /// Removes one name that is not a directory.
    public static func removeFile(_ path: String) throws {
        try SystemError.check(unlink(path), "unlink", path: path)
    }

    public static func removeDirectory(_ path: String) throws {
        try SystemError.check(rmdir(path), "rmdir", path: path)
    }

    /// Creates one directory; false when something by that name is already there.
    @discardableResult
    public static func makeDirectory(_ path: String, permissions: mode_t = 0o755) throws -> Bool {
        guard mkdir(path, permissions) == -1 else { return true }
        let code = errno
        if code == EEXIST { return false }
        throw SystemError("mkdir", path: path, code: code)
    }

    /// `mkdir -p`: the directory and any missing parents. An existing directory, or a
    /// link to one, is fine; an existing file of that name is ENOTDIR.
    public static func makeDirectories(_ path: String) throws {
        if try FileStatus.of(path, followingLinks: true)?.kind == .directory { return }
        let parent = DurableFile.directoryPath(of: path)
        if parent != path && parent != "." && parent != "/" { try makeDirectories(parent) }
        if try !makeDirectory(path), try FileStatus.of(path, followingLinks: true)?.kind != .directory {
            throw SystemError("mkdir", path: path, code: ENOTDIR)
        }
    }

    /// Names in a directory without "." and "..", sorted so scans are reproducible.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw SystemError("opendir", path: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            // readdir returns nil both at the end and on failure; only errno tells them apart.
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw SystemError("readdir", path: path) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The target a symbolic link points at, unresolved.
    public static func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = try SystemError.check(readlink(path, &buffer, buffer.count), "readlink", path: path)
        // A full buffer may mean the target was cut short; readlink does not say.
        guard length < buffer.count else { throw SystemError("readlink", path: path, code: ENAMETOOLONG) }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func makeSymbolicLink(at path: String, pointingTo target: String) throws {
        try SystemError.check(symlink(target, path), "symlink to \(target) at", path: path)
    }
}
