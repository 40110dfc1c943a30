import Dispatch
import Synchronization

/// Work splitting over the machine's cores. OpenBLAS is pinned to one thread (see
/// `Gemm`), so all parallelism comes from here and the two never oversubscribe the
/// cores: each worker calls single-threaded gemm on its own slice.
public enum Parallel {
    private static let configuredThreads = Atomic<Int>(0)

    /// Threads used by `parallelFor`; defaults to the number of online cores.
    public static var threadCount: Int {
        get {
            let configured = configuredThreads.load(ordering: .relaxed)
            return configured > 0 ? configured : ProcessInfoCores.online
        }
        set { configuredThreads.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Runs `body` over contiguous sub-ranges of `range`, at most `threadCount` at once.
    /// `minimumChunk` keeps tiny ranges on the calling thread, where dispatch would cost
    /// more than it saves.
    public static func forEachChunk(
        of range: Range<Int>, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        let total = range.count
        guard total > 0 else { return }
        let workers = min(threadCount, max(1, total / max(1, minimumChunk)))
        if workers == 1 {
            body(range)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let start = range.lowerBound + total * worker / workers
                let end = range.lowerBound + total * (worker + 1) / workers
                if start < end { shared.value(start..<end) }
            }
        }
    }

    /// Runs `body(i)` for every i in `range`, split across threads.
    public static func forEach(_ range: Range<Int>, minimumChunk: Int = 1, _ body: (Int) -> Void) {
        forEachChunk(of: range, minimumChunk: minimumChunk) { chunk in
            for i in chunk { body(i) }
        }
    }
}

/// Marks a value that the caller guarantees is used safely across threads (each worker
/// touches a disjoint slice of the buffers the closure captures).
public struct UnsafeSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

enum ProcessInfoCores {
    static let online: Int = {
        let count = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return count > 0 ? count : 1
    }()
}

import Foundation
