#if canImport(Glibc)
import Glibc
#endif

/// Whole directory trees: removal, copy, and moves that still work when source and
/// destination are on different file systems (where rename fails with EXDEV).
extension FileOperations {
    /// Removes a file, link or whole directory tree; a missing path is not an error.
    /// Links are removed, never followed.
    public static func removeTree(_ path: String) throws {
        guard let status = try FileStatus.of(path) else { return }
        do {
            if status.kind == .directory {
                for name in try listDirectory(path) { try removeTree("\(path)/\(name)") }
                try removeDirectory(path)
            } else {
                try removeFile(path)
            }
        } catch let error as SystemError where error.code == ENOENT {
            return   // someone else removed it first; the goal is met
        }
    }

    /// Copies files, directories and symbolic links (as links) to a `destination` that
    /// must not exist yet, keeping permission bits and making each copy durable.
    public static func copyTree(_ source: String, to destination: String) throws {
        guard let status = try FileStatus.of(source) else { throw SystemError("lstat", path: source, code: ENOENT) }
        switch status.kind {
        case .directory:
            guard try makeDirectory(destination, permissions: status.permissions) else {
                throw SystemError("mkdir", path: destination, code: EEXIST)
            }
            for name in try listDirectory(source) { try copyTree("\(source)/\(name)", to: "\(destination)/\(name)") }
            try DurableFile.synchronizeDirectory(destination)
        case .regular:
            try copyFile(source, to: destination, status: status)
        case .symbolicLink:
            try makeSymbolicLink(at: destination, pointingTo: try readLink(source))
        case .other:
            throw SystemError("copy (only files, directories and links can be copied)", path: source, code: EINVAL)
        }
    }

    /// Copies a tree to a hidden sibling of `destination` and renames it into place, so
    /// readers never see half a tree. Syncing `destination`'s directory is the caller's.
    public static func copyTreeThenRename(_ source: String, to destination: String) throws {
        let name = DurableFile.fileName(of: destination)
        let staging = "\(DurableFile.directoryPath(of: destination))/.\(name).partial-\(getpid())"
        try removeTree(staging)
        do {
            try copyTree(source, to: staging)
            try rename(staging, to: destination)
        } catch {
            try? removeTree(staging)
            throw error
        }
    }

    /// Renames a tree, falling back to copy-then-rename and removing the source when the
    /// destination is on another file system.
    public static func moveTree(_ source: String, to destination: String) throws {
        do {
            try rename(source, to: destination)
        } catch let error as SystemError where error.code == EXDEV {
            try copyTreeThenRename(source, to: destination)
            try removeTree(source)
        }
    }

    private static func copyFile(_ source: String, to destination: String, status: FileStatus) throws {
        let input = try FileDescriptor(path: source, flags: O_RDONLY)
        let output = try FileDescriptor(path: destination, flags: O_WRONLY | O_CREAT | O_EXCL, mode: status.permissions)
        let size = try input.size()   // of what was opened, not of what lstat saw earlier
        let chunkSize = 1 << 20
        var buffer = [UInt8](repeating: 0, count: min(chunkSize, size))
        var offset = 0
        while offset < size {
            let count = min(chunkSize, size - offset)
            try buffer.withUnsafeMutableBytes { bytes in
                try input.read(into: bytes.baseAddress!, count: count, at: offset)
                try output.write(bytes.baseAddress!, count: count, at: offset)
            }
            offset += count
        }
        try output.synchronize()
    }
}
