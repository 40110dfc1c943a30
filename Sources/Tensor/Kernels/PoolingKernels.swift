/// 2-d pooling kernels.
///
/// Shapes: input [N, C, H, W] -> output [N, C, OH, OW]. Every pooling here reads, for
/// output (i, j), the input window rows[i] x columns[j] of one N, C plane; the windows
/// ("bins") are computed once per call:
///   max/avg pool   start = i * stride - padding, clamped to the input, length <= kernel
///   adaptive avg   start = floor(i * H / OH), end = ceil((i + 1) * H / OH)
/// Planes are independent, so every kernel runs in parallel over the N * C planes.
public enum PoolingKernels {
    /// The windows along one axis: output i reads input starts[i] ..< ends[i].
    public struct Bins: Equatable, Sendable {
        public let starts: [Int]
        public let ends: [Int]

        public var count: Int { starts.count }

        /// Windows of a strided pooling; output size floor((size + 2 padding - kernel) / stride) + 1.
        public init(size: Int, kernelSize: Int, stride: Int, padding: Int) {
            precondition(kernelSize > 0 && stride > 0 && padding >= 0, "pooling needs positive kernel \(kernelSize) and stride \(stride)")
            precondition(padding * 2 <= kernelSize, "padding \(padding) exceeds half the kernel \(kernelSize)")
            let outputs = (size + 2 * padding - kernelSize) / stride + 1
            precondition(size + 2 * padding >= kernelSize, "kernel \(kernelSize) larger than padded input \(size)")
            starts = (0..<outputs).map { max(0, $0 * stride - padding) }
            ends = (0..<outputs).map { min(size, $0 * stride - padding + kernelSize) }
        }

        /// PyTorch's adaptive bins, which cover the input exactly and overlap when size is not a multiple of outputs.
        public init(size: Int, adaptiveOutputs outputs: Int) {
            precondition(outputs > 0 && size > 0, "adaptive pooling of size \(size) to \(outputs)")
            starts = (0..<outputs).map { $0 * size / outputs }
            ends = (0..<outputs).map { (($0 + 1) * size + outputs - 1) / outputs }
        }
    }

    struct Planes {
        let count: Int
        let inputHeight: Int
        let inputWidth: Int

        init(shape: [Int]) {
            precondition(shape.count == 4, "pooling needs an [N, C, H, W] input, got \(shape)")
            count = shape[0] * shape[1]
            inputHeight = shape[2]
            inputWidth = shape[3]
        }

        var inputSize: Int { inputHeight * inputWidth }
    }

    /// Maximum of each window and the in-plane index of the first maximum (ties go to the
    /// first in row-major order, and NaN wins, as in PyTorch), for the backward scatter.
    public static func maxPoolForward(_ input: Tensor, rows: Bins, columns: Bins) -> (output: Tensor, indices: [Int32]) {
        let planes = Planes(shape: input.shape)
        let outputSize = rows.count * columns.count
        let output = Tensor(uninitializedShape: [input.shape[0], input.shape[1], rows.count, columns.count])
        var indices = [Int32](repeating: 0, count: planes.count * outputSize)
        let (x, y) = (input.storage.pointer, output.storage.pointer)
        indices.withUnsafeMutableBufferPointer { indexBuffer in
            let index = indexBuffer.baseAddress!
            Parallel.forEachChunk(of: 0..<planes.count, minimumChunk: chunk(planes.inputSize)) { range in
                for plane in range {
                    let source = x + plane * planes.inputSize
                    var o = plane * outputSize
                    for i in 0..<rows.count {
                        for j in 0..<columns.count {
                            var best = -Float.infinity
                            var bestIndex = rows.starts[i] * planes.inputWidth + columns.starts[j]
                            for h in rows.starts[i]..<rows.ends[i] {
                                for w in columns.starts[j]..<columns.ends[j] {
                                    let value = source[h * planes.inputWidth + w]
                                    if value > best || value.isNaN {
                                        best = value
                                        bestIndex = h * planes.inputWidth + w
                                        if value.isNaN { break }
                                    }
                                }
                                if best.isNaN { break }
                            }
                            y[o] = best
                            index[o] = Int32(bestIndex)
                            o += 1
                        }
                    }
                }
            }
        }
        return (output, indices)
    }

    /// Routes each output gradient to its window's maximum; overlapping windows add up.
    public static func maxPoolBackward(_ gradOutput: Tensor, indices: [Int32], inputShape: [Int]) -> Tensor {
        let planes = Planes(shape: inputShape)
        let outputSize = gradOutput.count / max(1, planes.count)
        precondition(indices.count == gradOutput.count, "\(indices.count) indices for gradient \(gradOutput.shape)")
        let result = Tensor(zeros: inputShape)
        let (dy, dx) = (gradOutput.storage.pointer, result.storage.pointer)
        indices.withUnsafeBufferPointer { indexBuffer in
            let index = indexBuffer.baseAddress!
            Parallel.forEachChunk(of: 0..<planes.count, minimumChunk: chunk(planes.inputSize)) { range in
                for plane in range {
                    let target = dx + plane * planes.inputSize
                    for o in (plane * outputSize)..<((plane + 1) * outputSize) {
                        target[Int(index[o])] += dy[o]
                    }
                }
            }
        }
        return result
    }

    /// Mean of each window (divided by the window's own size).
    public static func averagePoolForward(_ input: Tensor, rows: Bins, columns: Bins) -> Tensor {
        let planes = Planes(shape: input.shape)
        let output = Tensor(uninitializedShape: [input.shape[0], input.shape[1], rows.count, columns.count])
        let (x, y) = (input.storage.pointer, output.storage.pointer)
        forEachWindow(planes, rows: rows, columns: columns) { plane, o, window, columnRange in
            let source = x + plane * planes.inputSize
            var total: Float = 0
            for h in window.rows {
                let row = source + h * planes.inputWidth
                for w in columnRange { total += row[w] }
            }
            y[o] = total / window.area
        }
        return output
    }

    /// Spreads each output gradient evenly over its window.
    public static func averagePoolBackward(_ gradOutput: Tensor, inputShape: [Int], rows: Bins, columns: Bins) -> Tensor {
        let planes = Planes(shape: inputShape)
        precondition(gradOutput.shape == [inputShape[0], inputShape[1], rows.count, columns.count],
                     "gradient \(gradOutput.shape) does not fit input \(inputShape) pooled to \(rows.count)x\(columns.count)")
        let result = Tensor(zeros: inputShape)
        let (dy, dx) = (gradOutput.storage.pointer, result.storage.pointer)
        forEachWindow(planes, rows: rows, columns: columns) { plane, o, window, columnRange in
            let target = dx + plane * planes.inputSize
            let share = dy[o] / window.area
            for h in window.rows {
                let row = target + h * planes.inputWidth
                for w in columnRange { row[w] += share }
            }
        }
        return result
    }

    /// Calls `body(plane, outputIndex, (rows, area), columns)` for every output element,
    /// in parallel over planes; each plane's outputs are visited by one thread.
    private static func forEachWindow(
        _ planes: Planes, rows: Bins, columns: Bins,
        _ body: (_ plane: Int, _ output: Int, _ window: (rows: Range<Int>, area: Float), _ columns: Range<Int>) -> Void
    ) {
        let outputSize = rows.count * columns.count
        Parallel.forEachChunk(of: 0..<planes.count, minimumChunk: chunk(planes.inputSize)) { range in
            for plane in range {
                var o = plane * outputSize
                for i in 0..<rows.count {
                    let rowRange = rows.starts[i]..<rows.ends[i]
                    for j in 0..<columns.count {
                        let columnRange = columns.starts[j]..<columns.ends[j]
                        body(plane, o, (rowRange, Float(rowRange.count * columnRange.count)), columnRange)
                        o += 1
                    }
                }
            }
        }
    }

    private static func chunk(_ planeSize: Int) -> Int { max(1, 8_192 / max(1, planeSize)) }
}
