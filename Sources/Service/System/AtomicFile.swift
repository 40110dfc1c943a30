import Foundation
import Glibc

/// Writes whole files so that readers see either the old or the new content:
/// temporary file in the same directory, fsync, rename, fsync of the directory.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let directory = url.deletingLastPathComponent()
        // A dot prefix and .tmp suffix keep the spool scanner away from it.
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let descriptor = try checkSystemCall(
            open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions),
            "open", path: temporary.path)
        do {
            try writeAll(data, to: descriptor, path: temporary.path)
            try checkSystemCall(fsync(descriptor), "fsync", path: temporary.path)
        } catch {
            close(descriptor)
            unlink(temporary.path)
            throw error
        }
        try checkSystemCall(close(descriptor), "close", path: temporary.path)
        do {
            try FileOperations.rename(temporary, to: url)
        } catch {
            unlink(temporary.path)
            throw error
        }
        try syncDirectory(directory)
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Makes a rename durable: the directory entry itself must reach the disk.
    public static func syncDirectory(_ directory: URL) throws {
        let descriptor = try checkSystemCall(open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                                             "open directory", path: directory.path)
        defer { close(descriptor) }
        try checkSystemCall(fsync(descriptor), "fsync directory", path: directory.path)
    }

    static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written == -1 {
                    if errno == EINTR { continue }
                    throw SystemCallError(operation: "write", path: path)
                }
                offset += written
            }
        }
    }
}
