import Foundation

/// Atomic, durable replacement of a file's contents.
enum DurableFile {
    struct Failure: Error {
        let code: Int32
        let step: String
    }

    /// The whole file, read with checked system calls (a directory or a device is refused).
    static func read(_ url: URL) throws -> Data {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(code: errno, step: "open") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(code: errno, step: "fstat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw Failure(code: EISDIR, step: "open") }
        var data = Data(count: Int(status.st_size))
        let total = data.count
        let readCount = try data.withUnsafeMutableBytes { bytes -> Int in
            var offset = 0
            while offset < total {
                let result = Glibc.read(descriptor, bytes.baseAddress! + offset, total - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw Failure(code: errno, step: "read")
                }
                if result == 0 { break }   // the file shrank under us; parse what is there
                offset += result
            }
            return offset
        }
        if readCount < total { data.count = readCount }
        return data
    }

    static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(code: errno, step: "open \(temporary)") }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do {
            try data.withUnsafeBytes { bytes in
                var written = 0
                while written < bytes.count {
                    let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                    if result < 0 {
                        if errno == EINTR { continue }
                        throw Failure(code: errno, step: "write \(temporary)")
                    }
                    written += result
                }
            }
            guard fsync(descriptor) == 0 else { throw Failure(code: errno, step: "fsync \(temporary)") }
            closed = true
            guard close(descriptor) == 0 else { throw Failure(code: errno, step: "close \(temporary)") }
            guard rename(temporary, url.path) == 0 else { throw Failure(code: errno, step: "rename to \(url.path)") }
        } catch {
            unlink(temporary)
            throw error
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { throw Failure(code: errno, step: "open directory \(directory)") }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else { throw Failure(code: errno, step: "fsync directory \(directory)") }
    }
}
