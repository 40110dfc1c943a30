import Foundation

/// Elementwise kernels over equally shaped contiguous buffers. Broadcasting lives in the
/// Autograd arithmetic ops; these are the flat loops underneath.
public enum Elementwise {
    /// a + b for two tensors of the same shape (used to accumulate gradients).
    public static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "sum of shapes \(a.shape) and \(b.shape)")
        return parallelZip(a, b) { $0 + $1 }
    }

    /// total += addend, in place when `total` owns its storage (copy-on-write otherwise):
    /// gradient accumulation then needs no new full-size buffer. Same bits as `sum`.
    public static func add(_ addend: Tensor, into total: inout Tensor) {
        precondition(total.shape == addend.shape, "sum of shapes \(total.shape) and \(addend.shape)")
        let y = UnsafePointer(addend.storage.pointer)
        total.withUnsafeMutableBufferPointer { buffer in
            let x = buffer.baseAddress!
            Parallel.forEachChunk(of: 0..<buffer.count, minimumChunk: parallelChunk) { chunk in
                for i in chunk { x[i] = x[i] + y[i] }
            }
        }
    }

    /// result[i] = transform(a[i]).
    @inlinable
    public static func map(_ a: Tensor, _ transform: (Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: a.shape)
        let (x, z) = (a.storage.pointer, result.storage.pointer)
        for i in 0..<a.count { z[i] = transform(x[i]) }
        return result
    }

    /// result[i] = combine(a[i], b[i]).
    @inlinable
    public static func zip(_ a: Tensor, _ b: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count, "zip of shapes \(a.shape) and \(b.shape)")
        let result = Tensor(uninitializedShape: a.shape)
        let (x, y, z) = (a.storage.pointer, b.storage.pointer, result.storage.pointer)
        for i in 0..<a.count { z[i] = combine(x[i], y[i]) }
        return result
    }
}

// MARK: - Parallel maps

extension Elementwise {
    /// Elements per parallel chunk: below this, waking a second core costs more than it saves.
    public static let parallelChunk = 1 << 15

    /// result[i] = transform(a[i]) split across cores. Always inlined, so the closure
    /// literal of each caller is inlined into a plain pointer loop that can vectorize.
    @inlinable @inline(__always)
    public static func parallelMap(_ a: Tensor, _ transform: (Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: a.shape)
        let (x, z) = (a.storage.pointer, result.storage.pointer)
        Parallel.forEachChunk(of: 0..<a.count, minimumChunk: parallelChunk) { chunk in
            for i in chunk { z[i] = transform(x[i]) }
        }
        return result
    }

    /// result[i] = combine(a[i], b[i]) split across cores; the result has a's shape.
    @inlinable @inline(__always)
    public static func parallelZip(_ a: Tensor, _ b: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count, "elementwise op on shapes \(a.shape) and \(b.shape)")
        let result = Tensor(uninitializedShape: a.shape)
        let (x, y, z) = (a.storage.pointer, b.storage.pointer, result.storage.pointer)
        Parallel.forEachChunk(of: 0..<a.count, minimumChunk: parallelChunk) { chunk in
            for i in chunk { z[i] = combine(x[i], y[i]) }
        }
        return result
    }

    /// Sum of `count` contiguous floats. Eight independent lanes let the loop vectorize
    /// (a single running Float sum may not be reordered) and shorten the rounding chains.
    @inlinable
    public static func sum(_ source: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            lanes += UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += source[i]
            i += 1
        }
        return total
    }
}

// MARK: - Unary math (forward and the backward factors that need more than a product)

extension Elementwise {
    public static func exp(_ x: Tensor) -> Tensor { parallelMap(x) { Foundation.exp($0) } }
    public static func log(_ x: Tensor) -> Tensor { parallelMap(x) { Foundation.log($0) } }
    public static func squareRoot(_ x: Tensor) -> Tensor { parallelMap(x) { $0.squareRoot() } }
    public static func absolute(_ x: Tensor) -> Tensor { parallelMap(x) { Swift.abs($0) } }

    /// x ** exponent, with the common exponents done without libm's pow.
    public static func power(_ x: Tensor, _ exponent: Float) -> Tensor {
        switch exponent {
        case 0: return parallelMap(x) { _ in 1 }
        case 1: return x
        case 2: return parallelMap(x) { $0 * $0 }
        case 3: return parallelMap(x) { $0 * $0 * $0 }
        case 0.5: return squareRoot(x)
        case -1: return parallelMap(x) { 1 / $0 }
        default: return parallelMap(x) { Foundation.pow($0, exponent) }
        }
    }

    /// d(x ** e)/dx * gradient = gradient * e * x ** (e - 1); zero for e == 0, as PyTorch.
    public static func powerBackward(_ gradient: Tensor, input x: Tensor, exponent: Float) -> Tensor {
        if exponent == 0 { return Tensor(zeros: x.shape) }
        let derivative = power(x, exponent - 1)
        return parallelZip(gradient, derivative) { g, d in g * exponent * d }
    }

    /// gradient * sign(x), with sign(0) = 0 as in PyTorch.
    public static func absoluteBackward(_ gradient: Tensor, input x: Tensor) -> Tensor {
        parallelZip(gradient, x) { g, v in v > 0 ? g : (v < 0 ? -g : 0) }
    }

    /// Limits to [minimum, maximum]; a nil bound is open. NaN stays NaN.
    public static func clamp(_ x: Tensor, minimum: Float?, maximum: Float?) -> Tensor {
        let low = minimum ?? -.infinity
        let high = maximum ?? .infinity
        return parallelMap(x) { v in v < low ? low : (v > high ? high : v) }
    }

    /// Passes the gradient where minimum <= x <= maximum: PyTorch counts the bounds as inside.
    public static func clampBackward(_ gradient: Tensor, input x: Tensor, minimum: Float?, maximum: Float?) -> Tensor {
        let low = minimum ?? -.infinity
        let high = maximum ?? .infinity
        return parallelZip(gradient, x) { g, v in v >= low && v <= high ? g : 0 }
    }
}

// MARK: - In-place helpers

extension Tensor {
    /// Sets every element to `value` (copying first if the storage is shared).
    public mutating func fill(with value: Float) {
        withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(of: 0..<buffer.count, minimumChunk: Elementwise.parallelChunk) { chunk in
                (base + chunk.lowerBound).update(repeating: value, count: chunk.count)
            }
        }
    }

    /// self *= factor.
    public mutating func scale(by factor: Float) {
        withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(of: 0..<buffer.count, minimumChunk: Elementwise.parallelChunk) { chunk in
                for i in chunk { base[i] *= factor }
            }
        }
    }

    /// self += factor * other, for equal shapes (gradient accumulation, optimizer steps).
    public mutating func add(_ other: Tensor, scaledBy factor: Float = 1) {
        precondition(other.shape == shape, "add of shape \(other.shape) into \(shape)")
        let source = other.storage.pointer
        withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(of: 0..<buffer.count, minimumChunk: Elementwise.parallelChunk) { chunk in
                for i in chunk { base[i] += factor * source[i] }
            }
        }
    }
}
