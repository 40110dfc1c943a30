import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// Dataset-flavoured wrappers over the FileSystem module: its `SystemError` becomes a
/// `DatasetError` carrying the same path and errno.
enum FileIO {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The whole regular file in memory. Dataset files are tens of megabytes at most.
    static func readAll(_ path: String) throws(DatasetError) -> [UInt8] {
        do {
            return try DurableFile.read(path)
        } catch let error as SystemError {
            if error.code == ENOENT { throw DatasetError(path: path, kind: .notFound, reason: "no such file") }
            if error.code == EISDIR { throw DatasetError(path: path, kind: .invalidArgument, reason: "not a regular file") }
            throw .system(path: path, operation: error.operation, errno: error.code)
        } catch {
            throw .system(path: path, operation: "read", errno: EIO)
        }
    }

    /// Temp file, fsync, rename: a reader never sees a half-written file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DatasetError) {
        do {
            try DurableFile.write(bytes, to: path)
        } catch let error as SystemError {
            throw .system(path: path, operation: error.operation, errno: error.code)
        } catch {
            throw .system(path: path, operation: "write", errno: EIO)
        }
    }
}
