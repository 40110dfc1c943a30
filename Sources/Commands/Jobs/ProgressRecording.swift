import Distill
import Foundation
import Service

/// Turns the trainer's snapshots into the progress records the supervisor reads,
/// written at most about once a second and at every phase or epoch change, so
/// `progress.json` stays fresh as a heartbeat without costing a write per step.
final class ProgressRecording {
    private let context: WorkerContext
    private let minimumInterval: Double
    private var lastWrite = -Double.infinity
    private var lastPhase: TrainerState.Phase?
    private var lastEpoch: Int?

    init(context: WorkerContext, minimumInterval: Double = 1) {
        self.context = context
        self.minimumInterval = minimumInterval
    }

    func record(_ snapshot: TrainingSnapshot, step: Int) throws {
        let now = DistillationRun.monotonicSeconds()
        let changed = snapshot.phase != lastPhase || snapshot.epoch != lastEpoch
        guard changed || now - lastWrite >= minimumInterval else { return }
        try write(Self.record(from: snapshot, step: step, state: snapshot.phase == .finished ? .finished : .running))
        lastWrite = now
        lastPhase = snapshot.phase
        lastEpoch = snapshot.epoch
    }

    func write(_ record: ProgressRecord) throws {
        try context.writeProgress(record)
    }

    static func record(from snapshot: TrainingSnapshot, step: Int, state: ProgressRecord.State) -> ProgressRecord {
        var losses: [String: Double] = [:]
        if let synthesis = snapshot.synthesisLosses {
            losses["bn"] = synthesis.batchNorm
            losses["oh"] = synthesis.oneHot
            losses["adv"] = synthesis.adversarial
            losses["generator"] = synthesis.total
        }
        if let distillation = snapshot.distillationLoss { losses["kd"] = distillation }
        // The record counts completed epochs; the snapshot names the epoch in progress.
        let completed = snapshot.phase == .finished ? snapshot.epochs : snapshot.epoch
        return ProgressRecord(jobIdentifier: snapshot.jobId, epoch: completed, epochs: snapshot.epochs,
                              phase: snapshot.phase.rawValue, step: step,
                              accuracy: snapshot.latestAccuracy, bestAccuracy: snapshot.bestAccuracy,
                              agreement: snapshot.latestAgreement, losses: losses.filter { $0.value.isFinite },
                              imagesPerSecond: snapshot.imagesPerSecond, etaSeconds: snapshot.etaSeconds,
                              lastCheckpointUnixSeconds: snapshot.lastCheckpointUnixSeconds, state: state)
    }
}
