import Foundation
import Tensor

/// A snapshot for progress bars, sd_notify STATUS lines and metrics.
public struct TrainingSnapshot: Sendable {
    public var jobId: String
    public var epoch: Int
    public var epochs: Int
    public var phase: TrainerState.Phase
    public var fractionDone: Double
    public var elapsedSeconds: Double
    public var etaSeconds: Double?
    public var imagesPerSecond: Double
    public var synthesisLosses: SynthesisLosses?
    public var distillationLoss: Double?
    public var latestAccuracy: Double?
    public var bestAccuracy: Double?
    public var latestAgreement: Double?
    public var lastCheckpointUnixSeconds: Double?
}

/// Runs a trainer to the end or until asked to stop, checkpointing every
/// `checkpoint.every_seconds` and on stop, then writes the output folder.
public final class DistillationRun {
    public enum Outcome: Equatable {
        case finished(JobSummary)
        /// Stopped on request after a durable checkpoint; rerun to resume.
        case stopped
    }

    public let trainer: NayerTrainer
    public let outputDirectory: URL
    private let manifestData: Data
    private var lastCheckpoint: Double?
    private let monotonicNow: () -> Double
    private let releasesMemoryBetweenPhases: Bool

    /// `releasesMemoryBetweenPhases` returns the buffer pool's idle buffers to the kernel
    /// whenever the phase changes, which keeps a job's resident set near the peak of
    /// one phase. It is process-wide, so in-process tests that watch the pool turn it off.
    public init(trainer: NayerTrainer, outputDirectory: URL, manifestData: Data,
                monotonicNow: @escaping () -> Double = DistillationRun.monotonicSeconds,
                releasesMemoryBetweenPhases: Bool = true) {
        self.trainer = trainer
        self.releasesMemoryBetweenPhases = releasesMemoryBetweenPhases
        self.outputDirectory = outputDirectory
        self.manifestData = manifestData
        self.monotonicNow = monotonicNow
    }

    public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// `shouldStop` is polled between steps (a SIGTERM handler sets it); `report` gets a
    /// snapshot after every step.
    public func run(shouldStop: () -> Bool, report: (TrainingSnapshot) -> Void) throws -> Outcome {
        var lastSave = monotonicNow()
        let interval = Double(trainer.spec.checkpointIntervalSeconds)
        while !trainer.isFinished {
            let start = monotonicNow()
            let phase = trainer.state.phase
            try trainer.advance()
            if releasesMemoryBetweenPhases && trainer.state.phase != phase { TensorStorage.releaseCachedBuffers() }
            let now = monotonicNow()
            trainer.state.elapsedSeconds += now - start
            if shouldStop() {
                try checkpoint()
                report(snapshot())
                return .stopped
            }
            if now - lastSave >= interval {
                try checkpoint()
                lastSave = monotonicNow()
            }
            report(snapshot())
        }
        try checkpoint()
        let summary = try OutputWriter(trainer: trainer, directory: outputDirectory, manifestData: manifestData).write()
        return .finished(summary)
    }

    private func checkpoint() throws {
        try trainer.saveCheckpoint()
        lastCheckpoint = Date().timeIntervalSince1970
    }

    public func snapshot() -> TrainingSnapshot {
        let state = trainer.state
        let (done, total) = trainer.progress
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let eta = fraction > 0.001 && state.elapsedSeconds > 1 ? state.elapsedSeconds * (1 - fraction) / fraction : nil
        let accuracies = state.history.compactMap(\.testAccuracy)
        return TrainingSnapshot(
            jobId: trainer.spec.id, epoch: min(state.epoch, trainer.spec.nayer.epochs - 1), epochs: trainer.spec.nayer.epochs,
            phase: state.phase, fractionDone: fraction, elapsedSeconds: state.elapsedSeconds, etaSeconds: eta,
            imagesPerSecond: state.elapsedSeconds > 0 ? Double(state.synthesizedImages) / state.elapsedSeconds : 0,
            synthesisLosses: trainer.latestSynthesisLosses, distillationLoss: trainer.latestDistillationLoss,
            latestAccuracy: accuracies.last, bestAccuracy: accuracies.max(),
            latestAgreement: state.history.last?.agreement, lastCheckpointUnixSeconds: lastCheckpoint)
    }
}
