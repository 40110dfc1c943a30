import Foundation

/// Everything `nayerd serve` decides before the supervisor starts.
public struct SupervisorConfiguration: Sendable {
    public var layout: SpoolLayout
    public var outputDirectory: URL
    /// The .prom file; nil disables metrics.
    public var metricsFile: URL?
    public var maximumJobs: Int
    public var totalThreads: Int
    public var retryPolicy: RetryPolicy
    public var version: String
    public var maximumManifestBytes: Int64
    /// Full rescan of incoming/ even without inotify events (events can be lost on overflow).
    public var rescanIntervalSeconds: Double
    /// Metrics and STATUS= are refreshed this often, and at every state change.
    public var reportIntervalSeconds: Double
    /// How often finished workers are reaped and cancel requests are noticed.
    public var pollIntervalSeconds: Double
    /// How long workers get to write their stop-time checkpoint after SIGTERM.
    public var stopTimeoutSeconds: Double
    /// A running worker whose progress record is older than this is considered
    /// hung, and WATCHDOG=1 is withheld so systemd restarts us.
    public var stallTimeoutSeconds: Double
    /// Seconds between WATCHDOG=1 pings; nil when systemd set no watchdog.
    public var watchdogIntervalSeconds: Double?

    public init(layout: SpoolLayout, outputDirectory: URL, metricsFile: URL? = nil, maximumJobs: Int = 1,
                totalThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
                retryPolicy: RetryPolicy = RetryPolicy(), version: String = "dev",
                maximumManifestBytes: Int64 = SpoolScanner.defaultMaximumManifestBytes,
                rescanIntervalSeconds: Double = 10, reportIntervalSeconds: Double = 5,
                pollIntervalSeconds: Double = 0.25, stopTimeoutSeconds: Double = 120,
                stallTimeoutSeconds: Double = 1800, watchdogIntervalSeconds: Double? = nil) {
        self.layout = layout
        self.outputDirectory = outputDirectory
        self.metricsFile = metricsFile
        self.maximumJobs = max(1, maximumJobs)
        self.totalThreads = max(1, totalThreads)
        self.retryPolicy = retryPolicy
        self.version = version
        self.maximumManifestBytes = maximumManifestBytes
        self.rescanIntervalSeconds = rescanIntervalSeconds
        self.reportIntervalSeconds = reportIntervalSeconds
        self.pollIntervalSeconds = pollIntervalSeconds
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.stallTimeoutSeconds = stallTimeoutSeconds
        self.watchdogIntervalSeconds = watchdogIntervalSeconds
    }
}

/// The supervisor's view of one job in active/.
final class SupervisedJob {
    enum Phase: String { case queued, running, retrying }

    let identifier: JobIdentifier
    let directory: JobDirectory
    var phase: Phase = .queued
    var crashes = 0
    var notBefore = 0.0
    var worker: (any RunningWorker)?
    var startedAt = 0.0
    var cancelling = false
    var progress: ProgressRecord?
    var lastHeartbeat = 0.0

    init(identifier: JobIdentifier, directory: JobDirectory) {
        self.identifier = identifier
        self.directory = directory
    }
}
