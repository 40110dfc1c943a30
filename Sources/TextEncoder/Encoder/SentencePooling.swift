import Foundation
import Tensor

// Shape legend
//   states: [T, H] packed token states (see PackedSequences), pooled: [N, H]

/// sentence-transformers' Pooling (mode "mean") and Normalize modules.
enum SentencePooling {
    /// Writes the mean over each sequence's rows of `states` into consecutive rows of
    /// `destination`. Packed sequences hold no padding, so every row counts, which is
    /// the attention-mask-weighted mean sentence-transformers takes.
    static func meanRows(of states: Tensor, sequences: PackedSequences, into destination: UnsafeMutablePointer<Float>) {
        let width = states.shape[1]
        let source = states.storage.pointer
        for (index, (offset, length)) in zip(sequences.offsets, sequences.lengths).enumerated() {
            let mean = destination + index * width
            mean.update(repeating: 0, count: width)
            for row in offset..<offset + length {
                let line = source + row * width
                for j in 0..<width { mean[j] += line[j] }
            }
            let count = Float(length)
            for j in 0..<width { mean[j] /= count }
        }
    }

    /// Each row divided by max(its L2 norm, 1e-12), as torch.nn.functional.normalize.
    static func normalizeRows(_ matrix: inout Tensor) {
        let width = matrix.shape[1]
        let rows = matrix.shape[0]
        matrix.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for row in 0..<rows {
                let line = base + row * width
                var squares: Float = 0
                for j in 0..<width { squares += line[j] * line[j] }
                let inverse = 1 / max(squares.squareRoot(), 1e-12)
                for j in 0..<width { line[j] *= inverse }
            }
        }
    }
}
