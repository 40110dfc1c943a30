import FileSystem
import Foundation
import Glibc

/// The daemon's main loop: claims manifests from the spool, runs one worker
/// process per job, retries crashes, publishes results, and reports through
/// sd_notify, the journal and the metrics file. Runs on one thread, blocking in
/// poll() on the inotify and stop descriptors; children are reaped by polling
/// waitpid(WNOHANG) each turn rather than through SIGCHLD, which in a
/// multi-threaded process could be delivered to any thread.
public final class Supervisor {
    let configuration: SupervisorConfiguration
    let runner: any JobRunner
    let claimer: JobClaimer
    let transitions: JobTransitions
    let notifier: any Notifier
    let logger: any Logger
    let clock: any Clock
    let stopHandle: StopHandle
    let threadBudget: ThreadBudget

    var jobs: [SupervisedJob] = []
    var completedTotal = 0
    var failedTotal = 0
    var lastStatusLine = ""
    var lastNotifyFailure: String?
    var nextWatchdogPing = 0.0

    public init(configuration: SupervisorConfiguration, runner: any JobRunner, validator: any ManifestValidator,
                notifier: any Notifier, logger: any Logger, clock: any Clock, stopHandle: StopHandle) {
        self.configuration = configuration
        self.runner = runner
        self.claimer = JobClaimer(layout: configuration.layout, outputDirectory: configuration.outputDirectory,
                                  validator: validator)
        self.transitions = JobTransitions(layout: configuration.layout, outputDirectory: configuration.outputDirectory)
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
        self.stopHandle = stopHandle
        self.threadBudget = ThreadBudget(totalThreads: configuration.totalThreads,
                                         maximumJobs: configuration.maximumJobs)
    }

    /// Blocks until a stop is requested through the stop handle, then stops the
    /// workers (they checkpoint) and returns. Throws only for start-up failures:
    /// a spool that cannot be created or is served by another daemon.
    public func run() throws {
        let layout = configuration.layout
        try layout.createDirectories()
        try FileOperations.makeDirectories(configuration.outputDirectory.path)
        let lock = try SpoolLock.acquire(at: layout.lockFile)
        defer { withExtendedLifetime(lock) {} }
        let watcher = try InotifyWatcher(directories: [layout.incoming])

        resumeActiveJobs()
        var incomingChanged = true
        var nextRescan = 0.0
        var nextReport = 0.0
        send([.ready])
        logger.info("serving spool \(layout.root.path), output \(configuration.outputDirectory.path), "
                    + "up to \(configuration.maximumJobs) job(s) on \(configuration.totalThreads) thread(s)")

        while !stopHandle.isStopRequested {
            let now = clock.unixSeconds()
            var changed = false
            if incomingChanged || now >= nextRescan {
                changed = scanIncoming() || changed
                incomingChanged = false
                nextRescan = now + configuration.rescanIntervalSeconds
            }
            changed = reapWorkers(shuttingDown: false) || changed
            changed = handleCancelRequests() || changed
            changed = startRunnableJobs() || changed
            if changed || now >= nextReport {
                report()
                nextReport = now + configuration.reportIntervalSeconds
            }
            pingWatchdogIfDue()
            incomingChanged = waitForActivity(watcher: watcher)
        }
        shutDown()
    }

    /// Sleeps until the spool changes, a stop is requested, or the poll interval passes.
    /// Returns true if incoming/ changed.
    private func waitForActivity(watcher: InotifyWatcher) -> Bool {
        var descriptors = [pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: stopHandle.readDescriptor, events: Int16(POLLIN), revents: 0)]
        let timeout = Int32(configuration.pollIntervalSeconds * 1000)
        if poll(&descriptors, nfds_t(descriptors.count), timeout) == -1 && errno != EINTR {
            logger.error("\(SystemError("poll", path: "inotify and stop descriptors"))")
            return true
        }
        guard descriptors[0].revents & Int16(POLLIN) != 0 else { return false }
        do {
            return !(try watcher.readEvents()).isEmpty
        } catch {
            logger.error("\(error); falling back to periodic rescans")
            return true
        }
    }

    /// SIGTERM: workers write a stop-time checkpoint and exit; their jobs stay in
    /// active/ and resume at the next start. systemd is told we are stopping and
    /// given extra time while they do so.
    private func shutDown() {
        let running = jobs.filter { $0.phase == .running }
        logger.info("stopping: asking \(running.count) worker(s) to checkpoint")
        let extraTime = UInt64(configuration.stopTimeoutSeconds * 1_000_000)
        send([.stopping, .extendTimeout(microseconds: extraTime)])
        for job in running { signal(job, SIGTERM) }
        let deadline = clock.unixSeconds() + configuration.stopTimeoutSeconds
        var nextExtension = clock.unixSeconds() + 5
        while jobs.contains(where: { $0.phase == .running }) && clock.unixSeconds() < deadline {
            _ = reapWorkers(shuttingDown: true)
            if clock.unixSeconds() >= nextExtension {
                let remaining = max(1, deadline - clock.unixSeconds())
                send([.extendTimeout(microseconds: UInt64(remaining * 1_000_000))])
                nextExtension += 5
            }
            usleep(UInt32(min(configuration.pollIntervalSeconds, 0.05) * 1_000_000))
        }
        for job in jobs where job.phase == .running {
            logger.error("worker did not stop within \(Int(configuration.stopTimeoutSeconds)) s; killing it",
                         job: job.identifier.rawValue)
            signal(job, SIGKILL)
            while job.phase == .running && !reap(job, shuttingDown: true) { usleep(10_000) }
        }
        report()
        logger.info("stopped")
    }

    func signal(_ job: SupervisedJob, _ number: Int32) {
        do {
            try job.worker?.send(signal: number)
        } catch {
            logger.warning("\(error)", job: job.identifier.rawValue)
        }
    }

    func send(_ messages: [NotifyMessage]) {
        do {
            try notifier.notify(messages)
            lastNotifyFailure = nil
        } catch {
            // Log a failing notify socket once, not on every turn of the loop.
            let text = "\(error)"
            if text != lastNotifyFailure { logger.warning(text) }
            lastNotifyFailure = text
        }
    }
}
