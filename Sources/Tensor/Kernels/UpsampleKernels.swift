/// Nearest-neighbour 2x upsampling.
///
/// Shapes: input [N, C, H, W] -> output [N, C, 2H, 2W]; output (2h + a, 2w + b) copies
/// input (h, w) for a, b in {0, 1}. Backward sums each 2x2 output block. Parallel over
/// the N * C planes.
public enum UpsampleKernels {
    public static func nearest2xForward(_ input: Tensor) -> Tensor {
        let (planes, height, width) = planeLayout(input.shape)
        let output = Tensor(uninitializedShape: [input.shape[0], input.shape[1], 2 * height, 2 * width])
        let (x, y) = (input.storage.pointer, output.storage.pointer)
        let inputSize = height * width
        Parallel.forEachChunk(of: 0..<planes, minimumChunk: chunk(inputSize)) { range in
            for plane in range {
                let source = x + plane * inputSize
                let target = y + plane * inputSize * 4
                for h in 0..<height {
                    let row = source + h * width
                    let top = target + 2 * h * 2 * width
                    let bottom = top + 2 * width
                    for w in 0..<width {
                        let value = row[w]
                        top[2 * w] = value
                        top[2 * w + 1] = value
                        bottom[2 * w] = value
                        bottom[2 * w + 1] = value
                    }
                }
            }
        }
        return output
    }

    /// The gradient w.r.t. the input, given the gradient of a [N, C, 2H, 2W] output.
    public static func nearest2xBackward(_ gradOutput: Tensor) -> Tensor {
        let (planes, outputHeight, outputWidth) = planeLayout(gradOutput.shape)
        precondition(outputHeight % 2 == 0 && outputWidth % 2 == 0, "2x upsample gradient of odd shape \(gradOutput.shape)")
        let (height, width) = (outputHeight / 2, outputWidth / 2)
        let result = Tensor(uninitializedShape: [gradOutput.shape[0], gradOutput.shape[1], height, width])
        let (dy, dx) = (gradOutput.storage.pointer, result.storage.pointer)
        let inputSize = height * width
        Parallel.forEachChunk(of: 0..<planes, minimumChunk: chunk(inputSize)) { range in
            for plane in range {
                let source = dy + plane * inputSize * 4
                let target = dx + plane * inputSize
                for h in 0..<height {
                    let top = source + 2 * h * outputWidth
                    let bottom = top + outputWidth
                    for w in 0..<width {
                        target[h * width + w] = (top[2 * w] + top[2 * w + 1]) + (bottom[2 * w] + bottom[2 * w + 1])
                    }
                }
            }
        }
        return result
    }

    private static func planeLayout(_ shape: [Int]) -> (planes: Int, height: Int, width: Int) {
        precondition(shape.count == 4, "upsampling needs an [N, C, H, W] tensor, got \(shape)")
        return (shape[0] * shape[1], shape[2], shape[3])
    }

    private static func chunk(_ planeSize: Int) -> Int { max(1, 8_192 / max(1, planeSize)) }
}
