import Tensor
import Testing
@testable import Datasets

@Suite struct BatchingTests {
    @Test(arguments: [PartialBatchPolicy.keep, .drop])
    func shuffledEpochCoversEveryIndexOnce(policy: PartialBatchPolicy) throws {
        var generator = RandomGenerator(seed: 11)
        let batches = Array(try EpochBatches(count: 103, batchSize: 10, partialBatch: policy, using: &generator))
        #expect(batches.count == (policy == .keep ? 11 : 10))
        #expect(batches.dropLast().allSatisfy { $0.count == 10 })
        let seen = batches.flatMap { $0 }
        #expect(seen.count == Set(seen).count)
        if policy == .keep {
            #expect(batches.last?.count == 3)
            #expect(seen.sorted() == Array(0..<103))
        } else {
            #expect(seen.count == 100)
            #expect(seen.allSatisfy { (0..<103).contains($0) })
        }
        #expect(seen != Array(0..<seen.count))
    }

    @Test func sameSeedSameOrderAndEpochsDiffer() throws {
        var first = RandomGenerator(seed: 5)
        var second = RandomGenerator(seed: 5)
        let a = Array(try EpochBatches(count: 50, batchSize: 8, partialBatch: .keep, using: &first))
        let b = Array(try EpochBatches(count: 50, batchSize: 8, partialBatch: .keep, using: &second))
        #expect(a == b)
        #expect(first == second)
        let nextEpoch = Array(try EpochBatches(count: 50, batchSize: 8, partialBatch: .keep, using: &first))
        #expect(nextEpoch != a)
    }

    @Test func resumesMidEpoch() throws {
        var generator = RandomGenerator(seed: 9)
        var epoch = try EpochBatches(count: 20, batchSize: 6, partialBatch: .keep, using: &generator)
        let first = epoch.next()
        var resumed = try EpochBatches(order: epoch.order, batchSize: 6, partialBatch: .keep, nextBatch: epoch.nextBatch)
        #expect(first?.count == 6)
        #expect(Array(resumed) == Array(epoch))
        #expect(resumed.next() != nil)
        #expect(datasetError { _ = try EpochBatches(order: [0, 0, 1], batchSize: 2, partialBatch: .keep, nextBatch: 0) } != nil)
        #expect(datasetError { _ = try EpochBatches(order: [0, 1], batchSize: 2, partialBatch: .keep, nextBatch: 2) } != nil)
    }

    @Test func unshuffledEpochIsInOrder() throws {
        let batches = Array(try EpochBatches(count: 5, batchSize: 2, partialBatch: .keep))
        #expect(batches == [[0, 1], [2, 3], [4]])
        #expect(datasetError { _ = try EpochBatches(count: 5, batchSize: 0, partialBatch: .keep) }?.kind == .invalidArgument)
    }
}
