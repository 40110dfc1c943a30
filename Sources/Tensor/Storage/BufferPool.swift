import Foundation
import Synchronization

/// Recycles 64-byte-aligned Float buffers by size class, so a training step that
/// allocates the same large activations every iteration reuses them instead of going
/// through malloc/free (and page faults) each time.
///
/// Every released buffer is parked, up to a safety limit far above any step's working
/// set (4 GiB, so that a process running many unrelated shapes, like the test suite,
/// stays bounded). A step asks for the same sizes in the same order each time, so once
/// one step has run, the parked buffers are exactly the step's working set and nothing
/// more is allocated. (A limit at the peak of live bytes was measured to fall short:
/// buffers that die early in a step and others born late add up to more than the peak,
/// so some were unmapped and refetched every step.) What bounds the pool in a job is
/// `releaseCachedBuffers`, which the job calls when its phase, and with it the set of
/// sizes, changes.
final class BufferPool: Sendable {
    static let shared = BufferPool()
    static let maximumCachedBytes = 4 << 30

    /// Buffers at or below this many floats are not pooled: malloc is fast for them.
    static let smallestPooledCount = 4096
    private static let alignment = 64

    private struct State {
        // Addresses as integers: raw pointers are not Sendable, and the pool owns them.
        var freeLists: [Int: [UInt]] = [:]
        var cachedBytes = 0
    }

    private let state = Mutex(State())
    private let freshAllocations = Atomic<Int>(0)

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
                guard let address = state.freeLists[capacity]?.popLast() else { return nil }
                state.cachedBytes -= bytes
                return address
            }
            if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) {
                return (pointer, capacity)
            }
            freshAllocations.add(1, ordering: .relaxed)
            return (Self.mapPages(count: capacity), capacity)
        }
        var raw: UnsafeMutableRawPointer?
        let status = posix_memalign(&raw, Self.alignment, capacity * MemoryLayout<Float>.stride)
        guard status == 0, let raw else {
            fatalError("out of memory allocating \(capacity * 4) bytes for a tensor")
        }
        return (raw.bindMemory(to: Float.self, capacity: capacity), capacity)
    }

    /// Pooled sizes come straight from mmap, so that a buffer the pool lets go is
    /// returned to the kernel at once. glibc would serve them from its heap once its
    /// dynamic mmap threshold has grown, and a freed heap block below the top of the
    /// heap stays resident.
    private static func mapPages(count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = count * MemoryLayout<Float>.stride
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else {
            fatalError("out of memory mapping \(bytes) bytes for a tensor (errno \(errno))")
        }
        return raw.bindMemory(to: Float.self, capacity: count)
    }

    private static func unmapPages(_ address: UInt, count: Int) {
        let bytes = count * MemoryLayout<Float>.stride
        // munmap only fails for an address range we never mapped: a bookkeeping bug.
        guard let raw = UnsafeMutableRawPointer(bitPattern: address), munmap(raw, bytes) == 0 else {
            fatalError("munmap of a \(bytes)-byte tensor buffer failed (errno \(errno))")
        }
    }

    func release(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        guard capacity > Self.smallestPooledCount else {
            free(pointer)
            return
        }
        let bytes = capacity * MemoryLayout<Float>.stride
        let parked = state.withLock { state -> Bool in
            guard state.cachedBytes + bytes <= Self.maximumCachedBytes else { return false }
            state.freeLists[capacity, default: []].append(UInt(bitPattern: pointer))
            state.cachedBytes += bytes
            return true
        }
        if !parked { Self.unmapPages(UInt(bitPattern: pointer), count: capacity) }
    }

    /// Returns every parked buffer to the kernel. A job calls this between phases
    /// (synthesis at its batch size, KD at another, evaluation): each phase recycles its
    /// own size classes, and the last phase's idle buffers would otherwise double the
    /// resident set.
    func releaseCachedBuffers() {
        let parked = state.withLock { state -> [Int: [UInt]] in
            defer {
                state.freeLists = [:]
                state.cachedBytes = 0
            }
            return state.freeLists
        }
        for (capacity, addresses) in parked {
            for address in addresses { Self.unmapPages(address, count: capacity) }
        }
    }

    /// Buffers of a pooled size class that had to come from the allocator because the
    /// pool had none free: flat over training steps once the pool is warm.
    var freshAllocationCount: Int { freshAllocations.load(ordering: .relaxed) }

    /// Bytes currently parked in the pool (for tests and memory reports).
    var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}
