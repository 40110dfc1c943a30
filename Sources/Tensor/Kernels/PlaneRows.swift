import CPrefetch

/// Row helpers for the kernels that walk NCHW planes: the convolutions' rows are short
/// (8-32 floats), where a memmove call per row costs more than the copy.
enum PlaneRows {
    /// Copies `count` floats with inline vector moves.
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var x = 0
        while x + 8 <= count {
            UnsafeMutableRawPointer(target + x).storeBytes(
                of: UnsafeRawPointer(source + x).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            x += 8
        }
        while x < count {
            target[x] = source[x]
            x += 1
        }
    }

    /// Starts loading the 64-byte lines that hold `count` floats from `start`. A 32x32
    /// plane is one 4 KiB page, where the hardware prefetcher stops, so the kernels ask
    /// for the next plane's rows while they work on this one's. Prefetches never fault:
    /// `start` may lie past the tensor's end.
    @inline(__always)
    static func prefetch(_ start: UnsafePointer<Float>, count: Int) {
        for offset in stride(from: 0, to: count, by: 16) { nayerd_prefetch(start + offset) }
    }
}
