import FileSystem
import Foundation
import Testing
@testable import Service
import TestSupport

/// These tests set NOTIFY_SOCKET, which is process-wide, so they run one at a time.
@Suite(.serialized) struct NotifierTests {
    @Test func sendsEachMessageToPathSocket() throws {
        let directory = try TemporaryDirectory(prefix: "notify")
        let socket = try NotifySocket(path: directory.url.appendingPathComponent("notify.sock").path)
        try withNotifySocket(socket.address) {
            let notifier = SystemdNotifier()
            try notifier.notify([.ready])
            #expect(socket.receive() == "READY=1")
            try notifier.notify([.status("job-1 epoch 3/120 acc 81.2%\nETA 1h")])
            #expect(socket.receive() == "STATUS=job-1 epoch 3/120 acc 81.2% ETA 1h")
            try notifier.notify([.watchdog])
            #expect(socket.receive() == "WATCHDOG=1")
            try notifier.notify([.stopping, .extendTimeout(microseconds: 90_000_000)])
            #expect(socket.receive() == "STOPPING=1\nEXTEND_TIMEOUT_USEC=90000000")
        }
    }

    @Test func sendsToAbstractSocket() throws {
        let socket = try NotifySocket(abstractName: "nayerd-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try withNotifySocket(socket.address) {
            try SystemdNotifier().notify([.ready, .status("idle")])
            #expect(socket.receive() == "READY=1\nSTATUS=idle")
        }
    }

    @Test func isSilentWithoutNotifySocket() throws {
        unsetenv("NOTIFY_SOCKET")
        try SystemdNotifier().notify([.ready])
        #expect(getenv("NOTIFY_SOCKET") == nil)
    }

    @Test func reportsUnreachableSocket() throws {
        let directory = try TemporaryDirectory(prefix: "notify")
        try withNotifySocket(directory.url.appendingPathComponent("missing.sock").path) {
            let error = #expect(throws: SystemError.self) { try SystemdNotifier().notify([.ready]) }
            #expect(error?.path.hasSuffix("missing.sock") == true)
        }
    }

    private func withNotifySocket(_ address: String, _ body: () throws -> Void) rethrows {
        setenv("NOTIFY_SOCKET", address, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        try body()
    }
}

@Suite struct WatchdogIntervalTests {
    @Test func pingsAtHalfTheConfiguredInterval() {
        #expect(WatchdogInterval.pingInterval(environment: ["WATCHDOG_USEC": "30000000"], processIdentifier: 7) == 15)
        #expect(WatchdogInterval.pingInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"],
                                              processIdentifier: 7) == 15)
    }

    @Test func ignoresMissingMalformedOrForeignSettings() {
        #expect(WatchdogInterval.pingInterval(environment: [:], processIdentifier: 7) == nil)
        #expect(WatchdogInterval.pingInterval(environment: ["WATCHDOG_USEC": "soon"], processIdentifier: 7) == nil)
        #expect(WatchdogInterval.pingInterval(environment: ["WATCHDOG_USEC": "0"], processIdentifier: 7) == nil)
        #expect(WatchdogInterval.pingInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "8"],
                                              processIdentifier: 7) == nil)
    }
}
