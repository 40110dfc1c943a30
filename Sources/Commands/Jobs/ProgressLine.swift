import Distill
import Service

/// The text beside the progress bar of `nayerd distill`: where the job is and how it goes.
enum ProgressLine {
    static func describe(_ snapshot: TrainingSnapshot) -> String {
        var parts = ["epoch \(min(snapshot.epoch + 1, snapshot.epochs))/\(snapshot.epochs)",
                     snapshot.phase.rawValue]
        if snapshot.phase == .distillation, let loss = snapshot.distillationLoss {
            parts.append(String(format: "kd %.4g", loss))
        } else if let losses = snapshot.synthesisLosses {
            parts.append(String(format: "bn %.3g oh %.3g adv %.3g", losses.batchNorm, losses.oneHot, losses.adversarial))
        }
        if let accuracy = snapshot.latestAccuracy { parts.append(String(format: "acc %.1f%%", accuracy * 100)) }
        if let agreement = snapshot.latestAgreement { parts.append(String(format: "agree %.1f%%", agreement * 100)) }
        if let eta = snapshot.etaSeconds { parts.append("ETA \(StatusLine.duration(eta))") }
        return parts.joined(separator: " ")
    }
}
