import Foundation

/// Elementwise kernels over equally shaped contiguous buffers. Broadcasting lives in the
/// Autograd arithmetic ops; these are the flat loops underneath.
public enum Elementwise {
    /// a + b for two tensors of the same shape (used to accumulate gradients).
    public static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "sum of shapes \(a.shape) and \(b.shape)")
        return parallelZip(a, b, Pointwise.Sum())
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

/// A pointwise function as a type. The parallel maps are generic over it, so each use
/// compiles to its own loop with the function inlined. A closure would be captured by
/// the parallel-for's worker closure and called indirectly once per element: measured
/// at more than half of relu's time.
public protocol PointwiseFunction {
    func callAsFunction(_ x: Float) -> Float
}

/// A pointwise function of two operands as a type (see `PointwiseFunction`).
public protocol PointwiseCombination {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

extension Elementwise {
    /// Elements per parallel chunk: below this, waking a second core costs more than it saves.
    public static let parallelChunk = 1 << 15

    /// result[i] = function(a[i]) split across cores.
    @inlinable
    public static func parallelMap<Function: PointwiseFunction>(_ a: Tensor, _ function: Function) -> Tensor {
        let result = Tensor(uninitializedShape: a.shape)
        let (x, z) = (a.storage.pointer, result.storage.pointer)
        Parallel.forEachChunk(of: 0..<a.count, minimumChunk: parallelChunk) { chunk in
            for i in chunk { z[i] = function(x[i]) }
        }
        return result
    }

    /// result[i] = combination(a[i], b[i]) split across cores; the result has a's shape.
    @inlinable
    public static func parallelZip<Combination: PointwiseCombination>(
        _ a: Tensor, _ b: Tensor, _ combination: Combination
    ) -> Tensor {
        precondition(a.count == b.count, "elementwise op on shapes \(a.shape) and \(b.shape)")
        let result = Tensor(uninitializedShape: a.shape)
        let (x, y, z) = (a.storage.pointer, b.storage.pointer, result.storage.pointer)
        Parallel.forEachChunk(of: 0..<a.count, minimumChunk: parallelChunk) { chunk in
            for i in chunk { z[i] = combination(x[i], y[i]) }
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
    public static func exp(_ x: Tensor) -> Tensor { parallelMap(x, Pointwise.Exp()) }
    public static func log(_ x: Tensor) -> Tensor { parallelMap(x, Pointwise.Log()) }
    public static func squareRoot(_ x: Tensor) -> Tensor { parallelMap(x, Pointwise.SquareRoot()) }
    public static func absolute(_ x: Tensor) -> Tensor { parallelMap(x, Pointwise.Absolute()) }

    /// x ** exponent, with the common exponents done without libm's pow.
    public static func power(_ x: Tensor, _ exponent: Float) -> Tensor {
        switch exponent {
        case 0: return parallelMap(x, Pointwise.Constant(value: 1))
        case 1: return x
        case 2: return parallelMap(x, Pointwise.Square())
        case 3: return parallelMap(x, Pointwise.Cube())
        case 0.5: return squareRoot(x)
        case -1: return parallelMap(x, Pointwise.Quotient(numerator: 1))
        default: return parallelMap(x, Pointwise.Power(exponent: exponent))
        }
    }

    /// d(x ** e)/dx * gradient = gradient * e * x ** (e - 1); zero for e == 0, as PyTorch.
    public static func powerBackward(_ gradient: Tensor, input x: Tensor, exponent: Float) -> Tensor {
        if exponent == 0 { return Tensor(zeros: x.shape) }
        let derivative = power(x, exponent - 1)
        return parallelZip(gradient, derivative, Pointwise.ScaledProduct(scale: exponent))
    }

    /// gradient * sign(x), with sign(0) = 0 as in PyTorch.
    public static func absoluteBackward(_ gradient: Tensor, input x: Tensor) -> Tensor {
        parallelZip(gradient, x, Pointwise.SignGradient())
    }

    /// Limits to [minimum, maximum]; a nil bound is open. NaN stays NaN.
    public static func clamp(_ x: Tensor, minimum: Float?, maximum: Float?) -> Tensor {
        let low = minimum ?? -.infinity
        let high = maximum ?? .infinity
        return parallelMap(x, Pointwise.Clamp(low: low, high: high))
    }

    /// Passes the gradient where minimum <= x <= maximum: PyTorch counts the bounds as inside.
    public static func clampBackward(_ gradient: Tensor, input x: Tensor, minimum: Float?, maximum: Float?) -> Tensor {
        let low = minimum ?? -.infinity
        let high = maximum ?? .infinity
        return parallelZip(gradient, x, Pointwise.ClampGradient(low: low, high: high))
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
