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
                        for outputRow in tile {
                            let target = destination + outputRow * outputWidth
                            let sourceRow = outputRow + rowShift
                            guard sourceRow >= 0 && sourceRow < phaseRows else {
                                target.update(repeating: 0, count: outputWidth)
                                continue
                            }
                            target.update(repeating: 0, count: first)
                            copy(plane + sourceRow * halfWidth + first + columnShift, to: target + first, count: end - first)
                            (target + end).update(repeating: 0, count: outputWidth - end)
                        }
                    }
                }
            }
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

    /// A short row copy (8-32 floats here) as inline vector moves instead of a memmove call.
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var x = 0
        while x + 8 <= count {
            UnsafeMutableRawPointer(target + x).storeBytes(
                of: UnsafeRawPointer(source + x).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            x += 8
        }
        while x < count {
            target[x] = source[x]
            x += 1
        }
    }
}
