import Distill
import FileSystem
import Foundation
import Service

/// `nayerd worker JOBDIR`: runs one spool job; started by `serve`, one process per job.
/// Exit codes are the `WorkerExit` contract with the supervisor.
enum WorkerCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "worker", summary: "Run one job of a spool (internal: started by 'nayerd serve').",
        positionals: [.init("JOBDIR", "The job's directory under <spool>/active/.")],
        discussion: """
        Exit status: 0 finished (results in JOBDIR/output), 3 the job cannot succeed
        (reason in JOBDIR/error.txt), 4 stopped by SIGTERM after a checkpoint; anything
        else is a crash that the supervisor retries from the last checkpoint.
        """)

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let context = try WorkerContext(jobDirectory: URL(fileURLWithPath: arguments.positionals[0]))
        let logger = StandardLogger.make()
        let stop = try StopSignals.install()
        WorkerGuards.stopWhenOrphaned(stop)
        let job = context.directory.url.lastPathComponent
        guard let lock = try WorkerGuards.lockJob(context.directory, stop: stop, logger: logger, job: job) else {
            throw ExitStatus(WorkerExit.interrupted.rawValue)
        }
        try withExtendedLifetime(lock) {
            try work(context: context, stop: stop, logger: logger, job: job)
        }
    }

    private static func work(context: WorkerContext, stop: StopHandle, logger: any Logger, job: String) throws {
        try context.writeProgress(ProgressRecord(jobIdentifier: job, epoch: 0, epochs: 0, phase: "loading",
                                                 step: 0, state: .starting))
        let prepared: PreparedJob
        do {
            prepared = try PreparedJob(manifest: context.directory.manifest, baseDirectory: context.directory.url,
                                       workDirectory: context.directory.url, defaultThreads: context.threads)
        } catch let error as PreparedJob.InputError {
            try context.recordPermanentFailure("\(error)")
            logger.error("cannot run: \(error)", job: job)
            throw ExitStatus(WorkerExit.permanentFailure.rawValue)
        }
        // Output is only written at the very end; anything here is debris of a run
        // killed while writing it, and would otherwise be published with the results.
        try FileOperations.removeTree(context.directory.output.path)
        let run = prepared.makeRun(outputDirectory: context.directory.output)
        let progress = ProgressRecording(context: context)
        var epochs = EpochLog(trainer: run.trainer)
        let total = prepared.spec.nayer.epochs
        let start = run.trainer.progress.done > 0 ? "resuming at epoch \(run.trainer.state.epoch + 1)/\(total)" : "starting"
        logger.info("running with \(prepared.spec.threads > 0 ? prepared.spec.threads : context.threads) thread(s), \(start)", job: job)

        let outcome = try run.run(shouldStop: { stop.isStopRequested }, report: { snapshot in
            for record in epochs.newRecords(of: run.trainer) {
                logger.info(EpochLog.describe(record, epochs: total), job: job, epoch: record.epoch + 1)
            }
            // A failed progress write must not kill hours of training; the supervisor
            // notices a stale record through the watchdog instead.
            do {
                try progress.record(snapshot, step: run.trainer.state.step)
            } catch {
                logger.warning("cannot write progress: \(error)", job: job)
            }
        })
        switch outcome {
        case .finished(let summary):
            try progress.write(ProgressRecording.record(from: run.snapshot(), step: 0, state: .finished))
            logger.notice("finished in \(Int(summary.seconds)) s" + (summary.finalAccuracy.map {
                String(format: ", accuracy %.2f%%", $0 * 100) } ?? ""), job: job)
        case .stopped:
            try progress.write(ProgressRecording.record(from: run.snapshot(), step: run.trainer.state.step, state: .stopping))
            logger.info("stopped after a checkpoint; the job resumes at the next start", job: job)
            throw ExitStatus(WorkerExit.interrupted.rawValue)
        }
    }
}
