import FileSystem
import Glibc

/// A stop request that can be made from any thread or from a signal handler:
/// it writes a byte to a pipe the supervisor polls, so a request can never be
/// missed between a check and a sleep. Lives for the whole process once installed
/// as a signal target.
public final class StopHandle: Sendable {
    /// Readable once a stop was requested (level-triggered; never drained).
    public let readDescriptor: Int32
    let writeDescriptor: Int32

    public init() throws {
        var descriptors: [Int32] = [-1, -1]
        try SystemError.check(pipe(&descriptors), "pipe", path: "stop pipe")
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
        for descriptor in descriptors {
            try SystemError.check(fcntl(descriptor, F_SETFD, FD_CLOEXEC), "fcntl FD_CLOEXEC", path: "stop pipe")
            try SystemError.check(fcntl(descriptor, F_SETFL, O_NONBLOCK), "fcntl O_NONBLOCK", path: "stop pipe")
        }
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    public func requestStop() {
        var byte: UInt8 = 1
        // A full pipe already means "stop requested"; nothing more to do.
        _ = write(writeDescriptor, &byte, 1)
    }

    public var isStopRequested: Bool {
        var descriptor = pollfd(fd: readDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLIN) != 0
    }
}

/// The write end of the handle that SIGTERM/SIGINT write to. A signal handler can
/// only reach global state, and write(2) is async-signal-safe.
nonisolated(unsafe) private var signalStopDescriptor: Int32 = -1
nonisolated(unsafe) private var signalStopHandle: StopHandle?

public enum TerminationSignals {
    /// Routes SIGTERM and SIGINT to `handle` for the rest of the process's life.
    /// Call once, from the main thread, before starting other threads.
    public static func install(handle: StopHandle) throws {
        signalStopHandle = handle
        signalStopDescriptor = handle.writeDescriptor
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(signalStopDescriptor, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for signal in [SIGTERM, SIGINT] {
            try SystemError.check(sigaction(signal, &action, nil), "sigaction \(SignalName.of(signal))", path: "process")
        }
    }
}
