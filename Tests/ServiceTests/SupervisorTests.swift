import Foundation
import Testing
@testable import Service
import TestSupport

/// Writes a progress record the way a real worker does (temp name, then rename).
private let writeProgress = """
    printf '{"job_id":"%s","epoch":1,"epochs":4,"phase":"kd","step":2,"accuracy":0.5,"losses":{"kd":1.5},"images_per_second":10,"eta_seconds":30,"state":"running"}' "$NAYER_JOB_ID" > "$dir/.progress.json.tmp"
    mv "$dir/.progress.json.tmp" "$dir/progress.json"
    """

/// A worker that runs until SIGTERM, then exits as "interrupted".
private func runUntilTerminated(writingProgress: Bool) -> String {
    "trap 'exit 4' TERM\n" + (writingProgress ? writeProgress + "\n" : "") + "while :; do sleep 0.05; done"
}

@Suite struct SupervisorTests {
    @Test func successfulJobIsPublishedToOutput() throws {
        let spool = try SpoolFixture()
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: """
            \(writeProgress)
            mkdir -p "$dir/output"
            echo "threads=$NAYER_THREADS job=$NAYER_JOB_ID" > "$dir/output/student.txt"
            exit 0
            """)
        let harness = try SupervisorHarness(spool: spool, configuration: SupervisorHarness.configuration(for: spool),
                                            worker: worker)
        try spool.drop(name: "ok.json", json: #"{"id": "ok"}"#)
        let result = spool.output.appendingPathComponent("ok/student.txt")
        #expect(eventually { spool.exists(result) })
        #expect(spool.text(result) == "threads=2 job=ok\n")
        #expect(spool.text(spool.output.appendingPathComponent("ok/manifest.json")) == #"{"id": "ok"}"#)
        #expect(eventually { !spool.exists(spool.layout.active.appendingPathComponent("ok")) })
        let metrics = spool.temporary.url.appendingPathComponent("nayerd.prom")
        #expect(eventually { spool.text(metrics)?.contains("nayer_jobs_completed_total 1\n") == true })
        #expect(harness.stopAndWait())
        #expect(harness.runError == nil)
        #expect(harness.notifier.messages.first == .ready)
        #expect(harness.notifier.messages.contains(.stopping))
        #expect(harness.logged("finished; results in"))
    }

    @Test func permanentFailureMovesJobToFailedWithWorkerReason() throws {
        let spool = try SpoolFixture()
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: """
            echo "teacher weights missing" > "$dir/error.txt"
            exit 3
            """)
        let harness = try SupervisorHarness(spool: spool, configuration: SupervisorHarness.configuration(for: spool),
                                            worker: worker)
        try spool.drop(name: "bad.json", json: "{}")
        let errorFile = spool.layout.failed.appendingPathComponent("bad/error.txt")
        #expect(eventually { spool.exists(errorFile) })
        #expect(spool.text(errorFile) == "teacher weights missing\n")
        #expect(spool.exists(spool.layout.failed.appendingPathComponent("bad/manifest.json")))
        let metrics = spool.temporary.url.appendingPathComponent("nayerd.prom")
        #expect(eventually { spool.text(metrics)?.contains("nayer_jobs_failed_total 1\n") == true })
        #expect(harness.stopAndWait())
    }

    @Test func crashingWorkerIsRetriedThenFailed() throws {
        let spool = try SpoolFixture()
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: """
            echo attempt >> "$dir/attempts"
            kill -9 $$
            """)
        let harness = try SupervisorHarness(spool: spool,
                                            configuration: SupervisorHarness.configuration(for: spool, maximumRetries: 2),
                                            worker: worker)
        try spool.drop(name: "crashy.json", json: "{}")
        let failed = spool.layout.failed.appendingPathComponent("crashy")
        #expect(eventually { spool.exists(failed.appendingPathComponent("error.txt")) })
        #expect(spool.text(failed.appendingPathComponent("attempts")) == "attempt\nattempt\nattempt\n",
                "one first attempt plus two retries")
        let reason = spool.text(failed.appendingPathComponent("error.txt")) ?? ""
        #expect(reason.contains("was killed by signal 9 (SIGKILL); gave up after 3 crash(es)"), "\(reason)")
        #expect(harness.logged("retry 1 of 2"))
        #expect(harness.stopAndWait())
    }

    @Test func workerThatCrashesTwiceResumesAndSucceeds() throws {
        let spool = try SpoolFixture()
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: """
            echo attempt >> "$dir/attempts"
            if [ "$(wc -l < "$dir/attempts")" -le 2 ]; then exit 1; fi
            mkdir -p "$dir/output"
            cp "$dir/attempts" "$dir/output/attempts"
            """)
        let harness = try SupervisorHarness(spool: spool, configuration: SupervisorHarness.configuration(for: spool),
                                            worker: worker)
        try spool.drop(name: "flaky.json", json: "{}")
        let attempts = spool.output.appendingPathComponent("flaky/attempts")
        #expect(eventually { spool.exists(attempts) })
        #expect(spool.text(attempts) == "attempt\nattempt\nattempt\n")
        #expect(harness.logged("exited with status 1"))
        #expect(harness.stopAndWait())
    }

    @Test func cancelStopsRunningWorkerAndFailsJob() throws {
        let spool = try SpoolFixture()
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: runUntilTerminated(writingProgress: true))
        let harness = try SupervisorHarness(spool: spool, configuration: SupervisorHarness.configuration(for: spool),
                                            worker: worker)
        try spool.drop(name: "long.json", json: "{}")
        let job = spool.layout.activeJob(try JobIdentifier(validating: "long"))
        #expect(eventually { spool.exists(job.progress) })
        let outcome = try SpoolClient(layout: spool.layout).cancel(try JobIdentifier(validating: "long"))
        #expect(outcome == .requestedFromDaemon)
        let errorFile = spool.layout.failed.appendingPathComponent("long/error.txt")
        #expect(eventually { spool.exists(errorFile) })
        #expect(spool.text(errorFile) == "cancelled\n")
        #expect(!spool.exists(spool.layout.failed.appendingPathComponent("long/cancel-requested")))
        #expect(harness.stopAndWait())
    }

    @Test func stopAsksWorkersToCheckpointAndJobResumesAtNextStart() throws {
        let spool = try SpoolFixture()
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: """
            echo attempt >> "$dir/attempts"
            if [ "$(wc -l < "$dir/attempts")" -ge 2 ]; then mkdir -p "$dir/output"; exit 0; fi
            trap 'echo checkpoint > "$dir/checkpointed"; exit 4' TERM
            \(writeProgress)
            while :; do sleep 0.05; done
            """)
        let configuration = SupervisorHarness.configuration(for: spool)
        let first = try SupervisorHarness(spool: spool, configuration: configuration, worker: worker)
        try spool.drop(name: "resumable.json", json: "{}")
        let job = spool.layout.activeJob(try JobIdentifier(validating: "resumable"))
        #expect(eventually {
            first.notifier.messages.contains { if case .status(let line) = $0 { line.contains("resumable epoch 1/4") } else { false } }
        })
        #expect(first.stopAndWait())
        #expect(spool.text(job.url.appendingPathComponent("checkpointed")) == "checkpoint\n")
        #expect(spool.exists(job.manifest), "a stopped job stays in active/")
        let messages = first.notifier.messages
        #expect(messages.contains(.stopping))
        #expect(messages.contains(.extendTimeout(microseconds: 5_000_000)))

        let second = try SupervisorHarness(spool: spool, configuration: configuration, worker: worker)
        #expect(eventually { spool.exists(spool.output.appendingPathComponent("resumable")) })
        #expect(second.logged("resuming job from its last checkpoint"))
        #expect(second.stopAndWait())
    }

    @Test func watchdogIsWithheldWhileAWorkerMakesNoProgress() throws {
        let spool = try SpoolFixture()
        let worker = try SupervisorHarness.makeWorker(in: spool.temporary.url, script: runUntilTerminated(writingProgress: false))
        let configuration = SupervisorHarness.configuration(for: spool, watchdogIntervalSeconds: 0.05,
                                                            stallTimeoutSeconds: 0.3)
        let harness = try SupervisorHarness(spool: spool, configuration: configuration, worker: worker)
        #expect(eventually { harness.notifier.messages.contains(.watchdog) }, "pings while idle")
        try spool.drop(name: "stuck.json", json: "{}")
        #expect(eventually { harness.logged("withholding the watchdog ping") })
        let pings = harness.notifier.messages.filter { $0 == .watchdog }.count
        usleep(300_000)
        #expect(harness.notifier.messages.filter { $0 == .watchdog }.count == pings)
        #expect(harness.stopAndWait())
    }
}
