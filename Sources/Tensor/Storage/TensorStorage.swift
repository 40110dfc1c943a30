/// A reference-counted, 64-byte-aligned Float buffer. Tensors share storages and copy
/// them only on write (see `Tensor.withUnsafeMutableBufferPointer`).
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    private let capacity: Int

    /// Contents are undefined: callers must write every element before reading.
    public init(uninitializedCount count: Int) {
        let (pointer, capacity) = BufferPool.shared.allocate(count: count)
        self.pointer = pointer
        self.count = count
        self.capacity = capacity
    }

    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit {
        BufferPool.shared.release(pointer, capacity: capacity)
    }

    /// Large buffers (above the pool's smallest size class) that could not be recycled
    /// and came fresh from the allocator, since the process started. A training loop
    /// whose count keeps growing after warm-up allocates (and page-faults) every step.
    public static var freshPooledAllocationCount: Int { BufferPool.shared.freshAllocationCount }

    /// Hands the recycled-but-idle large buffers back to the kernel (see
    /// `BufferPool.releaseCachedBuffers`); live tensors are untouched.
    public static func releaseCachedBuffers() { BufferPool.shared.releaseCachedBuffers() }

    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
