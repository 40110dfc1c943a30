import Tensor
import Testing

/// The pool is internal; its effect shows through the public storage: a buffer released
/// and requested again in the same size class comes back at the same address.
@Suite(.serialized) struct BufferPoolTests {
    // Size class 917_504 floats (7 * 2^17): an odd multiple, unlikely to be allocated by
    // any test running in parallel between our release and our request.
    private static let pooledCount = 900_001

    @Test func releasedBufferIsReusedForTheSameSizeClass() {
        let firstAddress = TensorStorage(uninitializedCount: Self.pooledCount).pointer
        // A different count that rounds up to the same class.
        let second = TensorStorage(uninitializedCount: Self.pooledCount + 10_000)
        #expect(second.pointer == firstAddress)
        #expect(second.count == Self.pooledCount + 10_000)
    }

    @Test func liveBuffersAreNeverShared() {
        let first = TensorStorage(repeating: 1, count: Self.pooledCount)
        let second = TensorStorage(repeating: 2, count: Self.pooledCount)
        #expect(first.pointer != second.pointer)
        #expect(first.pointer[Self.pooledCount - 1] == 1 && second.pointer[0] == 2)
    }

    @Test func reusedTensorsStartFromTheirOwnValues() {
        let count = 20_000
        _ = Tensor(shape: [count], repeating: 5)
        let zeros = Tensor(zeros: [count])
        #expect(zeros.scalars.allSatisfy { $0 == 0 })
    }

    @Test func releasedCachedBuffersComeFreshNextTime() {
        // Parked in the pool when it dies at the end of this statement.
        _ = TensorStorage(repeating: 3, count: Self.pooledCount)
        TensorStorage.releaseCachedBuffers()
        let before = TensorStorage.freshPooledAllocationCount
        let again = TensorStorage(repeating: 4, count: Self.pooledCount)
        #expect(TensorStorage.freshPooledAllocationCount > before)
        #expect(again.pointer[Self.pooledCount - 1] == 4)
    }
}
