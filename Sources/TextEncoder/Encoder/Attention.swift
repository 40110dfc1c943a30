import Foundation
import Tensor

// Shape legend
//   T: tokens of all sequences of a batch, packed one sequence after another (no padding)
//   H: hidden size, A: heads, d = H / A: head size
//   queryKeyValue: [T, 3H], each row [q | k | v], head a at columns a*d ..< (a+1)*d of each part
//   context: [T, H], heads side by side as BERT's "transpose back and reshape" gives them

/// Where each sequence of a packed batch lives: its rows are `offset ..< offset + length`.
struct PackedSequences: Sendable {
    let offsets: [Int]
    let lengths: [Int]
    var tokenCount: Int { (offsets.last ?? 0) + (lengths.last ?? 0) }

    init(lengths: [Int]) {
        self.lengths = lengths
        var offsets: [Int] = []
        var next = 0
        for length in lengths {
            offsets.append(next)
            next += length
        }
        self.offsets = offsets
    }
}

/// BERT self-attention, softmax(q k^T / sqrt(d)) v per head, run on each sequence's own
/// rows. Packing replaces the padding mask: a padded key would get weight exp(-inf) = 0
/// anyway, so skipping it gives the same numbers, and no work is spent on [PAD] tokens.
/// Each (sequence, head) pair reads and writes disjoint slices, so pairs run in parallel
/// and the result does not depend on how sequences are grouped into batches.
enum SelfAttention {
    static func context(queryKeyValue: Tensor, sequences: PackedSequences, heads: Int) -> Tensor {
        let hidden = queryKeyValue.shape[1] / 3
        let headSize = hidden / heads
        let context = Tensor(uninitializedShape: [sequences.tokenCount, hidden])
        let scale = 1 / Float(headSize).squareRoot()
        let pointers = UnsafeSendable((queryKeyValue.storage.pointer, context.storage.pointer))
        let tasks = sequences.lengths.count * heads
        let longest = sequences.lengths.max() ?? 1
        // A pair costs about 2 * L^2 * d multiply-adds; keep ~64k of them per chunk.
        let minimumChunk = max(1, (1 << 16) / max(1, 2 * longest * longest * headSize))
        Parallel.forEach(0..<tasks, minimumChunk: minimumChunk) { task in
            let (qkv, output) = pointers.value
            let (sequence, head) = task.quotientAndRemainder(dividingBy: heads)
            let (offset, length) = (sequences.offsets[sequence], sequences.lengths[sequence])
            let rows = qkv + offset * 3 * hidden + head * headSize
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: length * length)
            defer { scores.deallocate() }
            Gemm.multiply(transposeB: true, m: length, n: length, k: headSize, alpha: scale,
                          a: rows, lda: 3 * hidden, b: rows + hidden, ldb: 3 * hidden,
                          c: scores, ldc: length)
            for row in 0..<length { softmaxInPlace(scores + row * length, count: length) }
            Gemm.multiply(m: length, n: headSize, k: length, a: scores, lda: length,
                          b: rows + 2 * hidden, ldb: 3 * hidden,
                          c: output + offset * hidden + head * headSize, ldc: hidden)
        }
        return context
    }

    /// Stabilised by the row maximum, as torch.softmax.
    private static func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for k in 0..<count { maximum = max(maximum, x[k]) }
        var total: Float = 0
        for k in 0..<count {
            x[k] = exp(x[k] - maximum)
            total += x[k]
        }
        let inverse = 1 / total
        for k in 0..<count { x[k] *= inverse }
    }
}
