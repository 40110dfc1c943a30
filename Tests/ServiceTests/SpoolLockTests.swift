import Foundation
import Testing
@testable import Service
import TestSupport

@Suite struct SpoolLockTests {
    @Test func secondAcquireFailsNamingTheHolder() throws {
        let spool = try SpoolFixture()
        let lock = try SpoolLock.acquire(at: spool.layout.lockFile)
        let error = #expect(throws: SpoolError.self) { try SpoolLock.acquire(at: spool.layout.lockFile) }
        #expect(error == .alreadyLocked(lockPath: spool.layout.lockFile.path, holder: "\(getpid())"))
        #expect("\(error!)".contains("another nayerd already serves this spool"))
        #expect(try SpoolLock.isHeld(at: spool.layout.lockFile))
        withExtendedLifetime(lock) {}
    }

    @Test func otherProcessCannotTakeTheLockUntilReleased() throws {
        let spool = try SpoolFixture()
        var lock: SpoolLock? = try SpoolLock.acquire(at: spool.layout.lockFile)
        #expect(try runFlock(spool.layout.lockFile) == 1, "flock -n must fail while we hold the lock")
        withExtendedLifetime(lock) {}
        lock = nil
        // Polled: a process that another test spawns at this moment holds a copy of our
        // (close-on-exec) descriptor from its fork until its exec, and with it the lock.
        #expect(eventually { (try? runFlock(spool.layout.lockFile)) == 0 }, "flock -n must succeed once released")
        #expect(eventually { (try? SpoolLock.isHeld(at: spool.layout.lockFile)) == false })
    }

    @Test func supervisorRefusesSpoolLockedByAnotherProcess() throws {
        let spool = try SpoolFixture()
        let holder = Process()
        // exec keeps one process holding the lock, so terminate() releases it.
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9>>\"$0\" && /usr/bin/flock -n 9 && exec sleep 30", spool.layout.lockFile.path]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        #expect(eventually { (try? SpoolLock.isHeld(at: spool.layout.lockFile)) == true })
        let supervisor = Supervisor(
            configuration: SupervisorConfiguration(layout: spool.layout, outputDirectory: spool.output),
            runner: ProcessJobRunner(executable: URL(fileURLWithPath: "/bin/false")),
            validator: JSONObjectValidator(), notifier: RecordingNotifier(), logger: RecordingLogger(),
            clock: SystemClock(), stopHandle: try StopHandle())
        #expect(throws: SpoolError.self) { try supervisor.run() }
    }

    private func runFlock(_ url: URL) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        process.arguments = ["-n", url.path, "true"]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
