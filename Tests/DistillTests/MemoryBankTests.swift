import Distill
import FileSystem
import Foundation
import Tensor
import Testing
import TestSupport

private let shape = [1, 2, 2]

/// A batch whose image i has every pixel equal to (base + i) / 255, so each image is
/// recognisable after 8-bit quantisation.
private func batch(_ count: Int, base: Int) -> Tensor {
    Tensor(shape: [count] + shape, scalars: (0..<count).flatMap { i in
        Array(repeating: Float(base + i) / 255, count: 4)
    })
}

private func identities(_ bank: MemoryBank) throws -> [Int] {
    let images = try bank.images(at: Array(0..<bank.count))
    return (0..<bank.count).map { Int((images.scalars[$0 * 4] * 255).rounded()) }
}

@Suite struct MemoryBankTests {
    @Test func appendQuantisesToEightBitsAndReadsBack() throws {
        let directory = try Fixtures.temporaryDirectory("bank")
        let bank = try MemoryBank(directory: directory, imageShape: shape, capacity: 10, eviction: .oldest)
        var random = RandomGenerator(seed: 1)
        let images = Tensor(shape: [1] + shape, scalars: [0, 0.5, 1.2, -3])
        try bank.append(images, random: &random)
        #expect(try bank.images(at: [0]).scalars == [0, 128.0 / 255, 1, 0])
    }

    @Test func oldestEvictionKeepsTheNewestImages() throws {
        let bank = try MemoryBank(directory: try Fixtures.temporaryDirectory("bank"), imageShape: shape,
                                  capacity: 5, eviction: .oldest)
        var random = RandomGenerator(seed: 1)
        try bank.append(batch(3, base: 0), random: &random)
        try bank.append(batch(4, base: 10), random: &random)
        #expect(try identities(bank) == [2, 10, 11, 12, 13])
    }

    @Test func reservoirEvictionIsUniformAndDeterministic() throws {
        var keptFromFirstBatch = 0
        for trial in 0..<40 {
            let bank = try MemoryBank(directory: try Fixtures.temporaryDirectory("reservoir"), imageShape: shape,
                                      capacity: 10, eviction: .reservoir)
            var random = RandomGenerator(seed: UInt64(trial))
            for round in 0..<5 { try bank.append(batch(10, base: round * 10), random: &random) }
            #expect(bank.count == 10)
            keptFromFirstBatch += try identities(bank).filter { $0 < 10 }.count
        }
        // Each image survives with probability 10/50: about 2 of the first 10 per trial.
        let mean = Double(keptFromFirstBatch) / 40
        #expect(mean > 1.2 && mean < 2.8, "mean survivors of the first batch \(mean)")
    }

    @Test func resumeTruncatesToTheCheckpointAndReplayMatches() throws {
        let directory = try Fixtures.temporaryDirectory("bank-resume")
        var random = RandomGenerator(seed: 5)
        let bank = try MemoryBank(directory: directory, imageShape: shape, capacity: 4, eviction: .oldest)
        try bank.append(batch(3, base: 0), random: &random)
        let checkpoint = (bank.state, bank.liveSlots, random)
        try bank.append(batch(3, base: 50), random: &random)   // written after the checkpoint, then a "crash"
        let uninterrupted = try identities(bank)

        var resumedRandom = checkpoint.2
        let resumed = try MemoryBank(directory: directory, imageShape: shape, capacity: 4, eviction: .oldest,
                                     state: checkpoint.0, liveSlots: checkpoint.1)
        #expect(try identities(resumed) == [0, 1, 2])
        let path = directory.appendingPathComponent("bank-0.u8").path
        #expect(try FileDescriptor(path: path, flags: O_RDONLY).size() == 3 * 4)
        try resumed.append(batch(3, base: 50), random: &resumedRandom)
        #expect(try identities(resumed) == uninterrupted)
        #expect(resumed.state == bank.state)
    }

    @Test func compactionKeepsTheLiveImagesInOrder() throws {
        let directory = try Fixtures.temporaryDirectory("bank-compact")
        let bank = try MemoryBank(directory: directory, imageShape: shape, capacity: 3, eviction: .oldest)
        var random = RandomGenerator(seed: 2)
        for round in 0..<400 { try bank.append(batch(3, base: round % 80), random: &random) }
        let before = try identities(bank)
        let obsolete = try #require(try bank.compactIfWorthwhile())
        #expect(bank.state.generation == 1 && bank.state.physicalCount == 3)
        #expect(try identities(bank) == before)
        #expect(FileManager.default.fileExists(atPath: obsolete))
        #expect(try bank.compactIfWorthwhile() == nil)
        // Reopening at the new generation removes the old file.
        _ = try MemoryBank(directory: directory, imageShape: shape, capacity: 3, eviction: .oldest,
                           state: bank.state, liveSlots: bank.liveSlots)
        #expect(!FileManager.default.fileExists(atPath: obsolete))
    }

    @Test func stateThatDoesNotFitTheFileIsAnError() throws {
        let directory = try Fixtures.temporaryDirectory("bank-bad")
        #expect(throws: SystemError.self) {
            try MemoryBank(directory: directory, imageShape: shape, capacity: 4, eviction: .oldest,
                           state: .init(generation: 0, physicalCount: 10, seenCount: 10), liveSlots: [0, 1])
        }
        #expect(throws: SystemError.self) {
            try MemoryBank(directory: directory, imageShape: shape, capacity: 4, eviction: .oldest,
                           state: .init(generation: 0, physicalCount: 1, seenCount: 1), liveSlots: [3])
        }
    }
}
