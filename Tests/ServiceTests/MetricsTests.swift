import FileSystem
import Foundation
import Testing
@testable import Service
import TestSupport

@Suite struct MetricsTests {
    private func snapshot() -> ServiceMetricsSnapshot {
        let record = ProgressRecord(jobIdentifier: "fmnist-r20-r8", epoch: 12, epochs: 120, phase: "kd", step: 30,
                                    accuracy: 0.812, bestAccuracy: 0.82, agreement: 0.9,
                                    losses: ["kd": 1.25, "adv": -0.5, "bn": 3.0], imagesPerSecond: 812.5,
                                    etaSeconds: 3720, lastCheckpointUnixSeconds: 1_790_000_000, state: .running)
        return ServiceMetricsSnapshot(version: "1.0.0", jobsByState: ["queued": 2, "running": 1],
                                      completedTotal: 4, failedTotal: 1, running: [record])
    }

    @Test func writesFileThatPassesPromtool() throws {
        let directory = try TemporaryDirectory(prefix: "metrics")
        let file = directory.url.appendingPathComponent("nayerd.prom")
        try PrometheusTextWriter.write(snapshot().registry(), to: file)
        let (status, output) = try promtoolCheck(file)
        #expect(status == 0, "promtool: \(output)")
        #expect(try FileOperations.listDirectory(directory.url.path) == ["nayerd.prom"], "no temporary file may remain")
        let text = try String(contentsOf: file, encoding: .utf8)
        for name in ["nayer_jobs", "nayer_jobs_completed_total", "nayer_jobs_failed_total", "nayer_job_epoch",
                     "nayer_job_progress_ratio", "nayer_job_accuracy_ratio", "nayer_job_agreement_ratio",
                     "nayer_job_loss", "nayer_job_images_per_second", "nayer_job_eta_seconds",
                     "nayer_checkpoint_last_success_timestamp_seconds", "nayer_build_info"] {
            #expect(text.contains("# HELP \(name) "), "HELP for \(name)")
            #expect(text.contains("# TYPE \(name) "), "TYPE for \(name)")
        }
        #expect(text.contains("nayer_job_loss{job=\"fmnist-r20-r8\",term=\"adv\"} -0.5\n"))
        #expect(text.contains("nayer_jobs{state=\"retrying\"} 0\n"))
        #expect(text.contains("nayer_job_progress_ratio{job=\"fmnist-r20-r8\"} 0.1\n"))
        #expect(text.contains("# TYPE nayer_jobs_completed_total counter\n"))
    }

    @Test func idleDaemonHasNoJobSeriesAndStillPasses() throws {
        let directory = try TemporaryDirectory(prefix: "metrics")
        let file = directory.url.appendingPathComponent("idle.prom")
        let idle = ServiceMetricsSnapshot(version: "dev", jobsByState: [:], completedTotal: 0, failedTotal: 0, running: [])
        try PrometheusTextWriter.write(idle.registry(), to: file)
        let (status, output) = try promtoolCheck(file)
        #expect(status == 0, "promtool: \(output)")
        #expect(!(try String(contentsOf: file, encoding: .utf8)).contains("job=\""))
    }

    @Test func escapesLabelValuesAndHelp() {
        var registry = MetricsRegistry()
        registry.set("nayer_build_info", kind: .gauge, help: "line one\nback\\slash",
                     labels: [("version", "a\"b\\c\nd")], value: 1)
        let text = PrometheusTextWriter.render(registry)
        #expect(text == """
            # HELP nayer_build_info line one\\nback\\\\slash
            # TYPE nayer_build_info gauge
            nayer_build_info{version="a\\"b\\\\c\\nd"} 1

            """)
    }

    @Test func rewriteReplacesContent() throws {
        let directory = try TemporaryDirectory(prefix: "metrics")
        let file = directory.url.appendingPathComponent("m.prom")
        try PrometheusTextWriter.write(snapshot().registry(), to: file)
        var later = snapshot()
        later.completedTotal = 9
        later.running = []
        try PrometheusTextWriter.write(later.registry(), to: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("nayer_jobs_completed_total 9\n"))
        #expect(!text.contains("fmnist-r20-r8"), "finished jobs must not leave job series")
        #expect(try FileOperations.listDirectory(directory.url.path) == ["m.prom"])
    }

    @Test func formatsSpecialValues() {
        #expect(PrometheusTextWriter.formatValue(.nan) == "NaN")
        #expect(PrometheusTextWriter.formatValue(.infinity) == "+Inf")
        #expect(PrometheusTextWriter.formatValue(3) == "3")
        #expect(PrometheusTextWriter.formatValue(0.25) == "0.25")
    }

    private func promtoolCheck(_ file: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = ["check", "metrics"]
        process.standardInput = try FileHandle(forReadingFrom: file)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

@Suite struct ProgressRecordTests {
    @Test func roundTripsWithSnakeCaseKeys() throws {
        let directory = try TemporaryDirectory(prefix: "progress")
        let url = directory.url.appendingPathComponent("progress.json")
        let record = ProgressRecord(jobIdentifier: "j", epoch: 3, epochs: 10, phase: "warmup", step: 7,
                                    accuracy: 0.5, losses: ["kd": 2], imagesPerSecond: 100, etaSeconds: 60,
                                    lastCheckpointUnixSeconds: 12, state: .checkpointing)
        try record.write(to: url)
        #expect(try ProgressRecord.read(from: url) == record)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("\"job_id\":\"j\""))
        #expect(text.contains("\"last_checkpoint_unix_seconds\":12"))
        #expect(record.progressRatio == 0.3)
    }

    @Test func missingIsNilAndGarbageThrowsNamingFile() throws {
        let directory = try TemporaryDirectory(prefix: "progress")
        let url = directory.url.appendingPathComponent("progress.json")
        #expect(try ProgressRecord.read(from: url) == nil)
        try Data("{".utf8).write(to: url)
        let error = #expect(throws: SpoolError.self) { try ProgressRecord.read(from: url) }
        #expect("\(error!)".contains(url.path))
    }
}

@Suite struct PolicyTests {
    @Test func retryDelaysDoubleUntilTheBound() {
        let policy = RetryPolicy(maximumRetries: 3, initialDelaySeconds: 2, maximumDelaySeconds: 5)
        #expect(policy.delayAfter(crashes: 1) == 2)
        #expect(policy.delayAfter(crashes: 2) == 4)
        #expect(policy.delayAfter(crashes: 3) == 5)
        #expect(policy.delayAfter(crashes: 4) == nil)
    }

    @Test func threadBudgetSplitsBetweenConcurrentJobs() {
        let budget = ThreadBudget(totalThreads: 8, maximumJobs: 3)
        #expect(budget.threadsPerJob(concurrentJobs: 1) == 8)
        #expect(budget.threadsPerJob(concurrentJobs: 2) == 4)
        #expect(budget.threadsPerJob(concurrentJobs: 10) == 2)
        #expect(ThreadBudget(totalThreads: 2, maximumJobs: 4).threadsPerJob(concurrentJobs: 4) == 1)
    }

    @Test func decodesWaitStatus() {
        #expect(WorkerTermination(waitStatus: 3 << 8) == .exited(code: 3))
        #expect(WorkerTermination(waitStatus: 0) == .exited(code: 0))
        #expect(WorkerTermination(waitStatus: 9) == .signaled(signal: 9))
        #expect("\(WorkerTermination.signaled(signal: 9))" == "was killed by signal 9 (SIGKILL)")
    }

    @Test func statusLineIsCompact() {
        #expect(StatusLine.describe(job: "j", epoch: 3, epochs: 120, accuracy: 0.8125, etaSeconds: 3725)
                == "j epoch 3/120 acc 81.2% ETA 1h02m")
        #expect(StatusLine.duration(307) == "5m07s")
        #expect(StatusLine.duration(-1) == "?")
    }
}
