/// Reductions (sum, mean, variance, norm) over chosen axes of a tensor of any rank.
///
/// Shapes: input of any shape; a reduction over `axes` gives the input shape with those
/// axes set to 1 ("kept" shape); ops drop them afterwards when asked. Sums accumulate in
/// Double so a mean over thousands of elements stays within our 1e-4 golden tolerance.
public enum ReductionKernels {
    /// Axes of a rank-`rank` tensor, negative ones counted from the end, sorted and unique.
    public static func normalizedAxes(_ axes: [Int], rank: Int) -> [Int] {
        let resolved = axes.map { axis -> Int in
            precondition(axis >= -rank && axis < rank, "axis \(axis) out of range for rank \(rank)")
            return axis < 0 ? axis + rank : axis
        }
        let sorted = Array(Set(resolved)).sorted()
        precondition(sorted.count == resolved.count, "repeated axis in \(axes)")
        return sorted
    }

    /// The input shape with `axes` (normalized) set to 1.
    public static func keptShape(_ shape: [Int], axes: [Int]) -> [Int] {
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        return kept
    }

    /// Calls `body(inputStart, length, outputOffset, outputStep)` for each run of
    /// contiguous input elements; element inputStart + j reduces into output
    /// outputOffset + j * outputStep (step 0 when the innermost run is reduced).
    ///
    /// Neighbouring axes that are all reduced or all kept are merged first, so the
    /// innermost run is as long as the layout allows and the index counter cheap.
    static func forEachRun(
        shape: [Int], axes: [Int], _ body: (_ inputStart: Int, _ length: Int, _ outputOffset: Int, _ outputStep: Int) -> Void
    ) {
        let total = shape.reduce(1, *)
        guard total > 0 else { return }
        let reducedSet = Set(axes)
        var groups: [(size: Int, reduced: Bool)] = []
        for (axis, size) in shape.enumerated() where size != 1 {
            let reduced = reducedSet.contains(axis)
            if let last = groups.last, last.reduced == reduced {
                groups[groups.count - 1].size *= size
            } else {
                groups.append((size, reduced))
            }
        }
        guard let inner = groups.popLast() else {
            body(0, 1, 0, 0)
            return
        }
        // Output strides of the outer groups (0 for reduced ones), innermost last.
        var strides = [Int](repeating: 0, count: groups.count)
        var nextStride = inner.reduced ? 1 : inner.size
        for g in stride(from: groups.count - 1, through: 0, by: -1) where !groups[g].reduced {
            strides[g] = nextStride
            nextStride *= groups[g].size
        }
        var counter = [Int](repeating: 0, count: groups.count)
        var outputOffset = 0
        let step = inner.reduced ? 0 : 1
        var start = 0
        while start < total {
            body(start, inner.size, outputOffset, step)
            start += inner.size
            var g = groups.count - 1
            while g >= 0 {
                counter[g] += 1
                outputOffset += strides[g]
                if counter[g] < groups[g].size { break }
                outputOffset -= strides[g] * groups[g].size
                counter[g] = 0
                g -= 1
            }
        }
    }

    /// Sum over `axes` (normalized), shaped as the kept shape.
    public static func sum(_ input: Tensor, axes: [Int]) -> Tensor {
        let kept = keptShape(input.shape, axes: axes)
        var totals = [Double](repeating: 0, count: kept.reduce(1, *))
        let x = input.storage.pointer
        totals.withUnsafeMutableBufferPointer { buffer in
            let t = buffer.baseAddress!
            forEachRun(shape: input.shape, axes: axes) { start, length, offset, step in
                if step == 0 {
                    t[offset] += blockSum(x + start, count: length)
                } else {
                    for j in 0..<length { t[offset + j] += Double(x[start + j]) }
                }
            }
        }
        return Tensor(shape: kept, scalars: totals.map { Float($0) })
    }

    /// Sum of (x - mean)^2 over `axes` (normalized), with `mean` in the kept shape.
    public static func sumOfSquaredDeviations(_ input: Tensor, axes: [Int], mean: Tensor) -> Tensor {
        let kept = keptShape(input.shape, axes: axes)
        precondition(mean.shape == kept, "mean \(mean.shape) does not fit \(input.shape) reduced to \(kept)")
        var totals = [Double](repeating: 0, count: mean.count)
        let (x, m) = (input.storage.pointer, mean.storage.pointer)
        totals.withUnsafeMutableBufferPointer { buffer in
            let t = buffer.baseAddress!
            forEachRun(shape: input.shape, axes: axes) { start, length, offset, step in
                for j in 0..<length {
                    let d = Double(x[start + j]) - Double(m[offset + j * step])
                    t[offset + j * step] += d * d
                }
            }
        }
        return Tensor(shape: kept, scalars: totals.map { Float($0) })
    }

    /// scale * reduced[o(i)] for every element i of `shape`: the gradient of a sum or mean.
    public static func broadcast(_ reduced: Tensor, to shape: [Int], axes: [Int], scale: Float = 1) -> Tensor {
        precondition(reduced.shape == keptShape(shape, axes: axes), "cannot broadcast \(reduced.shape) to \(shape)")
        let result = Tensor(uninitializedShape: shape)
        let (r, out) = (reduced.storage.pointer, result.storage.pointer)
        forEachRun(shape: shape, axes: axes) { start, length, offset, step in
            for j in 0..<length { out[start + j] = scale * r[offset + j * step] }
        }
        return result
    }

    /// factor * gradient[o(i)] * (x[i] - center[o(i)]): the gradient of a variance.
    public static func scaledDeviations(
        _ input: Tensor, center: Tensor, gradient: Tensor, axes: [Int], factor: Float
    ) -> Tensor {
        precondition(center.shape == gradient.shape && center.shape == keptShape(input.shape, axes: axes),
                     "center \(center.shape) / gradient \(gradient.shape) do not fit \(input.shape)")
        let result = Tensor(uninitializedShape: input.shape)
        let (x, c, g, out) = (input.storage.pointer, center.storage.pointer, gradient.storage.pointer, result.storage.pointer)
        forEachRun(shape: input.shape, axes: axes) { start, length, offset, step in
            for j in 0..<length {
                let o = offset + j * step
                out[start + j] = factor * g[o] * (x[start + j] - c[o])
            }
        }
        return result
    }

    /// Sum of every element (in parallel chunks; each chunk's total is exact to ~1e-6).
    public static func total(_ input: Tensor) -> Double {
        chunkedTotal(input) { p, count in blockSum(p, count: count) }
    }

    /// Sum of every element's square.
    public static func totalOfSquares(_ input: Tensor) -> Double {
        chunkedTotal(input) { p, count in productSums(p, shift: 0, p, shift: 0, count: count).products }
    }

    private static func chunkedTotal(_ input: Tensor, _ partial: (UnsafePointer<Float>, Int) -> Double) -> Double {
        let chunkSize = 1 << 16
        let chunks = (input.count + chunkSize - 1) / chunkSize
        var partials = [Double](repeating: 0, count: chunks)
        let x = input.storage.pointer
        partials.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress
            Parallel.forEach(0..<chunks) { chunk in
                let start = chunk * chunkSize
                out![chunk] = partial(x + start, min(chunkSize, input.count - start))
            }
        }
        return partials.reduce(0, +)
    }
}

/// Vectorised sums for the hot loops of the reduction and batch-norm kernels: eight Float
/// lanes within blocks of 1024 values, blocks added in Double. A lane then sums at most
/// 128 values (relative error ~1e-6 at worst), and the Double total keeps long channels
/// accurate; a plain Double loop is a serial dependency chain, several times slower.
extension ReductionKernels {
    static let blockSize = 1024

    /// Sum of count values from p.
    @inline(__always)
    static func blockSum(_ p: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let end = min(count, start + blockSize)
            var lanes = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                lanes += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                i += 8
            }
            var tail: Float = 0
            while i < end { tail += p[i]; i += 1 }
            total += Double(lanes.sum() + tail)
            start = end
        }
        return total
    }

    /// Sums of (g[i] - gShift) and of (g[i] - gShift) * (x[i] - xShift). With g = x and
    /// both shifts near the mean this is a numerically safe (sum, sum of squares) pair;
    /// with gShift = 0 it gives batch norm's sums of dy and dy * (x - mean).
    @inline(__always)
    static func productSums(
        _ g: UnsafePointer<Float>, shift gShift: Float, _ x: UnsafePointer<Float>, shift xShift: Float, count: Int
    ) -> (sum: Double, products: Double) {
        var total = 0.0
        var products = 0.0
        var start = 0
        let (gShifts, xShifts) = (SIMD8<Float>(repeating: gShift), SIMD8<Float>(repeating: xShift))
        while start < count {
            let end = min(count, start + blockSize)
            var lanes = SIMD8<Float>()
            var productLanes = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self) - gShifts
                let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - xShifts
                lanes += gv
                productLanes += gv * xv
                i += 8
            }
            var (tail, productTail): (Float, Float) = (0, 0)
            while i < end {
                let gi = g[i] - gShift
                tail += gi
                productTail += gi * (x[i] - xShift)
                i += 1
            }
            total += Double(lanes.sum() + tail)
            products += Double(productLanes.sum() + productTail)
            start = end
        }
        return (total, products)
    }
}
