/// 3x3, stride-1, padding-1 convolution by Winograd's F(2x2, 3x3): each 2x2 output tile
/// costs 16 multiplies per channel pair instead of 36, so the gemm work drops 2.25x.
///
/// Shape legend (NCHW; output is the input's size):
///   input [N, Cin, H, W], weight [Cout, Cin, 3, 3], output [N, Cout, H, W]
///   tiles: output (2 ty + a, 2 tx + b) for a, b in 0...1; tile (ty, tx) reads input rows
///          2 ty - 1 ... 2 ty + 2 and columns 2 tx - 1 ... 2 tx + 2 (zero outside)
///   transformed weight U [16, Cout, Cin] = G g G^T per (Cout, Cin)
///   per block of T tiles: V [16, Cin, T] = B^T d B, M [16, Cout, T] = U[k] x V[k],
///   output tile = A^T M A
/// Transforms (Lavin & Gray): B^T rows (1 0 -1 0) (0 1 1 0) (0 -1 1 0) (0 1 0 -1);
/// G rows (1 0 0) (1/2 1/2 1/2) (1/2 -1/2 1/2) (0 0 1); A^T rows (1 1 1 0) (0 1 -1 -1).
public enum Winograd3x3 {
    /// Tiles per block at 128 channels: V and M then stay near L2 for channel counts up
    /// to a few hundred. Fewer channels get proportionally more tiles (see `blockTiles`).
    static let targetBlockTiles = 96

    /// Tiles per block for `geometry`: V and M of about the same size as at 128 channels,
    /// so the 16 gemms of a 16-channel layer are not too thin to run at speed.
    static func blockTiles(_ geometry: Conv2dGeometry, base: Int) -> Int {
        let channels = max(geometry.inputChannels, geometry.outputChannels)
        return min(4 * base, max(base, base * 128 / max(channels, 1)))
    }
    /// Below this many input and output channels the transforms cost more than the
    /// multiplies they save.
    static let minimumChannels = 16

    /// Whether `forward` handles this convolution.
    public static func applies(to geometry: Conv2dGeometry) -> Bool {
        let window = geometry.window
        return window.kernelHeight == 3 && window.kernelWidth == 3 && window.stride == 1 && window.padding == 1
            && geometry.groups == 1 && geometry.inputChannels >= minimumChannels
            && geometry.outputChannels >= minimumChannels
    }

    /// U = G g G^T for every (output, input) channel pair: [16, Cout, Cin].
    public static func transformWeight(_ weight: Tensor) -> Tensor {
        precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3,
                     "Winograd weight transform needs [Cout, Cin, 3, 3], got \(weight.shape)")
        let (outputChannels, inputChannels) = (weight.shape[0], weight.shape[1])
        let pairs = outputChannels * inputChannels
        let transformed = Tensor(uninitializedShape: [16, outputChannels, inputChannels])
        let (source, target) = (weight.storage.pointer, transformed.storage.pointer)
        for pair in 0..<pairs {
            let g = source + pair * 9
            // G g: combine the kernel's rows; then (G g) G^T: combine within each row.
            let rows = (SIMD4(g[0], g[1], g[2], 0), SIMD4(g[3], g[4], g[5], 0), SIMD4(g[6], g[7], g[8], 0))
            let left = (rows.0, 0.5 * (rows.0 + rows.1 + rows.2), 0.5 * (rows.0 - rows.1 + rows.2), rows.2)
            func store(_ r: SIMD4<Float>, row: Int) {
                let out = target + 4 * row * pairs + pair
                out[0] = r[0]
                out[pairs] = 0.5 * (r[0] + r[1] + r[2])
                out[2 * pairs] = 0.5 * (r[0] - r[1] + r[2])
                out[3 * pairs] = r[2]
            }
            store(left.0, row: 0)
            store(left.1, row: 1)
            store(left.2, row: 2)
            store(left.3, row: 3)
        }
        return transformed
    }

    /// The convolution of `input` with the weight whose transform is `transformedWeight`,
    /// then max(0, .) when `rectified`.
    public static func forward(input: Tensor, transformedWeight: Tensor, bias: Tensor?,
                               geometry: Conv2dGeometry, rectified: Bool = false) -> Tensor {
        precondition(applies(to: geometry) && input.shape == geometry.inputShape
                     && transformedWeight.shape == [16, geometry.outputChannels, geometry.inputChannels],
                     "Winograd conv got input \(input.shape), weight \(transformedWeight.shape) for \(geometry)")
        let output = Tensor(uninitializedShape: geometry.outputShape)
        let plan = WinogradPlan(geometry, targetTiles: blockTiles(geometry, base: targetBlockTiles))
        let (inputChannels, outputChannels) = (geometry.inputChannels, geometry.outputChannels)
        let pointers = UnsafeSendable((input.storage.pointer, transformedWeight.storage.pointer,
                                       bias?.storage.pointer, output.storage.pointer))
        plan.forEachGroup { _, images, transformedInput, product, padded in
            let (input, weight, bias, output) = pointers.value
            plan.forEachBlock(in: images) { block in
                let tiles = block.tileCount
                plan.transformInput(input, block: block, into: transformedInput, stride: tiles, padded: padded)
                let (inputMatrix, outputMatrix) = (WinogradPlan.matrixStride(channels: inputChannels, tiles: tiles),
                                                   WinogradPlan.matrixStride(channels: outputChannels, tiles: tiles))
                for k in 0..<16 {
                    Gemm.multiply(m: outputChannels, n: tiles, k: inputChannels,
                                  a: weight + k * outputChannels * inputChannels, lda: inputChannels,
                                  b: transformedInput + k * inputMatrix, ldb: tiles,
                                  c: product + k * outputMatrix, ldc: tiles)
                }
                plan.transformOutput(product, stride: tiles, bias: bias, block: block, into: output, rectified: rectified)
            }
        }
        return output
    }
}
