import FileSystem
import Foundation
import Glibc

/// Watches directories for files that were finished being written or were moved
/// in (IN_CLOSE_WRITE, IN_MOVED_TO). Events only say "look again": the spool is
/// rescanned on any event, so lost or coalesced events cannot lose a job.
public final class InotifyWatcher {
    public struct Event: Equatable, Sendable {
        public var name: String?
        /// The kernel queue overflowed; some events were dropped.
        public var overflowed: Bool
    }

    /// Non-blocking; poll it for POLLIN.
    public let fileDescriptor: Int32

    public init(directories: [URL]) throws {
        fileDescriptor = try SystemError.check(inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)),
                                             "inotify_init1", path: directories.first?.path ?? "")
        let mask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)
        for directory in directories {
            if inotify_add_watch(fileDescriptor, directory.path, mask) == -1 {
                let failure = SystemError("inotify_add_watch", path: directory.path)
                close(fileDescriptor)
                throw failure
            }
        }
    }

    deinit {
        close(fileDescriptor)
    }

    /// Drains every queued event without blocking.
    public func readEvents() throws -> [Event] {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count == -1 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return events }
                throw SystemError("read inotify events", path: "inotify fd \(fileDescriptor)")
            }
            if count == 0 { return events }
            events += Self.parse(buffer.prefix(count))
        }
    }

    /// Blocks up to `timeoutSeconds` for events; returns those that arrived.
    public func waitForEvents(timeoutSeconds: Double) throws -> [Event] {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        let result = poll(&descriptor, 1, Int32(max(0, timeoutSeconds * 1000)))
        if result == -1 && errno != EINTR {
            throw SystemError("poll", path: "inotify fd \(fileDescriptor)")
        }
        return try readEvents()
    }

    /// Layout of struct inotify_event: wd (i32), mask (u32), cookie (u32), len (u32),
    /// then `len` bytes of NUL-padded name.
    static func parse(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        var offset = bytes.startIndex
        let headerSize = 16
        while bytes.endIndex - offset >= headerSize {
            let mask = readUInt32(bytes, at: offset + 4)
            let nameLength = Int(readUInt32(bytes, at: offset + 12))
            let nameStart = offset + headerSize
            let nameEnd = min(bytes.endIndex, nameStart + nameLength)
            let nameBytes = bytes[nameStart..<nameEnd].prefix { $0 != 0 }
            events.append(Event(name: nameBytes.isEmpty ? nil : String(decoding: nameBytes, as: UTF8.self),
                                overflowed: mask & UInt32(IN_Q_OVERFLOW) != 0))
            offset = nameEnd
        }
        return events
    }

    private static func readUInt32(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { value, index in value | UInt32(bytes[offset + index]) << (8 * UInt32(index)) }
    }
}
