import CBLAS

/// Row-major single-precision matrix multiply over raw buffers:
/// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C.
public enum Gemm {
    /// OpenBLAS runs single-threaded; `Parallel` owns the cores (see ParallelFor.swift).
    private static let pinnedToOneThread: Void = { openblas_set_num_threads(1) }()

    @inline(__always)
    public static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = pinnedToOneThread
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// The same product with the rows of C split across `Parallel.threadCount` workers,
    /// each running a single-threaded gemm on its slice.
    public static func multiplyParallel(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let work = m * n * max(k, 1)
        guard Parallel.threadCount > 1, work >= 1 << 18 else {
            multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                     alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let pointers = UnsafeSendable((a, b, c))
        if m >= n {
            Parallel.forEachChunk(of: 0..<m) { rows in
                let (a, b, c) = pointers.value
                // Row i of op(A) starts at a + i*lda untransposed, at column i when transposed.
                let aSlice = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
                multiply(transposeA: transposeA, transposeB: transposeB,
                         m: rows.count, n: n, k: k, alpha: alpha, a: aSlice, lda: lda,
                         b: b, ldb: ldb, beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            Parallel.forEachChunk(of: 0..<n) { columns in
                let (a, b, c) = pointers.value
                let bSlice = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
                multiply(transposeA: transposeA, transposeB: transposeB,
                         m: m, n: columns.count, k: k, alpha: alpha, a: a, lda: lda,
                         b: bSlice, ldb: ldb, beta: beta, c: c + columns.lowerBound, ldc: ldc)
            }
        }
    }
}
