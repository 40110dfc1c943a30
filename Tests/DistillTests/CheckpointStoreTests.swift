import Distill
import Foundation
import Tensor
import Testing
import TestSupport

private struct ToyState: Codable, Equatable {
    var epoch: Int
    var phase: String
    var random: RandomGenerator
}

@Suite struct CheckpointStoreTests {
    @Test func saveThenLoadRoundTripsStateAndTensors() throws {
        let store = CheckpointStore(directory: try Fixtures.temporaryDirectory("ckpt"))
        #expect(try store.load(ToyState.self, configurationHash: "abc") == nil)
        let state = ToyState(epoch: 3, phase: "kd", random: RandomGenerator(seed: 9))
        try store.save(state: state, tensors: ["student.fc.weight": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])],
                       configurationHash: "abc")
        let loaded = try #require(try store.load(ToyState.self, configurationHash: "abc"))
        #expect(loaded.state == state)
        #expect(loaded.tensors["student.fc.weight"]?.scalars == [1, 2, 3, 4])
    }

    @Test func onlyTheNewestCheckpointRemainsAfterASave() throws {
        let directory = try Fixtures.temporaryDirectory("ckpt-rotate")
        let store = CheckpointStore(directory: directory)
        for epoch in 0..<3 {
            try store.save(state: ToyState(epoch: epoch, phase: "s", random: RandomGenerator(seed: 1)),
                           tensors: [:], configurationHash: "h")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["CURRENT", "checkpoint-2"])
        #expect(try store.load(ToyState.self, configurationHash: "h")?.state.epoch == 2)
    }

    @Test func anUnfinishedNewerSaveIsIgnoredAndRemoved() throws {
        let directory = try Fixtures.temporaryDirectory("ckpt-crash")
        let store = CheckpointStore(directory: directory)
        try store.save(state: ToyState(epoch: 1, phase: "s", random: RandomGenerator(seed: 1)), tensors: [:], configurationHash: "h")
        // A crash mid-save leaves checkpoint-1 without CURRENT pointing at it.
        let debris = directory.appendingPathComponent("checkpoint-1")
        try FileManager.default.createDirectory(at: debris, withIntermediateDirectories: true)
        try Data("{\"trunc".utf8).write(to: debris.appendingPathComponent("state.json"))
        #expect(try store.load(ToyState.self, configurationHash: "h")?.state.epoch == 1)
        #expect(!FileManager.default.fileExists(atPath: debris.path))
        try store.save(state: ToyState(epoch: 2, phase: "s", random: RandomGenerator(seed: 1)), tensors: [:], configurationHash: "h")
        #expect(try store.load(ToyState.self, configurationHash: "h")?.state.epoch == 2)
    }

    @Test func aCheckpointOfAnotherConfigurationIsRefused() throws {
        let store = CheckpointStore(directory: try Fixtures.temporaryDirectory("ckpt-config"))
        try store.save(state: ToyState(epoch: 1, phase: "s", random: RandomGenerator(seed: 1)), tensors: [:], configurationHash: "one")
        #expect { try store.load(ToyState.self, configurationHash: "two") } throws: {
            "\($0)".contains("different manifest")
        }
    }

    @Test func corruptPointerOrStateGivesAClearError() throws {
        let directory = try Fixtures.temporaryDirectory("ckpt-corrupt")
        let store = CheckpointStore(directory: directory)
        try Data("garbage".utf8).write(to: directory.appendingPathComponent("CURRENT"))
        #expect { try store.load(ToyState.self, configurationHash: "h") } throws: { "\($0)".contains("does not name a checkpoint") }
        // Saving over a corrupt pointer is refused too, rather than silently starting over.
        #expect(throws: CheckpointError.self) {
            try store.save(state: ToyState(epoch: 1, phase: "s", random: RandomGenerator(seed: 1)), tensors: [:], configurationHash: "h")
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("CURRENT"))
        try store.save(state: ToyState(epoch: 1, phase: "s", random: RandomGenerator(seed: 1)), tensors: [:], configurationHash: "h")
        let statePath = directory.appendingPathComponent("checkpoint-0/state.json")
        try Data("{\"magic\": \"other\", \"version\": 1, \"configurationHash\": \"h\", \"sequence\": 0}".utf8).write(to: statePath)
        #expect { try store.load(ToyState.self, configurationHash: "h") } throws: { "\($0)".contains("not a nayerd checkpoint") }
    }

    @Test func fingerprintIsStableAndSensitive() {
        #expect(fingerprint("abc") == fingerprint("abc"))
        #expect(fingerprint("abc") != fingerprint("abd"))
        #expect(fingerprint("") == "cbf29ce484222325")
    }
}
