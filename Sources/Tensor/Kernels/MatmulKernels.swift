/// Matrix products over whole tensors, on top of `Gemm`.
///
/// Shape legend (row-major):
///   a [M, K] (or [K, M] when transposeA), b [K, N] (or [N, K] when transposeB), result [M, N]
///   batched: a [B, M, K], b [B, K, N], result [B, M, N] (transposes apply per item)
///   linear: input [R, in], weight [out, in] (PyTorch layout), bias [out], result [R, out]
public enum MatmulKernels {
    /// The sizes of op(a) x op(b), or a message naming both shapes when they do not fit.
    public static func productShape(_ a: [Int], _ b: [Int], transposeA: Bool, transposeB: Bool)
        -> Result<[Int], ShapeMismatch> {
        let mismatch = ShapeMismatch(
            message: "matmul cannot multiply \(a)\(transposeA ? "^T" : "") by \(b)\(transposeB ? "^T" : "")")
        guard a.count == b.count, a.count == 2 || a.count == 3 else { return .failure(mismatch) }
        if a.count == 3 && a[0] != b[0] { return .failure(mismatch) }
        let (rowsA, colsA) = (a[a.count - 2], a[a.count - 1])
        let (rowsB, colsB) = (b[b.count - 2], b[b.count - 1])
        let (m, innerA) = transposeA ? (colsA, rowsA) : (rowsA, colsA)
        let (innerB, n) = transposeB ? (colsB, rowsB) : (rowsB, colsB)
        guard innerA == innerB else { return .failure(mismatch) }
        return .success(a.count == 3 ? [a[0], m, n] : [m, n])
    }

    /// op(a) x op(b) for two matrices or two equally long batches of matrices.
    public static func multiply(_ a: Tensor, _ b: Tensor, transposeA: Bool = false,
                                transposeB: Bool = false) -> Tensor {
        let shape: [Int]
        switch productShape(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB) {
        case .success(let result): shape = result
        case .failure(let mismatch): preconditionFailure(mismatch.message)
        }
        let batch = a.rank == 3 ? a.shape[0] : 1
        let (m, n) = (shape[shape.count - 2], shape[shape.count - 1])
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let result = Tensor(uninitializedShape: shape)
        let (strideA, strideB, strideC) = (a.count / max(batch, 1), b.count / max(batch, 1), m * n)
        let (lda, ldb) = (a.shape[a.rank - 1], b.shape[b.rank - 1])
        guard k > 0 else {
            result.storage.pointer.update(repeating: 0, count: result.count)
            return result
        }
        let pointers = UnsafeSendable((a.storage.pointer, b.storage.pointer, result.storage.pointer))
        func item(_ index: Int, parallel: Bool) {
            let (a, b, c) = pointers.value
            let multiply = parallel ? Gemm.multiplyParallel : Gemm.multiply
            multiply(transposeA, transposeB, m, n, k, 1, a + index * strideA, lda,
                     b + index * strideB, ldb, 0, c + index * strideC, n)
        }
        // Many small items: one thread per run of items. Few big ones: split each.
        if batch >= Parallel.threadCount {
            Parallel.forEach(0..<batch, minimumChunk: max(1, (1 << 18) / max(1, m * n * k))) {
                item($0, parallel: false)
            }
        } else {
            for index in 0..<batch { item(index, parallel: true) }
        }
        return result
    }

    /// input x weight^T + bias, the PyTorch `Linear` layout.
    public static func linear(input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(input.rank == 2 && weight.rank == 2 && input.shape[1] == weight.shape[1],
                     "linear cannot apply weight \(weight.shape) to input \(input.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]],
                     "linear bias \(bias!.shape) for weight \(weight.shape)")
        let result = multiply(input, weight, transposeB: true)
        guard let bias else { return result }
        let (rows, columns) = (result.shape[0], result.shape[1])
        let (output, shift) = (result.storage.pointer, bias.storage.pointer)
        for row in 0..<rows {
            let line = output + row * columns
            for column in 0..<columns { line[column] += shift[column] }
        }
        return result
    }

    /// Sums of a [R, C] matrix down its rows: [C]. Rows are added in order, so the result
    /// does not depend on the thread count.
    public static func columnSums(_ matrix: Tensor) -> Tensor {
        precondition(matrix.rank == 2, "columnSums needs a matrix, got \(matrix.shape)")
        let (rows, columns) = (matrix.shape[0], matrix.shape[1])
        let result = Tensor(zeros: [columns])
        let pointers = UnsafeSendable((matrix.storage.pointer, result.storage.pointer))
        Parallel.forEachChunk(of: 0..<columns, minimumChunk: max(64, (1 << 16) / max(1, rows))) { chunk in
            let (source, total) = pointers.value
            for row in 0..<rows {
                let line = source + row * columns
                for column in chunk { total[column] += line[column] }
            }
        }
        return result
    }
}

/// Shapes that cannot be combined; the message names all of them.
public struct ShapeMismatch: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
