import Distill
import FileSystem
import Foundation
import Tensor

/// A job ready to run: its validated spec, its resources loaded and checked, and a
/// trainer that has resumed from the work directory's checkpoint if there is one.
/// Shared by `nayerd worker` and `nayerd distill`.
struct PreparedJob {
    /// The job cannot run as described (bad manifest, teacher that does not load,
    /// checkpoint of another manifest): retrying cannot help.
    struct InputError: Error, CustomStringConvertible {
        let underlying: any Error
        var description: String { "\(underlying)" }
    }

    let spec: JobSpec
    let manifestData: Data
    let trainer: NayerTrainer

    /// `baseDirectory` resolves relative paths in the manifest (nil: its own directory);
    /// `defaultThreads` applies when the manifest sets no `threads`.
    init(manifest: URL, baseDirectory: URL?, workDirectory: URL, defaultThreads: Int) throws {
        let spec: JobSpec
        let resources: JobResources
        do {
            manifestData = Data(try DurableFile.read(manifest.path))
            spec = try JobSpec.load(contentsOf: manifest, baseDirectory: baseDirectory)
            Parallel.threadCount = spec.threads > 0 ? spec.threads : max(1, defaultThreads)
            resources = try JobResources.load(spec: spec, workDirectory: workDirectory)
        } catch {
            throw InputError(underlying: error)
        }
        self.spec = spec
        do {
            trainer = try NayerTrainer(spec: spec, resources: resources, workDirectory: workDirectory)
        } catch let error as CheckpointError {
            throw InputError(underlying: error)
        }
    }

    func makeRun(outputDirectory: URL) -> DistillationRun {
        DistillationRun(trainer: trainer, outputDirectory: outputDirectory, manifestData: manifestData)
    }
}

/// One line per finished epoch, for the journal and for `distill` without a terminal.
struct EpochLog {
    private var reported: Int

    init(trainer: NayerTrainer) {
        reported = trainer.state.history.count
    }

    /// Epoch records added since the last call.
    mutating func newRecords(of trainer: NayerTrainer) -> [EpochRecord] {
        let history = trainer.state.history
        defer { reported = history.count }
        return reported < history.count ? Array(history[reported...]) : []
    }

    static func describe(_ record: EpochRecord, epochs: Int) -> String {
        var parts = ["epoch \(record.epoch + 1)/\(epochs)"]
        if let accuracy = record.testAccuracy { parts.append(String(format: "accuracy %.2f%%", accuracy * 100)) }
        parts.append(String(format: "agreement %.2f%%", record.agreement * 100))
        if let loss = record.distillationLoss { parts.append(String(format: "kd %.4g", loss)) }
        if let loss = record.batchNormLoss { parts.append(String(format: "bn %.4g", loss)) }
        if let loss = record.oneHotLoss { parts.append(String(format: "oh %.4g", loss)) }
        if let loss = record.adversarialLoss { parts.append(String(format: "adv %.4g", loss)) }
        parts.append("bank \(record.bankSize)")
        parts.append(String(format: "%.1f s", record.seconds))
        return parts.joined(separator: ", ")
    }
}
