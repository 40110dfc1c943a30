import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads small model text files (vocabulary, JSON configuration) whole, with every
/// system call checked so the error names the path and errno.
enum FileContents {
    /// Text files of a BERT model are well under this; a larger file is a wrong path,
    /// and reading it whole would only waste memory.
    static let defaultLimit = 64 << 20

    static func read(path: String, limit: Int = defaultLimit) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw TextEncoderError.missingFile(path: path) }
            throw TextEncoderError.unreadableFile(path: path, errno: code)
        }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw TextEncoderError.unreadableFile(path: path, errno: errno)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw TextEncoderError.unreadableFile(path: path, errno: EISDIR)
        }
        let size = Int(status.st_size)
        guard size <= limit else {
            throw TextEncoderError.fileTooLarge(path: path, size: size, limit: limit)
        }

        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, size - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw TextEncoderError.unreadableFile(path: path, errno: errno)
            }
            // The file shrank while we read it; keep what is there.
            if count == 0 { break }
            filled += count
        }
        return Array(bytes.prefix(filled))
    }
}
