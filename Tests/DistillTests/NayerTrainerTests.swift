import Autograd
import Distill
import Foundation
import Models
import NN
import SafeTensors
import Tensor
import Testing
import TestSupport

/// A job small enough to run many times in a test: a random resnet8 teacher on 8x8
/// images with 3 classes, tiny generator, a few steps of everything.
struct TinyJob {
    let directory: URL
    let manifest: Data

    init(label: String, nayer: String = "", kd: String = "") throws {
        // The teacher and label embeddings TestSupport builds for every tiny job.
        let files = try TinyJobFiles(label: label)
        directory = files.directory
        let text = """
        {"id": "tiny", "teacher": {"arch": "resnet8", "weights": "teacher.safetensors", "input": [3, 8, 8]},
         "student": {"arch": "resnet8"}, "labels": ["a", "b", "c"],
         "label_embedding": {"file": "lte.safetensors"},
         "nayer": {"epochs": 4, "warmup": 1, "g_steps": 3, "g_loops": 2, "gwp_loops": 2, "g_life": 2,
                   "synthesis_batch_size": 7, "le_emb_size": 6, "ngf": 4, "bank_capacity": 20,
                   "agreement_batch_size": 9 \(nayer)},
         "kd": {"batch_size": 5, "kd_steps": 3 \(kd)}, "seed": 3}
        """
        manifest = Data(text.utf8)
        try manifest.write(to: directory.appendingPathComponent("tiny.json"))
    }

    var spec: JobSpec {
        get throws { try JobSpec.load(contentsOf: directory.appendingPathComponent("tiny.json")) }
    }

    func trainer(workDirectory: String = "work") throws -> NayerTrainer {
        let spec = try spec
        let resources = try JobResources.load(spec: spec) { _ in throw ManifestError("no encoder in this test") }
        return try NayerTrainer(spec: spec, resources: resources, workDirectory: directory.appendingPathComponent(workDirectory))
    }
}

private func finish(_ trainer: NayerTrainer) throws {
    while !trainer.isFinished { try trainer.advance() }
}

/// The raw uint8 images of a memory bank that was never compacted (one generation file).
private func bankBytes(_ directory: URL) throws -> [UInt8] {
    let file = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".u8") })
    return [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
}

@Suite struct NayerTrainerTests {
    @Test func tinyJobRunsThroughEveryPhase() throws {
        let job = try TinyJob(label: "trainer-run")
        let trainer = try job.trainer()
        var phases = Set<TrainerState.Phase>()
        while !trainer.isFinished {
            phases.insert(trainer.state.phase)
            try trainer.advance()
        }
        #expect(phases == [.synthesis, .distillation, .evaluation])
        #expect(trainer.state.history.map(\.epoch) == [0, 1, 2, 3])
        // Two loops per epoch, each adding its best batch of 7, capped at 20.
        #expect(trainer.state.history.map(\.bankSize) == [14, 20, 20, 20])
        #expect(trainer.state.history[0].distillationLoss == nil)
        #expect(trainer.state.history[1].distillationLoss != nil)
        #expect(trainer.state.history.allSatisfy { (0...1).contains($0.agreement) })
        #expect(trainer.progress.done == trainer.progress.total)
        let losses = try #require(trainer.latestSynthesisLosses)
        #expect(losses.batchNorm > 0 && losses.oneHot > 0 && losses.total.isFinite)
    }

    @Test func sameSeedGivesABitIdenticalStudent() throws {
        let job = try TinyJob(label: "trainer-determinism")
        let first = try job.trainer(workDirectory: "a")
        let second = try job.trainer(workDirectory: "b")
        try finish(first)
        try finish(second)
        let a = first.student.stateDictionary(), b = second.student.stateDictionary()
        #expect(a.keys.sorted() == b.keys.sorted())
        for key in a.keys { #expect(a[key]!.scalars == b[key]!.scalars, "\(key)") }
    }

    /// Stopping after `units` steps, checkpointing, and resuming in a new trainer must
    /// give the same final student as never stopping: mid-loop in warm-up, during KD,
    /// right before an evaluation, and in a later epoch's synthesis.
    @Test(arguments: [2, 9, 16, 17, 23])
    func resumeFromACheckpointIsExact(units: Int) throws {
        let job = try TinyJob(label: "trainer-resume-\(units)")
        let reference = try job.trainer(workDirectory: "reference")
        try finish(reference)

        let interrupted = try job.trainer(workDirectory: "interrupted")
        for _ in 0..<units { try interrupted.advance() }
        try interrupted.saveCheckpoint()
        let savedProgress = interrupted.progress.done
        // A few more steps that the crash loses.
        for _ in 0..<3 where !interrupted.isFinished { try interrupted.advance() }
        let resumed = try job.trainer(workDirectory: "interrupted")
        #expect(resumed.progress.done == savedProgress)
        try finish(resumed)

        let expected = reference.student.stateDictionary(), actual = resumed.student.stateDictionary()
        for key in expected.keys { #expect(actual[key]!.scalars == expected[key]!.scalars, "\(key) after resuming at \(units)") }
        #expect(resumed.state.history.map(\.agreement) == reference.state.history.map(\.agreement))
    }

    /// A grey job stores grey pictures (three equal channel planes in every bank image)
    /// and resumes exactly like a colour one.
    @Test func grayscaleJobStoresGreyPicturesAndResumesExactly() throws {
        let job = try TinyJob(label: "trainer-grey", nayer: #", "grayscale": true"#)
        let reference = try job.trainer(workDirectory: "reference")
        try finish(reference)
        let interrupted = try job.trainer(workDirectory: "interrupted")
        for _ in 0..<9 { try interrupted.advance() }
        try interrupted.saveCheckpoint()
        let resumed = try job.trainer(workDirectory: "interrupted")
        try finish(resumed)
        let expected = reference.student.stateDictionary(), actual = resumed.student.stateDictionary()
        for key in expected.keys { #expect(actual[key]!.scalars == expected[key]!.scalars, "\(key) after resuming") }

        let bytes = try bankBytes(job.directory.appendingPathComponent("reference/bank"))
        let plane = 8 * 8
        #expect(!bytes.isEmpty && bytes.count % (3 * plane) == 0)
        for start in stride(from: 0, to: bytes.count, by: 3 * plane) {
            let red = bytes[start..<start + plane], green = bytes[start + plane..<start + 2 * plane]
            let blue = bytes[start + 2 * plane..<start + 3 * plane]
            #expect(red.elementsEqual(green) && red.elementsEqual(blue), "bank image at byte \(start)")
        }
        // The same job in colour makes colour pictures, so the check above can fail.
        let colour = try TinyJob(label: "trainer-colour")
        try finish(try colour.trainer())
        let colourBytes = try bankBytes(colour.directory.appendingPathComponent("work/bank"))
        #expect(!colourBytes[0..<plane].elementsEqual(colourBytes[plane..<2 * plane]))
    }

    @Test func changedManifestRefusesTheOldCheckpoint() throws {
        let job = try TinyJob(label: "trainer-config")
        let trainer = try job.trainer()
        try trainer.advance()
        try trainer.saveCheckpoint()
        let changed = try TinyJob(label: "trainer-config-changed", nayer: #", "oh": 0.7"#)
        try FileManager.default.copyItem(at: job.directory.appendingPathComponent("work"),
                                         to: changed.directory.appendingPathComponent("work"))
        #expect { try changed.trainer() } throws: { "\($0)".contains("different manifest") }
    }

    @Test func ablationInputsRun() throws {
        for input in ["onehot", "noise"] {
            let job = try TinyJob(label: "trainer-\(input)", nayer: #", "generator_input": "\#(input)", "noisy_layer": false"#)
            let trainer = try job.trainer()
            try finish(trainer)
            #expect(trainer.state.history.count == 4, "\(input)")
        }
    }

    @Test func synthesisLabelsFollowTheReference() {
        var random = RandomGenerator(seed: 1)
        let labels = synthesisLabels(count: 8, classCount: 3, random: &random)
        #expect(Array(labels.prefix(6)) == [0, 1, 2, 0, 1, 2])
        #expect(labels.count == 8 && labels.suffix(2).allSatisfy { (0..<3).contains($0) })
    }

    @Test func runWritesTheOutputFolder() throws {
        let job = try TinyJob(label: "trainer-output")
        let output = job.directory.appendingPathComponent("out")
        let run = DistillationRun(trainer: try job.trainer(), outputDirectory: output, manifestData: job.manifest,
                                  releasesMemoryBetweenPhases: false)
        var snapshots = 0
        let outcome = try run.run(shouldStop: { false }, report: { _ in snapshots += 1 })
        guard case .finished(let summary) = outcome else { Issue.record("run did not finish"); return }
        #expect(snapshots > 20)
        #expect(summary.output == output.path)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: output.path))
        #expect(names.isSuperset(of: ["student.safetensors", "history.csv", "report.html", "manifest.json", "samples"]))
        let student = try SafeTensorsFile.read(contentsOf: output.appendingPathComponent("student.safetensors"))
        #expect(student.tensors["fc.weight"]?.shape == [3, 64])
        let history = try String(contentsOf: output.appendingPathComponent("history.csv"), encoding: .utf8)
        #expect(history.split(separator: "\n").count == 5)
        let samples = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("samples").path)
        #expect(samples.sorted() == ["epoch-000.png", "epoch-001.png", "epoch-003.png"] || samples.count >= 2)
        let report = try String(contentsOf: output.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("<svg") && report.contains("samples/epoch-000.png"))
    }

    @Test func stopRequestCheckpointsAndReturns() throws {
        let job = try TinyJob(label: "trainer-stop")
        let output = job.directory.appendingPathComponent("out")
        var steps = 0
        let trainer = try job.trainer()
        let outcome = try DistillationRun(trainer: trainer, outputDirectory: output, manifestData: job.manifest,
                                          releasesMemoryBetweenPhases: false)
            .run(shouldStop: { steps += 1; return steps == 5 }, report: { _ in })
        #expect(outcome == .stopped)
        #expect(trainer.progress.done == 5)
        #expect(try job.trainer().progress.done == 5)
    }
}
