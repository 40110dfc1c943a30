/// What the supervisor knows at one moment, turned into the `nayer_` metrics.
/// Job-labelled series exist only for running jobs, so finished jobs do not
/// leave stale series behind.
public struct ServiceMetricsSnapshot: Sendable {
    public var version: String
    public var jobsByState: [String: Int]
    public var completedTotal: Int
    public var failedTotal: Int
    public var running: [ProgressRecord]

    public init(version: String, jobsByState: [String: Int], completedTotal: Int, failedTotal: Int,
                running: [ProgressRecord]) {
        self.version = version
        self.jobsByState = jobsByState
        self.completedTotal = completedTotal
        self.failedTotal = failedTotal
        self.running = running
    }

    /// Every state is always present (as 0) so dashboards see a stable set of series.
    public static let states = ["queued", "running", "retrying"]

    public func registry() -> MetricsRegistry {
        var registry = MetricsRegistry()
        registry.set("nayer_build_info", kind: .gauge, help: "Build information; the value is always 1.",
                     labels: [("version", version)], value: 1)
        for state in Self.states {
            registry.set("nayer_jobs", kind: .gauge, help: "Jobs known to the daemon, by state.",
                         labels: [("state", state)], value: Double(jobsByState[state] ?? 0))
        }
        registry.set("nayer_jobs_completed_total", kind: .counter,
                     help: "Jobs that finished successfully since the daemon started.", value: Double(completedTotal))
        registry.set("nayer_jobs_failed_total", kind: .counter,
                     help: "Jobs moved to failed/ since the daemon started.", value: Double(failedTotal))
        declareJobFamilies(&registry)
        for record in running.sorted(by: { $0.jobIdentifier < $1.jobIdentifier }) {
            addJob(record, to: &registry)
        }
        return registry
    }

    private func declareJobFamilies(_ registry: inout MetricsRegistry) {
        for (name, help) in Self.jobFamilies {
            registry.declare(name, kind: .gauge, help: help)
        }
    }

    private static let jobFamilies: [(String, String)] = [
        ("nayer_job_epoch", "Current epoch of a running job."),
        ("nayer_job_progress_ratio", "Fraction of epochs completed by a running job."),
        ("nayer_job_accuracy_ratio", "Latest evaluation accuracy of a running job's student."),
        ("nayer_job_agreement_ratio", "Latest teacher-student agreement of a running job."),
        ("nayer_job_loss", "Latest value of each loss term of a running job."),
        ("nayer_job_images_per_second", "Training throughput of a running job."),
        ("nayer_job_eta_seconds", "Estimated seconds until a running job finishes."),
        ("nayer_checkpoint_last_success_timestamp_seconds", "Unix time of a running job's last durable checkpoint."),
    ]

    private func addJob(_ record: ProgressRecord, to registry: inout MetricsRegistry) {
        let job = [("job", record.jobIdentifier)]
        func gauge(_ name: String, _ value: Double?, extra: [(String, String)] = []) {
            guard let value else { return }
            let help = Self.jobFamilies.first { $0.0 == name }?.1 ?? name
            registry.set(name, kind: .gauge, help: help, labels: job + extra, value: value)
        }
        gauge("nayer_job_epoch", Double(record.epoch))
        gauge("nayer_job_progress_ratio", record.progressRatio)
        gauge("nayer_job_accuracy_ratio", record.accuracy)
        gauge("nayer_job_agreement_ratio", record.agreement)
        for term in record.losses.keys.sorted() {
            gauge("nayer_job_loss", record.losses[term], extra: [("term", term)])
        }
        gauge("nayer_job_images_per_second", record.imagesPerSecond)
        gauge("nayer_job_eta_seconds", record.etaSeconds)
        gauge("nayer_checkpoint_last_success_timestamp_seconds", record.lastCheckpointUnixSeconds)
    }
}
