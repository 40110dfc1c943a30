import Tensor

/// What to do with the last batch of an epoch when the batch size does not divide the
/// dataset: drop it (every batch full, as for training) or keep it (every sample seen,
/// as for evaluation).
public enum PartialBatchPolicy: String, Sendable {
    case drop, keep
}

/// The index batches of one epoch over `0..<count`. The order is fixed at creation
/// (one Fisher-Yates permutation drawn from the caller's generator, or the identity
/// when not shuffling), so saving `order` and `nextBatch` is enough to resume mid-epoch.
public struct EpochBatches: Sequence, IteratorProtocol, Sendable {
    public let order: [Int]
    public let batchSize: Int
    public let partialBatch: PartialBatchPolicy
    /// Index of the batch `next()` returns.
    public private(set) var nextBatch: Int

    /// A shuffled epoch: draws `RandomGenerator.permutation(count)` from `generator`.
    public init(count: Int, batchSize: Int, partialBatch: PartialBatchPolicy,
                using generator: inout RandomGenerator) throws(DatasetError) {
        try Self.check(count: count, batchSize: batchSize)
        self.init(checkedOrder: generator.permutation(count), batchSize: batchSize, partialBatch: partialBatch)
    }

    /// An epoch in index order (evaluation); draws nothing.
    public init(count: Int, batchSize: Int, partialBatch: PartialBatchPolicy) throws(DatasetError) {
        try Self.check(count: count, batchSize: batchSize)
        self.init(checkedOrder: Array(0..<count), batchSize: batchSize, partialBatch: partialBatch)
    }

    /// Resumes an epoch saved as its order and position.
    public init(order: [Int], batchSize: Int, partialBatch: PartialBatchPolicy, nextBatch: Int) throws(DatasetError) {
        try Self.check(count: order.count, batchSize: batchSize)
        guard Set(order) == Set(0..<order.count), order.count == Set(order).count else {
            throw .invalidArgument("saved epoch order is not a permutation of 0..<\(order.count)")
        }
        self.init(checkedOrder: order, batchSize: batchSize, partialBatch: partialBatch)
        guard nextBatch >= 0 && nextBatch <= batchCount else {
            throw .invalidArgument("saved batch position \(nextBatch) is outside 0...\(batchCount)")
        }
        self.nextBatch = nextBatch
    }

    private init(checkedOrder order: [Int], batchSize: Int, partialBatch: PartialBatchPolicy) {
        self.order = order
        self.batchSize = batchSize
        self.partialBatch = partialBatch
        self.nextBatch = 0
    }

    private static func check(count: Int, batchSize: Int) throws(DatasetError) {
        guard count >= 0 else { throw .invalidArgument("dataset size \(count) is negative") }
        guard batchSize > 0 else { throw .invalidArgument("batch size \(batchSize) must be positive") }
    }

    /// Batches in the epoch under the policy.
    public var batchCount: Int {
        partialBatch == .drop ? order.count / batchSize : (order.count + batchSize - 1) / batchSize
    }

    public mutating func next() -> [Int]? {
        guard nextBatch < batchCount else { return nil }
        let start = nextBatch * batchSize
        nextBatch += 1
        return Array(order[start ..< Swift.min(start + batchSize, order.count)])
    }
}
