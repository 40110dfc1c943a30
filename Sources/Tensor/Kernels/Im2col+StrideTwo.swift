/// im2col for stride-2 windows through the image's four phase planes.
///
/// Phase plane (a, b) holds the pixels (2 r + a, 2 c + b). A stride-2 tap (i, j) reads
/// input (2 oh - padding + i, 2 ow - padding + j), which is phase ((i - padding) mod 2,
/// (j - padding) mod 2) at (oh + dr, ow + dc) with dr = floor((i - padding) / 2): a
/// shifted contiguous copy, as for stride 1. Gathering every other pixel straight from
/// the image took 40 % of a 16->32 stride-2 forward; splitting each channel once costs
/// one pass over it.
extension Im2col {
    static func expandStrideTwo(_ window: ConvolutionWindow, image: UnsafePointer<Float>,
                                column: UnsafeMutablePointer<Float>, columnStride: Int, tile: Range<Int>) {
        let (height, width) = (window.height, window.width)
        let (halfHeight, halfWidth) = ((height + 1) / 2, (width + 1) / 2)
        let phaseCount = halfHeight * halfWidth
        let outputWidth = window.outputWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * phaseCount) { buffer in
            let phases = buffer.baseAddress!
            for channel in 0..<window.channels {
                splitIntoPhases(image + channel * height * width, height: height, width: width, into: phases)
                for i in 0..<window.kernelHeight {
                    let (rowPhase, rowShift) = phaseAndShift(i - window.padding)
                    let phaseRows = (height - rowPhase + 1) / 2
                    for j in 0..<window.kernelWidth {
                        let (columnPhase, columnShift) = phaseAndShift(j - window.padding)
                        let phaseColumns = (width - columnPhase + 1) / 2
                        let plane = phases + (2 * rowPhase + columnPhase) * phaseCount
                        // Valid output columns: 0 <= ow + columnShift < phaseColumns.
                        let first = min(max(0, -columnShift), outputWidth)
                        let end = max(first, min(outputWidth, phaseColumns - columnShift))
                        let row = (channel * window.kernelHeight + i) * window.kernelWidth + j
                        let destination = column + row * columnStride - tile.lowerBound * outputWidth
                        if halfWidth == outputWidth {
                            copyTap(plane, rowShift: rowShift, columnShift: columnShift, phaseRows: phaseRows,
                                    columns: first..<end, width: outputWidth, tile: tile, into: destination)
                            continue
                        }
                        for outputRow in tile {
                            let target = destination + outputRow * outputWidth
                            let sourceRow = outputRow + rowShift
                            guard sourceRow >= 0 && sourceRow < phaseRows else {
                                target.update(repeating: 0, count: outputWidth)
                                continue
                            }
                            target.update(repeating: 0, count: first)
                            PlaneRows.copy(plane + sourceRow * halfWidth + first + columnShift, to: target + first, count: end - first)
                            (target + end).update(repeating: 0, count: outputWidth - end)
                        }
                    }
                }
            }
        }
    }

    /// One tap's rows of the tile when phase rows are as long as output rows (even
    /// widths, the usual case): the valid rows are one contiguous shifted copy, after
    /// which the few entries that wrapped around a row edge are set to padding, as for
    /// stride-1 "same" windows. Per-row copies of 16 floats were half of im2col's time.
    @inline(__always)
    static func copyTap(_ plane: UnsafePointer<Float>, rowShift: Int, columnShift: Int, phaseRows: Int,
                        columns: Range<Int>, width: Int, tile: Range<Int>,
                        into destination: UnsafeMutablePointer<Float>) {
        // Output rows whose source row 0 <= r + rowShift < phaseRows, inside the tile.
        let firstRow = min(max(tile.lowerBound, -rowShift), tile.upperBound)
        let endRow = max(firstRow, min(tile.upperBound, phaseRows - rowShift))
        (destination + tile.lowerBound * width).update(repeating: 0, count: (firstRow - tile.lowerBound) * width)
        (destination + endRow * width).update(repeating: 0, count: (tile.upperBound - endRow) * width)
        guard firstRow < endRow && !columns.isEmpty else {
            (destination + firstRow * width).update(repeating: 0, count: (endRow - firstRow) * width)
            return
        }
        let begin = firstRow * width + columns.lowerBound
        let end = (endRow - 1) * width + columns.upperBound
        (destination + begin).update(from: plane + begin + rowShift * width + columnShift, count: end - begin)
        for outputRow in firstRow..<endRow {
            let target = destination + outputRow * width
            for o in 0..<columns.lowerBound { target[o] = 0 }
            for o in columns.upperBound..<width { target[o] = 0 }
        }
    }

    /// offset = 2 * shift + phase with phase in {0, 1}: floor division for negative offsets.
    @inline(__always)
    static func phaseAndShift(_ offset: Int) -> (phase: Int, shift: Int) {
        let phase = offset & 1
        return (phase, (offset - phase) / 2)
    }

    /// The four phase planes [2][2][ceil(H/2)][ceil(W/2)] of one channel; entries past an
    /// odd edge are never read (the valid ranges above stop short of them).
    @inline(__always)
    static func splitIntoPhases(_ plane: UnsafePointer<Float>, height: Int, width: Int,
                                into phases: UnsafeMutablePointer<Float>) {
        let halfWidth = (width + 1) / 2
        let phaseCount = ((height + 1) / 2) * halfWidth
        for y in 0..<height {
            let line = plane + y * width
            let even = phases + (2 * (y & 1)) * phaseCount + (y / 2) * halfWidth
            let odd = even + phaseCount
            var x = 0
            while 2 * x + 16 <= width {
                let pairs = UnsafeRawPointer(line + 2 * x).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(even + x).storeBytes(of: pairs.evenHalf, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(odd + x).storeBytes(of: pairs.oddHalf, as: SIMD8<Float>.self)
                x += 8
            }
            while 2 * x < width {
                even[x] = line[2 * x]
                if 2 * x + 1 < width { odd[x] = line[2 * x + 1] }
                x += 1
            }
        }
    }
}
