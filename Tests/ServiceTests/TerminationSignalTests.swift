import Foundation
import Glibc
import Testing
@testable import Service

@Suite struct TerminationSignalTests {
    @Test func stopHandleIsLevelTriggered() throws {
        let handle = try StopHandle()
        #expect(!handle.isStopRequested)
        handle.requestStop()
        #expect(handle.isStopRequested)
        #expect(handle.isStopRequested, "checking must not consume the request")
    }

    @Test func sigtermBecomesStopRequest() throws {
        // Keep the test process's own dispositions intact afterwards.
        var previousTerminate = sigaction()
        var previousInterrupt = sigaction()
        sigaction(SIGTERM, nil, &previousTerminate)
        sigaction(SIGINT, nil, &previousInterrupt)
        defer {
            sigaction(SIGTERM, &previousTerminate, nil)
            sigaction(SIGINT, &previousInterrupt, nil)
        }
        let handle = try StopHandle()
        try TerminationSignals.install(handle: handle)
        #expect(!handle.isStopRequested)
        #expect(kill(getpid(), SIGTERM) == 0)
        #expect(eventually(timeoutSeconds: 2) { handle.isStopRequested })
    }

    @Test func currentExecutableIsTheTestBinary() throws {
        let executable = try ProcessJobRunner.currentExecutable()
        #expect(executable.path.hasPrefix("/"))
        #expect(FileManager.default.isExecutableFile(atPath: executable.path))
    }
}
