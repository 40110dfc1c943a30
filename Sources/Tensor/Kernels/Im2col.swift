/// im2col / col2im for one image.
///
/// Shape legend:
///   image  [C, H, W]                       (one item of an NCHW batch)
///   column [C * kh * kw, Ho * Wo]          row r = (c * kh + i) * kw + j, laid out with a
///                                          row stride `columnStride` >= Ho * Wo so that
///                                          several images can sit side by side in one
///                                          column matrix [C * kh * kw, images * Ho * Wo].
/// Output position (oh, ow) reads image pixel (oh * stride - padding + i, ow * stride - padding + j);
/// positions outside the image read zero.
public struct ConvolutionWindow: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int, padding: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    public var outputPixels: Int { outputHeight * outputWidth }
    public var imagePixels: Int { height * width }
    /// Rows of the column matrix.
    public var patchSize: Int { channels * kernelHeight * kernelWidth }

    /// A 1x1, stride-1, unpadded window: the image already is its column matrix.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0
    }

    /// The output columns [first, end) whose input column ow * stride - padding + offset
    /// lies inside [0, width); the rest read padding.
    @inline(__always)
    func validOutputRange(offset: Int, size: Int, outputSize: Int) -> (Int, Int) {
        // smallest o with o * stride - padding + offset >= 0
        let shift = padding - offset
        let first = shift <= 0 ? 0 : (shift + stride - 1) / stride
        // largest o with o * stride - padding + offset <= size - 1, plus one
        let limit = size - 1 + padding - offset
        let end = limit < 0 ? 0 : limit / stride + 1
        return (min(first, outputSize), min(max(end, first), outputSize))
    }

    /// Visits every kernel tap (channel c, offset i, j) with its column-matrix row, the
    /// image offset that output (0, 0) would read (it may lie outside the image; only
    /// the valid ranges are dereferenced), and the output rows and columns whose reads
    /// fall inside the image, limited to the output rows of `tile`.
    @inline(__always)
    func forEachKernelTap(
        tile: Range<Int>, _ body: (_ row: Int, _ inputOffset: Int, _ rows: Range<Int>, _ columns: Range<Int>) -> Void
    ) {
        for channel in 0..<channels {
            for i in 0..<kernelHeight {
                let (rowFirst, rowEnd) = validOutputRange(offset: i, size: height, outputSize: outputHeight)
                let first = min(max(rowFirst, tile.lowerBound), tile.upperBound)
                let rows = first..<max(min(rowEnd, tile.upperBound), first)
                for j in 0..<kernelWidth {
                    let (columnFirst, columnEnd) = validOutputRange(offset: j, size: width, outputSize: outputWidth)
                    body((channel * kernelHeight + i) * kernelWidth + j,
                         channel * height * width + (i - padding) * width + (j - padding),
                         rows, columnFirst..<columnEnd)
                }
            }
        }
    }
}

public enum Im2col {
    /// Writes the column matrix of one image (see the legend above), or only its columns
    /// for the output rows `outputRows`: column 0 is then output pixel (outputRows.lowerBound, 0).
    public static func expand(
        _ window: ConvolutionWindow, image: UnsafePointer<Float>,
        column: UnsafeMutablePointer<Float>, columnStride: Int, outputRows: Range<Int>? = nil
    ) {
        let (outputWidth, stride) = (window.outputWidth, window.stride)
        let tile = outputRows ?? 0..<window.outputHeight
        if stride == 2 {
            expandStrideTwo(window, image: image, column: column, columnStride: columnStride, tile: tile)
            return
        }
        window.forEachKernelTap(tile: tile) { row, inputOffset, rows, columns in
            // Indexed by output pixel; only pixels of the tile are touched.
            let destination = column + row * columnStride - tile.lowerBound * outputWidth
            let source = image + inputOffset
            // Whole output rows above and below the image are padding.
            for p in tile.lowerBound * outputWidth..<rows.lowerBound * outputWidth { destination[p] = 0 }
            for p in rows.upperBound * outputWidth..<tile.upperBound * outputWidth { destination[p] = 0 }
            if stride == 1 && outputWidth == window.width && !rows.isEmpty && !columns.isEmpty {
                // "Same" stride-1 windows: output and image rows have equal length, so
                // the valid part is one shifted contiguous copy; then the few entries
                // that wrapped around a row edge are overwritten with padding.
                let begin = rows.lowerBound * outputWidth + columns.lowerBound
                let end = (rows.upperBound - 1) * outputWidth + columns.upperBound
                (destination + begin).update(from: source + begin, count: end - begin)
                for outputRow in rows {
                    let target = destination + outputRow * outputWidth
                    for o in 0..<columns.lowerBound { target[o] = 0 }
                    for o in columns.upperBound..<outputWidth { target[o] = 0 }
                }
                return
            }
            for outputRow in rows {
                let target = destination + outputRow * outputWidth
                let line = source + outputRow * stride * window.width
                target.update(repeating: 0, count: columns.lowerBound)
                if stride == 1 {
                    (target + columns.lowerBound).update(from: line + columns.lowerBound, count: columns.count)
                } else {
                    for o in columns { target[o] = line[o * stride] }
                }
                (target + columns.upperBound).update(repeating: 0, count: outputWidth - columns.upperBound)
            }
        }
    }

    /// Adds the column matrix (or the tile of it for `outputRows`) back onto an image:
    /// the adjoint of `expand`. The image must be initialised (zero, or a gradient to
    /// accumulate into).
    public static func accumulate(
        _ window: ConvolutionWindow, column: UnsafePointer<Float>, columnStride: Int,
        image: UnsafeMutablePointer<Float>, outputRows: Range<Int>? = nil
    ) {
        let (outputWidth, stride) = (window.outputWidth, window.stride)
        let tile = outputRows ?? 0..<window.outputHeight
        window.forEachKernelTap(tile: tile) { row, inputOffset, rows, columns in
            guard !columns.isEmpty else { return }
            let sourceRow = column + row * columnStride - tile.lowerBound * outputWidth
            let target = image + inputOffset
            for outputRow in rows {
                let source = sourceRow + outputRow * outputWidth
                let line = target + outputRow * stride * window.width
                if stride == 1 {
                    for o in columns { line[o] += source[o] }
                } else {
                    for o in columns { line[o * stride] += source[o] }
                }
            }
        }
    }
}
