import Distill
import Foundation
import Service

/// `nayerd distill MANIFEST`: one job in the foreground, resumable through its work directory.
enum DistillCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "distill", summary: "Distill one job in the foreground, with a progress bar.",
        positionals: [.init("MANIFEST", "The job manifest (JSON; see DESIGN.md). Relative paths in it resolve against its directory.")],
        options: [
            .value("workdir", "DIR", "Checkpoints, memory bank and samples; rerun with the same DIR to resume.",
                   default: "./work/<id>"),
            .value("output", "DIR", "Where student.safetensors, report.html and history.csv go.", default: "./output/<id>"),
            .flag("json", "Print one JSON summary line at the end (final_accuracy, best_accuracy, seconds, output)."),
        ],
        discussion: "Ctrl-C or SIGTERM writes a checkpoint and exits 0; run the same command again to resume.")

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let manifest = URL(fileURLWithPath: arguments.positionals[0])
        let stop = try StopSignals.install()
        // The id is only known after parsing; parse once for it, then again inside PreparedJob.
        let identifier: String
        do {
            identifier = try JobSpec.load(contentsOf: manifest).id
        } catch {
            throw CommandFailure("\(manifest.path): \(error)")
        }
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let workDirectory = arguments.value("workdir").map { URL(fileURLWithPath: $0) }
            ?? current.appendingPathComponent("work").appendingPathComponent(identifier)
        let outputDirectory = arguments.value("output").map { URL(fileURLWithPath: $0) }
            ?? current.appendingPathComponent("output").appendingPathComponent(identifier)

        let prepared: PreparedJob
        do {
            prepared = try PreparedJob(manifest: manifest, baseDirectory: nil, workDirectory: workDirectory,
                                       defaultThreads: ProcessInfo.processInfo.activeProcessorCount)
        } catch let error as PreparedJob.InputError {
            throw CommandFailure("\(manifest.path): \(error)")
        }
        let run = prepared.makeRun(outputDirectory: outputDirectory)
        let epochs = prepared.spec.nayer.epochs
        if run.trainer.progress.done > 0 {
            console.error("resuming from \(workDirectory.path) at epoch \(min(run.trainer.state.epoch + 1, epochs))/\(epochs)")
        }
        var log = EpochLog(trainer: run.trainer)
        let bar = ProgressBar(console: console)
        let outcome = try run.run(shouldStop: { stop.isStopRequested }, report: { snapshot in
            let records = log.newRecords(of: run.trainer)
            if !records.isEmpty { console.status("") }
            for record in records { console.error(EpochLog.describe(record, epochs: epochs)) }
            bar.update(fraction: snapshot.fractionDone, text: ProgressLine.describe(snapshot), force: !records.isEmpty)
        })
        bar.finishLine()
        switch outcome {
        case .stopped:
            console.error("stopped; rerun to resume (checkpoint in \(workDirectory.path))")
        case .finished(let summary):
            if arguments.flag("json") {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                console.print(String(decoding: try encoder.encode(SummaryLine(summary: summary)), as: UTF8.self))
            } else {
                var lines = ["student: \(outputDirectory.appendingPathComponent("student.safetensors").path)",
                             "report:  \(outputDirectory.appendingPathComponent("report.html").path)"]
                if let final = summary.finalAccuracy, let best = summary.bestAccuracy {
                    lines.append(String(format: "accuracy: %.2f%% final, %.2f%% best", final * 100, best * 100))
                }
                lines.append(String(format: "agreement with the teacher: %.2f%%; %.0f s", summary.finalAgreement * 100,
                                    summary.seconds))
                console.print(lines.joined(separator: "\n"))
            }
        }
    }
}

/// JobSummary with absent numbers written as null rather than left out, so scripts
/// reading `--json` always find every key.
private struct SummaryLine: Encodable {
    let summary: JobSummary

    private enum Key: String, CodingKey {
        case finalAccuracy = "final_accuracy", bestAccuracy = "best_accuracy", teacherAccuracy = "teacher_accuracy"
        case finalAgreement = "final_agreement", agreementAccuracyCorrelation = "agreement_accuracy_correlation"
        case seconds, output
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(summary.finalAccuracy, forKey: .finalAccuracy)
        try container.encode(summary.bestAccuracy, forKey: .bestAccuracy)
        try container.encode(summary.teacherAccuracy, forKey: .teacherAccuracy)
        try container.encode(summary.finalAgreement, forKey: .finalAgreement)
        try container.encode(summary.agreementAccuracyCorrelation, forKey: .agreementAccuracyCorrelation)
        try container.encode(summary.seconds, forKey: .seconds)
        try container.encode(summary.output, forKey: .output)
    }
}
