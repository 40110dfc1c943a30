/// Blocks of 2x2 output tiles for Winograd3x3, and its input and output transforms.
///
/// Shape legend: a block holds several whole images (small images) or a band of tile
/// rows of one image; block column t = (image in block) * (tiles per image band)
/// + (tile row - first tile row) * tilesWide + tile column.
/// V [16, Cin, T] (k = 4 * row + column of the 4x4 transform), M [16, Cout, T].
struct WinogradBlock {
    let firstImage: Int
    let count: Int
    let tileRows: Range<Int>
    let tilesWide: Int

    var tilesPerImage: Int { tileRows.count * tilesWide }
    var tileCount: Int { count * tilesPerImage }
}

struct WinogradPlan {
    let geometry: Conv2dGeometry
    let tilesWide: Int
    let blocking: ImageBlocking

    init(_ geometry: Conv2dGeometry, targetTiles: Int) {
        self.geometry = geometry
        tilesWide = (geometry.window.outputWidth + 1) / 2
        blocking = ImageBlocking(batch: geometry.batch, rows: (geometry.window.outputHeight + 1) / 2,
                                 unitsPerRow: tilesWide, target: targetTiles)
    }

    var blockTiles: Int { blocking.imagesPerBlock * blocking.rowsPerBlock * tilesWide }

    func forEachBlock(in images: Range<Int>, _ body: (WinogradBlock) -> Void) {
        blocking.forEachBlock(in: images) { first, count, rows in
            body(WinogradBlock(firstImage: first, count: count, tileRows: rows, tilesWide: tilesWide))
        }
    }

    /// Distance between the 16 matrices of V or M. Channels x tiles is often a multiple
    /// of 4 KiB, which would put all 16 streams of a transform in the same L1 set; 16
    /// floats of slack spread them out.
    static func matrixStride(channels: Int, tiles: Int) -> Int { channels * tiles + 16 }

    /// Runs `body` once per image group with its images and a scratch: room for V and M
    /// of the widest block (16 matrices each over input and output channels), then the
    /// padded plane of `transformInput`.
    func forEachGroup(_ body: (_ group: Int, _ images: Range<Int>, _ inputMatrices: UnsafeMutablePointer<Float>,
                                _ outputMatrices: UnsafeMutablePointer<Float>, _ padded: UnsafeMutablePointer<Float>) -> Void) {
        let inputArea = 16 * Self.matrixStride(channels: geometry.inputChannels, tiles: blockTiles)
        let outputArea = 16 * Self.matrixStride(channels: geometry.outputChannels, tiles: blockTiles)
        blocking.forEachGroup(scratchCount: inputArea + outputArea + paddedPlaneCount) { group, images, scratch in
            body(group, images, scratch, scratch + inputArea, scratch + inputArea + outputArea)
        }
    }

    /// Floats of the zero-padded copy of one channel's band that `transformInput` reads.
    var paddedPlaneCount: Int { (2 * blocking.rowsPerBlock + 2) * (2 * tilesWide + 2) }

    /// V = B^T d B for every tile and input channel of the block. Each channel's band is
    /// first copied into `padded` with its zero border, so every tile loads four whole
    /// rows without bounds checks (border tiles are a large share of small images).
    func transformInput(_ input: UnsafePointer<Float>, block: WinogradBlock,
                        into transformed: UnsafeMutablePointer<Float>, stride: Int,
                        padded: UnsafeMutablePointer<Float>) {
        let (height, width) = (geometry.window.height, geometry.window.width)
        let channels = geometry.inputChannels
        let matrixSize = Self.matrixStride(channels: channels, tiles: stride)
        let paddedWidth = 2 * tilesWide + 2
        let firstRow = 2 * block.tileRows.lowerBound - 1
        let paddedRows = 2 * block.tileRows.count + 2
        let validRows = max(firstRow, 0)..<min(firstRow + paddedRows, height)
        for image in 0..<block.count {
            for channel in 0..<channels {
                let plane = input + ((block.firstImage + image) * channels + channel) * height * width
                // The next channel's plane (or the next image's first) follows this one.
                Self.fillPadded(padded, rows: paddedRows, width: paddedWidth, from: plane, imageWidth: width,
                                validRows: (validRows.lowerBound - firstRow)..<(validRows.upperBound - firstRow),
                                firstImageRow: validRows.lowerBound, prefetching: plane + height * width)
                let target = transformed + channel * stride + image * block.tilesPerImage
                for tileRow in 0..<block.tileRows.count {
                    let vectorized = transformInputRuns(band: padded + 2 * tileRow * paddedWidth, paddedWidth: paddedWidth,
                                                        out: target + tileRow * tilesWide, matrixSize: matrixSize)
                    let band = UnsafeRawPointer(padded + 2 * tileRow * paddedWidth)
                    let rowBytes = paddedWidth * MemoryLayout<Float>.stride
                    for tileColumn in vectorized..<tilesWide {
                        let corner = band + 2 * tileColumn * MemoryLayout<Float>.stride
                        let d0 = corner.loadUnaligned(as: SIMD4<Float>.self)
                        let d1 = corner.loadUnaligned(fromByteOffset: rowBytes, as: SIMD4<Float>.self)
                        let d2 = corner.loadUnaligned(fromByteOffset: 2 * rowBytes, as: SIMD4<Float>.self)
                        let d3 = corner.loadUnaligned(fromByteOffset: 3 * rowBytes, as: SIMD4<Float>.self)
                        let column = target + tileRow * tilesWide + tileColumn
                        // B^T d combines rows; (B^T d) B then combines within each row.
                        func store(_ r: SIMD4<Float>, row: Int) {
                            let out = column + 4 * row * matrixSize
                            out[0] = r[0] - r[2]
                            out[matrixSize] = r[1] + r[2]
                            out[2 * matrixSize] = r[2] - r[1]
                            out[3 * matrixSize] = r[1] - r[3]
                        }
                        store(d0 - d2, row: 0)
                        store(d1 + d2, row: 1)
                        store(d2 - d1, row: 2)
                        store(d1 - d3, row: 3)
                    }
                }
            }
        }
    }

    /// The band's rows `validRows` (image rows from `firstImageRow` on) at column 1 of the
    /// padded plane, zero everywhere else; only the border is cleared. Each row copied
    /// prefetches the same row of `nextPlane` (see `PlaneRows.prefetch`): without it the
    /// first read of every plane waited on memory, 40 % of the transform's time.
    @inline(__always)
    static func fillPadded(_ padded: UnsafeMutablePointer<Float>, rows: Int, width paddedWidth: Int,
                           from plane: UnsafePointer<Float>, imageWidth: Int, validRows: Range<Int>,
                           firstImageRow: Int, prefetching nextPlane: UnsafePointer<Float>) {
        for row in 0..<rows {
            let target = padded + row * paddedWidth
            guard validRows.contains(row) else {
                for x in 0..<paddedWidth { target[x] = 0 }
                continue
            }
            let rowOffset = (firstImageRow + row - validRows.lowerBound) * imageWidth
            PlaneRows.prefetch(nextPlane + rowOffset, count: imageWidth)
            target[0] = 0
            PlaneRows.copy(plane + rowOffset, to: target + 1, count: imageWidth)
            for x in (imageWidth + 1)..<paddedWidth { target[x] = 0 }
        }
    }

    /// Y = A^T M A for every tile and output channel of the block, plus the bias, then
    /// max(0, Y) when `rectified` (a relu fused into the convolution).
    func transformOutput(_ product: UnsafePointer<Float>, stride: Int, bias: UnsafePointer<Float>?,
                         block: WinogradBlock, into output: UnsafeMutablePointer<Float>, rectified: Bool) {
        let (height, width) = (geometry.window.outputHeight, geometry.window.outputWidth)
        let channels = geometry.outputChannels
        let matrixSize = Self.matrixStride(channels: channels, tiles: stride)
        for image in 0..<block.count {
            for channel in 0..<channels {
                let plane = output + ((block.firstImage + image) * channels + channel) * height * width
                let source = product + channel * stride + image * block.tilesPerImage
                let shift = bias?[channel] ?? 0
                for tileRow in block.tileRows {
                    let vectorized = transformOutputRuns(
                        m: source + (tileRow - block.tileRows.lowerBound) * tilesWide, matrixSize: matrixSize,
                        shift: shift, first: plane + 2 * tileRow * width, width: width, hasSecondRow: 2 * tileRow + 1 < height,
                        rectified: rectified)
                    for tileColumn in vectorized..<tilesWide {
                        let m = source + (tileRow - block.tileRows.lowerBound) * tilesWide + tileColumn
                        func row(_ index: Int) -> SIMD4<Float> {
                            let base = m + 4 * index * matrixSize
                            return SIMD4(base[0], base[matrixSize], base[2 * matrixSize], base[3 * matrixSize])
                        }
                        let (m0, m1, m2, m3) = (row(0), row(1), row(2), row(3))
                        let top = m0 + m1 + m2, bottom = m1 - m2 - m3
                        let (y, x) = (2 * tileRow, 2 * tileColumn)
                        let first = plane + y * width + x
                        func activated(_ value: Float) -> Float { rectified ? Pointwise.ReLU()(value) : value }
                        first[0] = activated(top[0] + top[1] + top[2] + shift)
                        if x + 1 < width { first[1] = activated(top[1] - top[2] - top[3] + shift) }
                        guard y + 1 < height else { continue }
                        first[width] = activated(bottom[0] + bottom[1] + bottom[2] + shift)
                        if x + 1 < width { first[width + 1] = activated(bottom[1] - bottom[2] - bottom[3] + shift) }
                    }
                }
            }
        }
    }
}
