import Foundation
import Glibc

/// A datagram socket standing in for systemd's notify socket.
final class NotifySocket {
    let descriptor: Int32
    /// The value for NOTIFY_SOCKET: a path, or `@name` for the abstract namespace.
    let address: String

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        address = path
        try bind(nameBytes: Array(path.utf8), abstract: false)
    }

    init(abstractName: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        address = "@" + abstractName
        try bind(nameBytes: Array(abstractName.utf8), abstract: true)
    }

    deinit {
        close(descriptor)
        if !address.hasPrefix("@") { unlink(address) }
    }

    private func bind(nameBytes: [UInt8], abstract: Bool) throws {
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let offset = abstract ? 1 : 0
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in nameBytes.enumerated() { path[index + offset] = byte }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let length = abstract ? pathOffset + 1 + nameBytes.count : MemoryLayout<sockaddr_un>.size
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(length)) }
        }
        if result != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Next datagram, or nil after `timeoutSeconds`.
    func receive(timeoutSeconds: Double = 2) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeoutSeconds * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}
