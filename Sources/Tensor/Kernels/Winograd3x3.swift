/// 3x3, stride-1, padding-1 convolution by Winograd's minimal filtering: F(2x2, 3x3)
/// costs 16 multiplies per 2x2 output tile and channel pair instead of 36 (2.25x fewer),
/// F(4x4, 3x3) 36 per 4x4 tile instead of 144 (4x fewer). All three passes (the input
/// gradient is a forward pass) use 4x4 tiles where the image allows (see
/// `forwardTileSize`), else 2x2 tiles.
///
/// Shape legend (NCHW; output is the input's size), for tile side t and s = t + 2:
///   input [N, Cin, H, W], weight [Cout, Cin, 3, 3], output [N, Cout, H, W]
///   tiles: output (t ty + a, t tx + b) for a, b in 0..<t; tile (ty, tx) reads input rows
///          t ty - 1 ... t ty + t and the same columns (zero outside)
///   transformed weight U [s², Cout, Cin] = G g G^T per (Cout, Cin)
///   per block of T tiles: V [s², Cin, T] = B^T d B, M [s², Cout, T] = U[k] x V[k],
///   output tile = A^T M A
/// F(2x2, 3x3) transforms (Lavin & Gray): B^T rows (1 0 -1 0) (0 1 1 0) (0 -1 1 0) (0 1 0 -1);
/// G rows (1 0 0) (1/2 1/2 1/2) (1/2 -1/2 1/2) (0 0 1); A^T rows (1 1 1 0) (0 1 -1 -1).
/// F(4x4, 3x3): G rows (1/4 0 0) (-1/6 -1/6 -1/6) (-1/6 1/6 -1/6) (1/24 1/12 1/6)
/// (1/24 -1/12 1/6) (0 0 1); B^T and A^T in Sources/CKernels/Winograd4x4.c.
public enum Winograd3x3 {
    /// Tiles per block at 128 channels: V and M then stay near L2 for channel counts up
    /// to a few hundred. Fewer channels get proportionally more tiles (see `blockTiles`).
    static let targetBlockTiles = 96
    /// The same for 4x4 tiles, whose 36 transformed values per channel take 2.25x the room.
    static let targetLargeBlockTiles = 48

    /// The output tile side of the forward pass: 4 when every row of tiles splits into
    /// whole vector runs of 4x4 tiles (widths a multiple of 16, heights of 4), or when
    /// 8-pixel-wide images pair their tile rows (heights a multiple of 8, up to 64, so a
    /// block always holds whole images); else 2.
    public static func forwardTileSize(for geometry: Conv2dGeometry) -> Int {
        let (height, width) = (geometry.window.outputHeight, geometry.window.outputWidth)
        let runs = width % 16 == 0 && height % 4 == 0
        let pairs = width == 8 && height % 8 == 0 && height <= 64
        return runs || pairs ? 4 : 2
    }

    /// Tiles per block for `geometry`: V and M of about the same size as at 128 channels,
    /// so the gemms of a 16-channel layer are not too thin to run at speed.
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

    /// U = G g G^T for every (output, input) channel pair: [(t + 2)², Cout, Cin] for tile
    /// side t = `tileSize`.
    public static func transformWeight(_ weight: Tensor, tileSize: Int = 2) -> Tensor {
        precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3,
                     "Winograd weight transform needs [Cout, Cin, 3, 3], got \(weight.shape)")
        precondition(tileSize == 2 || tileSize == 4, "Winograd tiles are 2x2 or 4x4, not \(tileSize)")
        return tileSize == 2 ? transformWeightSmallTiles(weight) : transformWeightLargeTiles(weight)
    }

    private static func transformWeightSmallTiles(_ weight: Tensor) -> Tensor {
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

    /// F(4x4, 3x3)'s G, in Double: its sixths and twenty-fourths are not exact in Float,
    /// and rounding once at the end keeps U as close to exact as Float allows.
    static let largeTileG: [(Double, Double, Double)] = [
        (1.0 / 4, 0, 0), (-1.0 / 6, -1.0 / 6, -1.0 / 6), (-1.0 / 6, 1.0 / 6, -1.0 / 6),
        (1.0 / 24, 1.0 / 12, 1.0 / 6), (1.0 / 24, -1.0 / 12, 1.0 / 6), (0, 0, 1),
    ]

    private static func transformWeightLargeTiles(_ weight: Tensor) -> Tensor {
        let (outputChannels, inputChannels) = (weight.shape[0], weight.shape[1])
        let pairs = outputChannels * inputChannels
        let transformed = Tensor(uninitializedShape: [36, outputChannels, inputChannels])
        let (source, target) = (weight.storage.pointer, transformed.storage.pointer)
        let g = largeTileG
        var left = [Double](repeating: 0, count: 18)
        for pair in 0..<pairs {
            let kernel = source + pair * 9
            // G g: each of G's rows combines the kernel's three rows.
            for row in 0..<6 {
                for column in 0..<3 {
                    left[3 * row + column] = g[row].0 * Double(kernel[column]) + g[row].1 * Double(kernel[3 + column])
                        + g[row].2 * Double(kernel[6 + column])
                }
            }
            // (G g) G^T: each of G's rows combines the three columns of a row of G g.
            for row in 0..<6 {
                for column in 0..<6 {
                    let value = left[3 * row] * g[column].0 + left[3 * row + 1] * g[column].1
                        + left[3 * row + 2] * g[column].2
                    target[(6 * row + column) * pairs + pair] = Float(value)
                }
            }
        }
        return transformed
    }

    /// The convolution of `input` with the weight whose transform is `transformedWeight`,
    /// then max(0, .) when `rectified`.
    public static func forward(input: Tensor, transformedWeight: Tensor, bias: Tensor?,
                               geometry: Conv2dGeometry, rectified: Bool = false) -> Tensor {
        let tileSize = transformedWeight.shape.first == 36 ? 4 : 2
        precondition(applies(to: geometry) && input.shape == geometry.inputShape
                     && transformedWeight.shape == [(tileSize + 2) * (tileSize + 2), geometry.outputChannels,
                                                    geometry.inputChannels]
                     && (tileSize == 2 || forwardTileSize(for: geometry) == 4),
                     "Winograd conv got input \(input.shape), weight \(transformedWeight.shape) for \(geometry)")
        let output = Tensor(uninitializedShape: geometry.outputShape)
        let plan = WinogradPlan(geometry, tileSize: tileSize,
                                targetTiles: blockTiles(geometry, base: tileSize == 4 ? targetLargeBlockTiles
                                                                                       : targetBlockTiles))
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
                for k in 0..<plan.transformedCount {
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
