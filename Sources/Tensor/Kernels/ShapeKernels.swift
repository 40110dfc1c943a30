/// Data movement: axis permutations, concatenation and slicing along an axis, row gathers.
///
/// Shapes: row-major, any rank. "outer" is the product of the dimensions before an axis,
/// "inner" of those after it, so slicing along `axis` copies `outer` blocks of
/// `length * inner` contiguous floats. NCHW <-> NHWC is permute [0,2,3,1] / [0,3,1,2].
public enum ShapeKernels {
    private static let tile = 32

    /// output[i0..ik] = x[the same indices reordered], output.shape[k] = x.shape[axes[k]].
    public static func permute(_ x: Tensor, axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(0..<x.rank), "permute axes \(axes) for shape \(x.shape)")
        let outputShape = axes.map { x.shape[$0] }
        if axes == Array(0..<x.rank) || x.count == 0 { return x.reshaped(outputShape) }
        let inputStrides = Tensor.contiguousStrides(x.shape)
        // Operand 0 is the output (contiguous), operand 1 the input read with permuted strides.
        let layout = BroadcastLayout(extents: outputShape, operandStrides: [
            Tensor.contiguousStrides(outputShape), axes.map { inputStrides[$0] },
        ])
        let result = Tensor(uninitializedShape: outputShape)
        let (source, destination) = (UnsafePointer(x.storage.pointer), result.storage.pointer)
        let extents = layout.extents
        if extents.count >= 2, layout.innerStride(1) == extents[extents.count - 2],
           layout.strides[1][extents.count - 2] == 1 {
            // After merging, a batch of 2-D transposes (e.g. NCHW -> NHWC is [N, HW, C] read
            // from [N, C, HW]): tiles keep both the reads and the writes in cache.
            transposeTiles(source, into: destination, layout: layout)
            return result
        }
        let inner = layout.innerExtent
        let step = layout.innerStride(1)
        Parallel.forEachChunk(of: 0..<layout.outerCount, minimumChunk: max(1, Elementwise.parallelChunk / inner)) { rows in
            for row in rows {
                let from = source + layout.offset(ofRow: row, operand: 1)
                let to = destination + row * inner
                for i in 0..<inner { to[i] = from[i * step] }
            }
        }
        return result
    }

    /// Each batch writes an [A, B] output block from an input block laid out as [B, A].
    private static func transposeTiles(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, layout: BroadcastLayout
    ) {
        let extents = layout.extents
        let (height, width) = (extents[extents.count - 2], extents[extents.count - 1])
        let batches = extents.dropLast(2).reduce(1, *)
        let tilesPerBatch = (height + tile - 1) / tile
        let minimumTiles = max(1, Elementwise.parallelChunk / (tile * width))
        Parallel.forEach(0..<batches * tilesPerBatch, minimumChunk: minimumTiles) { item in
            let (batch, tileRow) = item.quotientAndRemainder(dividingBy: tilesPerBatch)
            let from = source + layout.offset(ofRow: batch * height, operand: 1)
            let to = destination + batch * height * width
            let rowRange = tileRow * tile..<min(height, tileRow * tile + tile)
            for columnStart in stride(from: 0, to: width, by: tile) {
                for r in rowRange {
                    for c in columnStart..<min(width, columnStart + tile) {
                        to[r * width + c] = from[r + c * height]
                    }
                }
            }
        }
    }

    /// Joins tensors that agree on every dimension but `axis`.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat of no tensors")
        let first = tensors[0].shape
        precondition(axis >= 0 && axis < first.count, "concat axis \(axis) for shape \(first)")
        for tensor in tensors {
            var expected = tensor.shape
            if expected.count == first.count { expected[axis] = first[axis] }
            precondition(expected == first, "concat along axis \(axis) of shapes \(first) and \(tensor.shape)")
        }
        var outputShape = first
        outputShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let (outer, inner) = outerAndInner(outputShape, axis: axis)
        let result = Tensor(uninitializedShape: outputShape)
        var offset = 0
        for tensor in tensors {
            let length = tensor.shape[axis] * inner
            copyBlocks(count: outer, length: length, from: tensor.storage.pointer, sourceStride: length,
                       to: result.storage.pointer + offset, destinationStride: outputShape[axis] * inner)
            offset += length
        }
        return result
    }

    /// The slice start..<start + length of `x` along `axis`.
    public static func narrow(_ x: Tensor, axis: Int, start: Int, length: Int) -> Tensor {
        precondition(axis >= 0 && axis < x.rank && start >= 0 && length >= 0 && start + length <= x.shape[axis],
                     "narrow of shape \(x.shape) along axis \(axis) to \(start)..<\(start + length)")
        var outputShape = x.shape
        outputShape[axis] = length
        let (outer, inner) = outerAndInner(x.shape, axis: axis)
        let result = Tensor(uninitializedShape: outputShape)
        copyBlocks(count: outer, length: length * inner, from: x.storage.pointer + start * inner,
                   sourceStride: x.shape[axis] * inner, to: result.storage.pointer, destinationStride: length * inner)
        return result
    }

    /// Zeros of `shape` with `slice` written at start..<start + slice.shape[axis] along
    /// `axis`: the gradient of `narrow`.
    public static func embed(_ slice: Tensor, into shape: [Int], axis: Int, start: Int) -> Tensor {
        var expected = shape
        if axis >= 0 && axis < shape.count { expected[axis] = slice.shape.count == shape.count ? slice.shape[axis] : -1 }
        precondition(expected == slice.shape && start >= 0 && start + slice.shape[axis] <= shape[axis],
                     "embed of shape \(slice.shape) into \(shape) along axis \(axis) at \(start)")
        let (outer, inner) = outerAndInner(shape, axis: axis)
        let result = Tensor(zeros: shape)
        let length = slice.shape[axis] * inner
        copyBlocks(count: outer, length: length, from: slice.storage.pointer, sourceStride: length,
                   to: result.storage.pointer + start * inner, destinationStride: shape[axis] * inner)
        return result
    }

    /// output[i] = table[rows[i]] for a table of shape [V, ...]; output shape [rows.count, ...].
    public static func indexSelect(_ table: Tensor, rows: [Int]) -> Tensor {
        let (_, rowLength) = checkedRows(rows, tableShape: table.shape)
        let result = Tensor(uninitializedShape: [rows.count] + table.shape.dropFirst())
        let (source, destination) = (table.storage.pointer, result.storage.pointer)
        rows.withUnsafeBufferPointer { rows in
            Parallel.forEach(0..<rows.count, minimumChunk: max(1, Elementwise.parallelChunk / max(1, rowLength))) { i in
                (destination + i * rowLength).update(from: source + rows[i] * rowLength, count: rowLength)
            }
        }
        return result
    }

    /// Zeros of `tableShape` with source[i] added into row rows[i]; repeated rows accumulate.
    /// The gradient of `indexSelect`.
    public static func indexAdd(_ source: Tensor, rows: [Int], tableShape: [Int]) -> Tensor {
        let (_, rowLength) = checkedRows(rows, tableShape: tableShape)
        precondition(source.shape == [rows.count] + tableShape.dropFirst(),
                     "indexAdd of shape \(source.shape) for \(rows.count) rows of a table \(tableShape)")
        let result = Tensor(zeros: tableShape)
        let (from, to) = (source.storage.pointer, result.storage.pointer)
        // Serial: two source rows may hit the same table row.
        for (i, row) in rows.enumerated() {
            let (sourceRow, targetRow) = (from + i * rowLength, to + row * rowLength)
            for j in 0..<rowLength { targetRow[j] += sourceRow[j] }
        }
        return result
    }

    private static func checkedRows(_ rows: [Int], tableShape: [Int]) -> (tableRows: Int, rowLength: Int) {
        precondition(!tableShape.isEmpty, "row lookup in a rank-0 table")
        let tableRows = tableShape[0]
        precondition(rows.allSatisfy { $0 >= 0 && $0 < tableRows }, "row index out of 0..<\(tableRows) in \(rows)")
        return (tableRows, tableShape.dropFirst().reduce(1, *))
    }

    private static func outerAndInner(_ shape: [Int], axis: Int) -> (outer: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[(axis + 1)...].reduce(1, *))
    }

    /// Copies `count` blocks of `length` floats between strided positions.
    private static func copyBlocks(
        count: Int, length: Int, from source: UnsafeMutablePointer<Float>, sourceStride: Int,
        to destination: UnsafeMutablePointer<Float>, destinationStride: Int
    ) {
        guard length > 0 else { return }
        Parallel.forEach(0..<count, minimumChunk: max(1, Elementwise.parallelChunk / length)) { block in
            (destination + block * destinationStride).update(from: source + block * sourceStride, count: length)
        }
    }
}
