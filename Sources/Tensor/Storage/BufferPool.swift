import Foundation
import Synchronization

/// Recycles 64-byte-aligned Float buffers by size class, so a training step that
/// allocates the same large activations every iteration reuses them instead of going
/// through malloc/free (and page faults) each time.
final class BufferPool: Sendable {
    static let shared = BufferPool(maximumCachedBytes: 1 << 30)

    /// Buffers at or below this many floats are not pooled: malloc is fast for them.
    static let smallestPooledCount = 4096
    private static let alignment = 64

    private struct State {
        // Addresses as integers: raw pointers are not Sendable, and the pool owns them.
        var freeLists: [Int: [UInt]] = [:]
        var cachedBytes = 0
        /// Pooled-size bytes handed out and not yet released, and their high-water mark.
        var liveBytes = 0
        var peakLiveBytes = 0
    }

    private let state = Mutex(State())
    private let maximumCachedBytes: Int
    private let freshAllocations = Atomic<Int>(0)

    init(maximumCachedBytes: Int) {
        self.maximumCachedBytes = maximumCachedBytes
    }

    /// The capacity actually handed out for a request: sizes round up to a multiple of
    /// a quarter of their power of two, so a buffer is at most 25% bigger than asked.
    static func sizeClass(for count: Int) -> Int {
        if count <= smallestPooledCount { return max(count, 16) }
        let power = Int.bitWidth - (count - 1).leadingZeroBitCount
        let step = 1 << max(power - 3, 0)
        return (count + step - 1) / step * step
    }

    func allocate(count: Int) -> (UnsafeMutablePointer<Float>, capacity: Int) {
        let capacity = Self.sizeClass(for: count)
        if capacity > Self.smallestPooledCount {
            let bytes = capacity * MemoryLayout<Float>.stride
            let reused: UInt? = state.withLock { state in
                state.liveBytes += bytes
                state.peakLiveBytes = max(state.peakLiveBytes, state.liveBytes)
                guard let address = state.freeLists[capacity]?.popLast() else { return nil }
                state.cachedBytes -= bytes
                return address
            }
            if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) {
                return (pointer, capacity)
            }
        }
        if capacity > Self.smallestPooledCount { freshAllocations.add(1, ordering: .relaxed) }
        var raw: UnsafeMutableRawPointer?
        let status = posix_memalign(&raw, Self.alignment, capacity * MemoryLayout<Float>.stride)
        guard status == 0, let raw else {
            fatalError("out of memory allocating \(capacity * 4) bytes for a tensor")
        }
        return (raw.bindMemory(to: Float.self, capacity: capacity), capacity)
    }

    func release(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        if capacity > Self.smallestPooledCount {
            let bytes = capacity * MemoryLayout<Float>.stride
            let kept = state.withLock { state -> Bool in
                state.liveBytes -= bytes
                // A step whose buffers add up to more than the fixed limit would otherwise
                // hand the excess back to the kernel and fault it in again every step; the
                // pool never holds more than the most that was ever live at once.
                let limit = max(maximumCachedBytes, state.peakLiveBytes)
                guard state.cachedBytes + bytes <= limit else { return false }
                state.freeLists[capacity, default: []].append(UInt(bitPattern: pointer))
                state.cachedBytes += bytes
                return true
            }
            if kept { return }
        }
        free(pointer)
    }

    /// Buffers of a pooled size class that had to come from the allocator because the
    /// pool had none free: flat over training steps once the pool is warm.
    var freshAllocationCount: Int { freshAllocations.load(ordering: .relaxed) }

    /// Bytes currently parked in the pool (for tests and memory reports).
    var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}
