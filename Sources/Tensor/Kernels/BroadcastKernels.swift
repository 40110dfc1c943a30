/// Binary arithmetic with NumPy/PyTorch broadcasting, and the reduction that undoes it.
///
/// Shapes: operands align from the right; a dimension broadcasts when it is 1 or missing.
/// Typical cases: [N,C,H,W] op [1,C,1,1] or [C,1,1] (per channel), [N,K] op [K] (bias),
/// [N,1] op [1,K] (outer), anything op [] (scalar). Axes are merged first (see
/// `BroadcastLayout`), so each of these runs as plain loops over contiguous rows.
public enum BroadcastKernels {
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor { combine(a, b, Pointwise.Sum()) }
    public static func subtract(_ a: Tensor, _ b: Tensor) -> Tensor { combine(a, b, Pointwise.Difference()) }
    public static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { combine(a, b, Pointwise.Product()) }
    public static func divide(_ a: Tensor, _ b: Tensor) -> Tensor { combine(a, b, Pointwise.Ratio()) }

    /// x * scale + shift: every scalar-tensor op (x + s, s - x, x * s, -x, x / s) is one of these.
    public static func affine(_ x: Tensor, scale: Float, shift: Float = 0) -> Tensor {
        Elementwise.parallelMap(x, Pointwise.Affine(scale: scale, shift: shift))
    }

    /// numerator / x.
    public static func divide(_ numerator: Float, by x: Tensor) -> Tensor {
        Elementwise.parallelMap(x, Pointwise.Quotient(numerator: numerator))
    }

    /// Generic over the operation, so that each loop below inlines it (see `PointwiseCombination`).
    private static func combine<Operation: PointwiseCombination>(_ a: Tensor, _ b: Tensor,
                                                                 _ operation: Operation) -> Tensor {
        guard let shape = Tensor.broadcastShape(a.shape, b.shape) else {
            preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        if a.shape == b.shape { return Elementwise.parallelZip(a, b, operation) }
        let result = Tensor(uninitializedShape: shape)
        if result.count == 0 { return result }
        let (x, y, z) = (a.storage.pointer, b.storage.pointer, result.storage.pointer)
        // A scalar against a big tensor would otherwise be one long row on one core.
        if a.count == 1 || b.count == 1 {
            let (strideA, strideB) = (a.count == 1 ? 0 : 1, b.count == 1 ? 0 : 1)
            Parallel.forEachChunk(of: 0..<result.count, minimumChunk: Elementwise.parallelChunk) { chunk in
                for i in chunk { z[i] = operation(x[i * strideA], y[i * strideB]) }
            }
            return result
        }
        let layout = BroadcastLayout(outputShape: shape, operandShapes: [a.shape, b.shape])
        let inner = layout.innerExtent
        let (strideA, strideB) = (layout.innerStride(0), layout.innerStride(1))
        Parallel.forEachChunk(of: 0..<layout.outerCount, minimumChunk: max(1, Elementwise.parallelChunk / inner)) { rows in
            for row in rows {
                let rowA = x + layout.offset(ofRow: row, operand: 0)
                let rowB = y + layout.offset(ofRow: row, operand: 1)
                let rowZ = z + row * inner
                // Specialized so the common patterns compile to unit-stride, vectorizable loops.
                switch (strideA, strideB) {
                case (1, 1):
                    for i in 0..<inner { rowZ[i] = operation(rowA[i], rowB[i]) }
                case (1, 0):
                    let constant = rowB[0]
                    for i in 0..<inner { rowZ[i] = operation(rowA[i], constant) }
                case (0, 1):
                    let constant = rowA[0]
                    for i in 0..<inner { rowZ[i] = operation(constant, rowB[i]) }
                default:
                    for i in 0..<inner { rowZ[i] = operation(rowA[i * strideA], rowB[i * strideB]) }
                }
            }
        }
        return result
    }

    /// Sums `tensor` over the axes along which `shape` was broadcast to give `tensor.shape`:
    /// the gradient of a broadcast operand. Returns `tensor` itself when nothing was broadcast.
    public static func sum(_ tensor: Tensor, toShape shape: [Int]) -> Tensor {
        if tensor.shape == shape { return tensor }
        precondition(Tensor.broadcastShape(shape, tensor.shape) == tensor.shape,
                     "shape \(shape) does not broadcast to \(tensor.shape)")
        let targetCount = shape.reduce(1, *)
        if tensor.count == 0 { return Tensor(zeros: shape) }
        if tensor.count == targetCount { return tensor.reshaped(shape) }   // only size-1 axes differ
        if targetCount == 1 { return Tensor(shape: shape, scalars: [total(tensor)]) }

        let layout = BroadcastLayout(outputShape: tensor.shape, operandShapes: [tensor.shape, shape])
        let rows = layout.outerCount
        // Rows of different parts may land on the same target elements, so each part sums
        // into its own partial result; the partials are added in order at the end. The
        // parts do not depend on the thread count, so neither does the result.
        let parts = min(maximumPartialCount, max(1, tensor.count / Elementwise.parallelChunk), rows)
        let partials = (0..<parts).map { _ in Tensor(zeros: shape) }
        let pointers = partials.map { $0.storage.pointer }
        let source = tensor.storage.pointer
        Parallel.forEach(0..<parts) { part in
            accumulateRows(rows * part / parts..<rows * (part + 1) / parts,
                           of: source, layout: layout, into: pointers[part])
        }
        return partials.dropFirst().reduce(partials[0]) { Elementwise.sum($0, $1) }
    }

    private static func accumulateRows(
        _ rows: Range<Int>, of source: UnsafeMutablePointer<Float>, layout: BroadcastLayout,
        into target: UnsafeMutablePointer<Float>
    ) {
        let inner = layout.innerExtent
        let targetStride = layout.innerStride(1)
        for row in rows {
            let sourceRow = UnsafePointer(source + row * inner)
            let targetRow = target + layout.offset(ofRow: row, operand: 1)
            switch targetStride {
            case 0: targetRow[0] += Elementwise.sum(sourceRow, count: inner)
            case 1: for i in 0..<inner { targetRow[i] += sourceRow[i] }
            default: for i in 0..<inner { targetRow[i * targetStride] += sourceRow[i] }
            }
        }
    }

    /// Partial results of the parallel reductions here: a fixed count, so the result is
    /// the same at every thread count.
    static let maximumPartialCount = 8

    /// Sum of all elements, in partial sums over fixed parts added in order.
    public static func total(_ tensor: Tensor) -> Float {
        let count = tensor.count
        let parts = min(maximumPartialCount, max(1, count / Elementwise.parallelChunk))
        var partials = [Float](repeating: 0, count: parts)
        let source = UnsafePointer(tensor.storage.pointer)
        partials.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            Parallel.forEach(0..<parts) { part in
                let start = count * part / parts
                sums[part] = Elementwise.sum(source + start, count: count * (part + 1) / parts - start)
            }
        }
        return partials.reduce(0, +)
    }
}
