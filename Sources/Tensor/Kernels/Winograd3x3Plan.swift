import CKernels

/// Blocks of output tiles for Winograd3x3, and its input and output transforms: the
/// F(2x2, 3x3) ones here, the F(4x4, 3x3) ones per band in the CKernels C target (its
/// stride-4 deinterleave is where Swift's SIMD types fell back to scalar code, 4x slower).
///
/// Shape legend: a block holds several whole images (small images) or a band of tile
/// rows of one image; block column t = (image in block) * (tiles per image band)
/// + (tile row - first tile row) * tilesWide + tile column.
/// With s = tileSize + 2 (the side of a transformed tile):
/// V [s², Cin, T] (k = s * row + column of the s x s transform), M [s², Cout, T].
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
    /// The side of an output tile: 2 for F(2x2, 3x3), 4 for F(4x4, 3x3).
    let tileSize: Int
    let tilesWide: Int
    let blocking: ImageBlocking

    init(_ geometry: Conv2dGeometry, tileSize: Int = 2, targetTiles: Int) {
        precondition(tileSize == 2 || tileSize == 4, "Winograd tiles are 2x2 or 4x4, not \(tileSize)")
        self.geometry = geometry
        self.tileSize = tileSize
        tilesWide = (geometry.window.outputWidth + tileSize - 1) / tileSize
        blocking = ImageBlocking(batch: geometry.batch, rows: (geometry.window.outputHeight + tileSize - 1) / tileSize,
                                 unitsPerRow: tilesWide, target: targetTiles)
    }

    /// The number of transformed matrices (V, M and U each hold this many): 16 or 36.
    var transformedCount: Int { (tileSize + 2) * (tileSize + 2) }

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
    /// of the widest block (`transformedCount` matrices each over input and output
    /// channels), then the padded plane of `transformInput`.
    func forEachGroup(_ body: (_ group: Int, _ images: Range<Int>, _ inputMatrices: UnsafeMutablePointer<Float>,
                                _ outputMatrices: UnsafeMutablePointer<Float>, _ padded: UnsafeMutablePointer<Float>) -> Void) {
        let inputArea = transformedCount * Self.matrixStride(channels: geometry.inputChannels, tiles: blockTiles)
        let outputArea = transformedCount * Self.matrixStride(channels: geometry.outputChannels, tiles: blockTiles)
        blocking.forEachGroup(scratchCount: inputArea + outputArea + paddedPlaneCount) { group, images, scratch in
            body(group, images, scratch, scratch + inputArea, scratch + inputArea + outputArea)
        }
    }

    /// Calls `body` for every image of the block and every one of `channels` channels, with
    /// the offset of that channel's plane (of `planeSize` floats) in an NCHW tensor and of
    /// its first tile column in transformed matrices whose rows are `stride` long.
    @inline(__always)
    func forEachPlane(of block: WinogradBlock, channels: Int, planeSize: Int, stride: Int,
                      _ body: (_ channel: Int, _ plane: Int, _ column: Int) -> Void) {
        for image in 0..<block.count {
            for channel in 0..<channels {
                body(channel, ((block.firstImage + image) * channels + channel) * planeSize,
                     channel * stride + image * block.tilesPerImage)
            }
        }
    }

    /// Floats of the zero-padded copy of one channel's band that `transformInput` reads.
    var paddedPlaneCount: Int { (tileSize * blocking.rowsPerBlock + 2) * (tileSize * tilesWide + 2) }

    /// V = B^T d B for every tile and input channel of the block. Each channel's band is
    /// first copied into `padded` with its zero border, so every tile loads whole rows
    /// without bounds checks (border tiles are a large share of small images).
    func transformInput(_ input: UnsafePointer<Float>, block: WinogradBlock,
                        into transformed: UnsafeMutablePointer<Float>, stride: Int,
                        padded: UnsafeMutablePointer<Float>) {
        let (height, width) = (geometry.window.height, geometry.window.width)
        let channels = geometry.inputChannels
        let matrixSize = Self.matrixStride(channels: channels, tiles: stride)
        let paddedWidth = tileSize * tilesWide + 2
        let firstRow = tileSize * block.tileRows.lowerBound - 1
        let paddedRows = tileSize * block.tileRows.count + 2
        let validRows = max(firstRow, 0)..<min(firstRow + paddedRows, height)
        precondition(tileSize == 2 || tilesWide != 2 || block.tileRows.count % 2 == 0,
                     "paired tile rows split at \(block)")
        forEachPlane(of: block, channels: channels, planeSize: height * width, stride: stride) { _, planeOffset, column in
            let plane = input + planeOffset
            // The next channel's plane (or the next image's first) follows this one.
            Self.fillPadded(padded, rows: paddedRows, width: paddedWidth, from: plane, imageWidth: width,
                            validRows: (validRows.lowerBound - firstRow)..<(validRows.upperBound - firstRow),
                            firstImageRow: validRows.lowerBound, prefetching: plane + height * width)
            if tileSize == 4 {
                nayerd_winograd4x4_input(padded, paddedWidth, block.tileRows.count, tilesWide, transformed + column,
                                         matrixSize)
            } else {
                transformSmallTileBand(padded, paddedWidth: paddedWidth, tileRows: block.tileRows.count,
                                       into: transformed + column, matrixSize: matrixSize)
            }
        }
    }

    /// Y = A^T M A for every tile and output channel of the block, plus the bias, then
    /// max(0, Y) when `rectified` (a relu fused into the convolution).
    func transformOutput(_ product: UnsafePointer<Float>, stride: Int, bias: UnsafePointer<Float>?,
                         block: WinogradBlock, into output: UnsafeMutablePointer<Float>, rectified: Bool) {
        let (height, width) = (geometry.window.outputHeight, geometry.window.outputWidth)
        let channels = geometry.outputChannels
        let matrixSize = Self.matrixStride(channels: channels, tiles: stride)
        forEachPlane(of: block, channels: channels, planeSize: height * width, stride: stride) { channel, plane, column in
            let shift = bias?[channel] ?? 0
            if tileSize == 4 {
                nayerd_winograd4x4_output(product + column, matrixSize, block.tileRows.count, tilesWide, shift,
                                          rectified ? 1 : 0, output + plane + 4 * block.tileRows.lowerBound * width,
                                          width)
            } else {
                transformSmallTileOutput(product + column, matrixSize: matrixSize, shift: shift,
                                         tileRows: block.tileRows, into: output + plane, rectified: rectified)
            }
        }
    }

    /// The F(2x2, 3x3) input transform of one padded band.
    private func transformSmallTileBand(_ padded: UnsafePointer<Float>, paddedWidth: Int, tileRows: Int,
                                        into target: UnsafeMutablePointer<Float>, matrixSize: Int) {
        for tileRow in 0..<tileRows {
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

    /// The F(2x2, 3x3) output transform of one channel's tile rows into its plane.
    private func transformSmallTileOutput(_ source: UnsafePointer<Float>, matrixSize: Int, shift: Float,
                                          tileRows: Range<Int>, into plane: UnsafeMutablePointer<Float>,
                                          rectified: Bool) {
        let (height, width) = (geometry.window.outputHeight, geometry.window.outputWidth)
        for tileRow in tileRows {
            let vectorized = transformOutputRuns(
                m: source + (tileRow - tileRows.lowerBound) * tilesWide, matrixSize: matrixSize,
                shift: shift, first: plane + 2 * tileRow * width, width: width, hasSecondRow: 2 * tileRow + 1 < height,
                rectified: rectified)
            for tileColumn in vectorized..<tilesWide {
                let m = source + (tileRow - tileRows.lowerBound) * tilesWide + tileColumn
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
