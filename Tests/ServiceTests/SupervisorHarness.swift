import Foundation
import Service
import Synchronization
import TestSupport

/// Runs a real Supervisor on its own thread (it blocks, as on the daemon's main
/// thread) against a temporary spool, with shell scripts as workers.
final class SupervisorHarness: Sendable {
    let spool: SpoolFixture.Paths
    let notifier = RecordingNotifier()
    let logger = RecordingLogger()
    let stop: StopHandle
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<String?>(nil)

    /// `script` is the body of a /bin/sh worker; `$2` is the job directory.
    static func makeWorker(in directory: URL, name: String = "worker.sh", script: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data("#!/bin/sh\nset -e\ndir=\"$2\"\n\(script)\n".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    static func configuration(for spool: SpoolFixture, maximumJobs: Int = 1, totalThreads: Int = 2,
                              maximumRetries: Int = 2, watchdogIntervalSeconds: Double? = nil,
                              stallTimeoutSeconds: Double = 60) -> SupervisorConfiguration {
        SupervisorConfiguration(layout: spool.layout, outputDirectory: spool.output,
                                metricsFile: spool.temporary.url.appendingPathComponent("nayerd.prom"),
                                maximumJobs: maximumJobs, totalThreads: totalThreads,
                                retryPolicy: RetryPolicy(maximumRetries: maximumRetries, initialDelaySeconds: 0.05,
                                                         maximumDelaySeconds: 0.1),
                                version: "test", rescanIntervalSeconds: 0.5, reportIntervalSeconds: 0.1,
                                pollIntervalSeconds: 0.02, stopTimeoutSeconds: 5,
                                stallTimeoutSeconds: stallTimeoutSeconds,
                                watchdogIntervalSeconds: watchdogIntervalSeconds)
    }

    init(spool: SpoolFixture, configuration: SupervisorConfiguration, worker: URL,
         environment: [String: String] = [:]) throws {
        self.spool = spool.paths
        stop = try StopHandle()
        let runner = ProcessJobRunner(executable: worker,
                                      environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        let thread = Thread { [self] in
            let supervisor = Supervisor(configuration: configuration, runner: runner, validator: JSONObjectValidator(),
                                        notifier: notifier, logger: logger, clock: SystemClock(), stopHandle: stop)
            do {
                try supervisor.run()
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            finished.signal()
        }
        thread.start()
    }

    /// Requests a stop (as SIGTERM would) and waits for run() to return.
    @discardableResult
    func stopAndWait(timeoutSeconds: Double = 8) -> Bool {
        stop.requestStop()
        return finished.wait(timeout: .now() + timeoutSeconds) == .success
    }

    var runError: String? { failure.withLock { $0 } }

    func logged(_ fragment: String) -> Bool {
        logger.entries.contains { $0.message.contains(fragment) }
    }
}

extension SpoolFixture {
    /// The Sendable part of a fixture, for the supervisor thread.
    struct Paths: Sendable {
        let layout: SpoolLayout
        let output: URL
    }

    var paths: Paths { Paths(layout: layout, output: output) }
}
