import Tensor
import Testing

/// im2col against the definition (column row (c, i, j), column (oh, ow) holds input
/// (c, oh * stride - padding + i, ow * stride - padding + j), zero outside), for the
/// stride-2 phase-plane path and the others: odd sizes, wide rows that take the vector
/// copies, padding 0-2, kernels 1-5, and row tiles.
@Suite struct Im2colTests {
    struct Case: CustomStringConvertible, Sendable {
        let channels, height, width, kernel, stride, padding: Int
        var tile: Range<Int>? = nil
        var description: String {
            "c\(channels) \(height)x\(width) k\(kernel) s\(stride) p\(padding) tile \(tile.map { "\($0)" } ?? "all")"
        }
    }

    static let cases: [Case] = [
        Case(channels: 2, height: 32, width: 32, kernel: 3, stride: 2, padding: 1),
        Case(channels: 3, height: 7, width: 9, kernel: 3, stride: 2, padding: 0),
        Case(channels: 1, height: 37, width: 35, kernel: 5, stride: 2, padding: 2),
        Case(channels: 2, height: 16, width: 16, kernel: 1, stride: 2, padding: 0),
        Case(channels: 2, height: 33, width: 40, kernel: 3, stride: 2, padding: 1, tile: 5..<12),
        Case(channels: 2, height: 11, width: 13, kernel: 3, stride: 3, padding: 1),
        Case(channels: 2, height: 9, width: 10, kernel: 3, stride: 1, padding: 1, tile: 2..<7),
    ]

    @Test(arguments: cases)
    func expandMatchesTheDefinition(_ test: Case) {
        let window = ConvolutionWindow(channels: test.channels, height: test.height, width: test.width,
                                       kernelHeight: test.kernel, kernelWidth: test.kernel,
                                       stride: test.stride, padding: test.padding)
        var random = RandomGenerator(seed: 77)
        let image = random.normalTensor(shape: [test.channels, test.height, test.width])
        let tile = test.tile ?? 0..<window.outputHeight
        let columns = tile.count * window.outputWidth
        // Extra row stride and a sentinel show writes outside the block.
        let stride = columns + 3
        var column = [Float](repeating: .nan, count: window.patchSize * stride)
        column.withUnsafeMutableBufferPointer { buffer in
            Im2col.expand(window, image: image.storage.pointer, column: buffer.baseAddress!, columnStride: stride,
                          outputRows: test.tile)
        }
        let pixels = image.scalars
        var mismatches = 0
        for c in 0..<test.channels {
            for i in 0..<test.kernel {
                for j in 0..<test.kernel {
                    let row = (c * test.kernel + i) * test.kernel + j
                    for (index, oh) in tile.enumerated() {
                        for ow in 0..<window.outputWidth {
                            let (y, x) = (oh * test.stride - test.padding + i, ow * test.stride - test.padding + j)
                            let inside = y >= 0 && y < test.height && x >= 0 && x < test.width
                            let expected = inside ? pixels[(c * test.height + y) * test.width + x] : 0
                            if column[row * stride + index * window.outputWidth + ow] != expected { mismatches += 1 }
                        }
                    }
                    for slack in columns..<stride where !column[row * stride + slack].isNaN { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
    }
}
