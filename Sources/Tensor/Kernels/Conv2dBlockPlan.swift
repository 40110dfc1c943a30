/// The im2col path's blocks (see ImageBlocking) and the copies between the NCHW tensors
/// and a block's matrices (see Conv2dKernels). Blocks are sized so the column matrix
/// stays in cache.
/// Shape legend: column block [Cin * kh * kw, columns], output block [Cout, columns];
/// with several images, image b owns columns [b * Ho * Wo, (b + 1) * Ho * Wo).
struct Conv2dBlock {
    let firstImage: Int
    let count: Int
    /// Output rows covered; all rows when `count > 1`.
    let rows: Range<Int>
    let outputWidth: Int

    var columns: Int { count * rows.count * outputWidth }
    /// Offset of the block's first output pixel inside its image's output plane.
    var pixelOffset: Int { rows.lowerBound * outputWidth }
}

struct Conv2dBlockPlan {
    let geometry: Conv2dGeometry
    let blocking: ImageBlocking

    init(_ geometry: Conv2dGeometry, targetColumns: Int) {
        self.geometry = geometry
        blocking = ImageBlocking(batch: geometry.batch, rows: geometry.window.outputHeight,
                                 unitsPerRow: geometry.window.outputWidth, target: targetColumns)
    }

    var groupCount: Int { blocking.groupCount }
    /// Columns of the widest block.
    var blockColumns: Int { blocking.imagesPerBlock * blocking.rowsPerBlock * geometry.window.outputWidth }
    /// Floats of one column block.
    var columnCount: Int { geometry.window.patchSize * blockColumns }

    /// Runs `body` once per image group (see ImageBlocking) with its images and a scratch
    /// area holding the column block, then an output-sized block when blocks hold
    /// several images (one image's rows are read and written in place).
    func forEachGroup(_ body: (_ group: Int, _ images: Range<Int>, _ scratch: UnsafeMutablePointer<Float>) -> Void) {
        let outputBlock = blocking.imagesPerBlock > 1 ? geometry.outputChannels * blockColumns : 0
        blocking.forEachGroup(scratchCount: columnCount + outputBlock, body)
    }

    func forEachBlock(in images: Range<Int>, _ body: (Conv2dBlock) -> Void) {
        let width = geometry.window.outputWidth
        blocking.forEachBlock(in: images) { first, count, rows in
            body(Conv2dBlock(firstImage: first, count: count, rows: rows, outputWidth: width))
        }
    }

    /// The block's column matrix: the input itself for one pointwise image, else
    /// expanded into `scratch`.
    func columnMatrix(input: UnsafePointer<Float>, block: Conv2dBlock,
                      scratch: UnsafeMutablePointer<Float>) -> (pointer: UnsafePointer<Float>, stride: Int) {
        let window = geometry.window
        let first = input + block.firstImage * geometry.imageSize
        // Pointwise: output pixel p reads input pixel p.
        if block.count == 1 && window.isPointwise { return (first + block.pixelOffset, window.imagePixels) }
        for image in 0..<block.count {
            Im2col.expand(window, image: first + image * geometry.imageSize,
                          column: scratch + image * window.outputPixels, columnStride: block.columns,
                          outputRows: block.rows)
        }
        return (UnsafePointer(scratch), block.columns)
    }

    /// The block's part of an output-shaped tensor as one [Cout, columns] matrix.
    func gather(_ tensor: UnsafePointer<Float>, block: Conv2dBlock,
                scratch: UnsafeMutablePointer<Float>) -> (pointer: UnsafePointer<Float>, stride: Int) {
        let pixels = geometry.window.outputPixels
        let first = tensor + block.firstImage * geometry.outputImageSize
        if block.count == 1 { return (first + block.pixelOffset, pixels) }
        for image in 0..<block.count {
            for channel in 0..<geometry.outputChannels {
                (scratch + channel * block.columns + image * pixels)
                    .update(from: first + image * geometry.outputImageSize + channel * pixels, count: pixels)
            }
        }
        return (UnsafePointer(scratch), block.columns)
    }

    /// Where a block's [Cout, columns] product goes: straight into the output for one
    /// image's rows, else into `scratch` for `scatter` to spread over the images.
    func productTarget(output: UnsafeMutablePointer<Float>, block: Conv2dBlock,
                       scratch: UnsafeMutablePointer<Float>) -> (pointer: UnsafeMutablePointer<Float>, stride: Int) {
        block.count == 1
            ? (output + block.firstImage * geometry.outputImageSize + block.pixelOffset, geometry.window.outputPixels)
            : (scratch, block.columns)
    }

    /// Moves a block's product into the output images (when it was not written in
    /// place), adds the bias, and applies max(0, .) when `rectified`.
    func scatter(_ product: UnsafeMutablePointer<Float>, productStride: Int, bias: UnsafePointer<Float>?,
                 into output: UnsafeMutablePointer<Float>, block: Conv2dBlock, rectified: Bool) {
        let pixels = geometry.window.outputPixels
        let inPlace = block.count == 1
        if inPlace && bias == nil && !rectified { return }
        for image in 0..<block.count {
            for channel in 0..<geometry.outputChannels {
                let target = output + (block.firstImage + image) * geometry.outputImageSize + channel * pixels
                    + block.pixelOffset
                let shift = bias?[channel] ?? 0
                let length = block.rows.count * block.outputWidth
                if inPlace {
                    for p in 0..<length { target[p] += shift }
                } else {
                    let source = product + channel * productStride + image * pixels
                    for p in 0..<length { target[p] = source[p] + shift }
                }
                if rectified {
                    for p in 0..<length { target[p] = Pointwise.ReLU()(target[p]) }
                }
            }
        }
    }
}
