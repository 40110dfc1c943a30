import FileSystem
import Foundation
import Glibc
import Service

/// `nayerd serve`: the daemon, in the foreground (systemd runs it as Type=notify).
enum ServeCommand: Subcommand {
    static let version = "0.1.0"

    static let specification = CommandSpecification(
        name: "serve", summary: "Run the daemon: distill every manifest dropped into the spool.",
        options: [
            SpoolOptions.spool, SpoolOptions.output,
            .value("metrics", "FILE", "Prometheus text file, rewritten atomically (for node_exporter's textfile collector).",
                   default: "<spool>/nayerd.prom"),
            .value("max-jobs", "N", "Jobs that run at the same time; the cores are split between them.", default: "1"),
        ],
        discussion: """
        Drop NAME.json into <spool>/incoming/ (write it as .NAME.json and rename it), or use
        'nayerd submit'. Jobs run in <spool>/active/ID/, results land in <output>/ID/, bad
        manifests in <spool>/rejected/ with ID.error.txt, failed jobs in <spool>/failed/ID/.
        SIGTERM checkpoints running jobs and exits; they resume at the next start.
        Under systemd: READY=1, STATUS=, WATCHDOG=1 (WatchdogSec) and STOPPING=1 via sd_notify.
        """)

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let layout = SpoolOptions.layout(arguments)
        let maximumJobs = try arguments.integer("max-jobs", default: 1, range: 1...256)!
        let metrics = arguments.value("metrics").map(SpoolOptions.absolute)
            ?? layout.root.appendingPathComponent("nayerd.prom")
        let environment = ProcessInfo.processInfo.environment
        let configuration = SupervisorConfiguration(
            layout: layout, outputDirectory: SpoolOptions.outputDirectory(arguments), metricsFile: metrics,
            maximumJobs: maximumJobs, version: version,
            watchdogIntervalSeconds: WatchdogInterval.pingInterval(environment: environment, processIdentifier: getpid()))
        try removeAbandonedTemporaries(of: metrics)
        let stop = try StopSignals.install()
        let supervisor = Supervisor(
            configuration: configuration,
            runner: ProcessJobRunner(executable: try ProcessJobRunner.currentExecutable(), environment: environment),
            validator: DistillManifestValidator(), notifier: SystemdNotifier(), logger: StandardLogger.make(environment: environment),
            clock: SystemClock(), stopHandle: stop)
        try supervisor.run()
    }

    /// A daemon killed while rewriting the metrics file leaves its temporary copy
    /// (`.NAME.PID.tmp`, see DurableFile) beside it; nothing else would ever remove it.
    /// Copies of a live process are left alone: it may be a daemon on another spool
    /// sharing the metrics directory.
    private static func removeAbandonedTemporaries(of metrics: URL) throws {
        let directory = metrics.deletingLastPathComponent().path
        guard try FileStatus.isDirectory(directory) else { return }
        let prefix = ".\(metrics.lastPathComponent)."
        for name in try FileOperations.listDirectory(directory) where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            guard let owner = Int32(name.dropFirst(prefix.count).dropLast(".tmp".count)),
                  kill(owner, 0) == -1 && errno == ESRCH else { continue }
            try FileOperations.removeFile("\(directory)/\(name)")
        }
    }
}
