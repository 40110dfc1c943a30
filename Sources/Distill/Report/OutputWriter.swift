import FileSystem
import Foundation
import NN
import SafeTensors
import Tensor

/// Writes a finished job's folder: student.safetensors (PyTorch keys), history.csv,
/// samples/*.png, report.html and manifest.json.
struct OutputWriter {
    let trainer: NayerTrainer
    let directory: URL
    let manifestData: Data

    func write() throws -> JobSummary {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let state = trainer.state
        try SafeTensorsFile(tensors: trainer.student.stateDictionary(),
                            metadata: ["format": "pt", "architecture": trainer.spec.student.architecture,
                                       "producer": "nayerd"])
            .write(to: directory.appendingPathComponent("student.safetensors"))
        try DurableFile.write(Array(HistoryTable.csv(state.history).utf8), to: directory.appendingPathComponent("history.csv").path)
        try DurableFile.write([UInt8](manifestData), to: directory.appendingPathComponent("manifest.json").path)

        let samples = directory.appendingPathComponent("samples")
        try fileManager.createDirectory(at: samples, withIntermediateDirectories: true)
        let sampleNames = ((try? fileManager.contentsOfDirectory(atPath: trainer.samplesDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".png") }.sorted()
        for name in sampleNames {
            let bytes = try DurableFile.read(trainer.samplesDirectory.appendingPathComponent(name).path)
            try DurableFile.write(bytes, to: samples.appendingPathComponent(name).path)
        }

        let accuracies = state.history.compactMap(\.testAccuracy)
        let pairs = state.history.compactMap { record in record.testAccuracy.map { (record.agreement, $0) } }
        let summary = JobSummary(finalAccuracy: state.history.last?.testAccuracy, bestAccuracy: accuracies.max(),
                                 teacherAccuracy: state.teacherAccuracy, finalAgreement: state.history.last?.agreement ?? 0,
                                 agreementAccuracyCorrelation: pearsonCorrelation(pairs), seconds: state.elapsedSeconds,
                                 output: directory.path)
        let html = ReportPage(spec: trainer.spec, history: state.history, summary: summary, samples: sampleNames,
                              manifest: String(decoding: manifestData, as: UTF8.self)).html()
        try DurableFile.write(Array(html.utf8), to: directory.appendingPathComponent("report.html").path)
        return summary
    }
}

/// history.csv: one row per epoch; empty cells where a value does not apply (no KD
/// during warm-up, no accuracy without a test set).
enum HistoryTable {
    static let header = "epoch,bn_loss,oh_loss,adv_loss,kd_loss,learning_rate,agreement,agreement_kl,test_accuracy,bank_size,seconds"

    static func csv(_ history: [EpochRecord]) -> String {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.6g", $0) } ?? "" }
        let rows = history.map { record in
            [String(record.epoch), cell(record.batchNormLoss), cell(record.oneHotLoss), cell(record.adversarialLoss),
             cell(record.distillationLoss), cell(record.learningRate), cell(record.agreement), cell(record.agreementKL),
             cell(record.testAccuracy), String(record.bankSize), String(format: "%.1f", record.seconds)].joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }
}
