import Distill
import Service

/// The one-line progress bar `nayerd distill` shows on a terminal.
enum ProgressLine {
    static func describe(_ snapshot: TrainingSnapshot, width: Int = 24) -> String {
        let fraction = min(1, max(0, snapshot.fractionDone))
        let filled = Int((fraction * Double(width)).rounded(.down))
        var parts = ["[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]",
                     String(format: "%3.0f%%", fraction * 100),
                     "epoch \(min(snapshot.epoch + 1, snapshot.epochs))/\(snapshot.epochs)",
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
