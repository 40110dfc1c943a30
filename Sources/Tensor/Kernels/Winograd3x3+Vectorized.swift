/// The Winograd input and output transforms on runs of 8 or 4 neighbouring tiles of one
/// tile row at once, one SIMD lane per tile. Neighbouring tiles are neighbours in the
/// V and M matrices, so each of the 16 transformed values becomes one contiguous vector
/// store (or load) instead of 8 scattered ones; the inputs of a run are two vector loads
/// per image row, split into even and odd columns.
extension WinogradPlan {
    /// V = B^T d B for the tiles of one tile row from `first` on, while 4 or more remain;
    /// returns the first tile column it did not do. `band` is the padded row above the
    /// tile row, `out` the tile row's first column in V.
    @inline(__always)
    func transformInputRuns(band: UnsafePointer<Float>, paddedWidth: Int, out: UnsafeMutablePointer<Float>,
                            matrixSize: Int) -> Int {
        var column = 0
        while column + 8 <= tilesWide {
            func row(_ index: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                let p = UnsafeRawPointer(band + index * paddedWidth + 2 * column)
                let (left, right) = (p.loadUnaligned(as: SIMD16<Float>.self),
                                     p.loadUnaligned(fromByteOffset: 8, as: SIMD16<Float>.self))
                return (left.evenHalf, left.oddHalf, right.evenHalf, right.oddHalf)
            }
            Self.storeInputTransform(row(0), row(1), row(2), row(3), to: out + column, matrixSize: matrixSize)
            column += 8
        }
        while column + 4 <= tilesWide {
            func row(_ index: Int) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
                let p = UnsafeRawPointer(band + index * paddedWidth + 2 * column)
                let (left, right) = (p.loadUnaligned(as: SIMD8<Float>.self),
                                     p.loadUnaligned(fromByteOffset: 8, as: SIMD8<Float>.self))
                return (left.evenHalf, left.oddHalf, right.evenHalf, right.oddHalf)
            }
            Self.storeInputTransform(row(0), row(1), row(2), row(3), to: out + column, matrixSize: matrixSize)
            column += 4
        }
        return column
    }

    /// d0...d3 are the tiles' four input rows, each as its four columns.
    @inline(__always)
    static func storeInputTransform<V: SIMD>(_ d0: (V, V, V, V), _ d1: (V, V, V, V), _ d2: (V, V, V, V),
                                             _ d3: (V, V, V, V), to out: UnsafeMutablePointer<Float>,
                                             matrixSize: Int) where V.Scalar == Float {
        func store(_ r: (V, V, V, V), row: Int) {
            let target = UnsafeMutableRawPointer(out + 4 * row * matrixSize)
            let bytes = matrixSize * MemoryLayout<Float>.stride
            target.storeBytes(of: r.0 - r.2, as: V.self)
            target.storeBytes(of: r.1 + r.2, toByteOffset: bytes, as: V.self)
            target.storeBytes(of: r.2 - r.1, toByteOffset: 2 * bytes, as: V.self)
            target.storeBytes(of: r.1 - r.3, toByteOffset: 3 * bytes, as: V.self)
        }
        store((d0.0 - d2.0, d0.1 - d2.1, d0.2 - d2.2, d0.3 - d2.3), row: 0)
        store((d1.0 + d2.0, d1.1 + d2.1, d1.2 + d2.2, d1.3 + d2.3), row: 1)
        store((d2.0 - d1.0, d2.1 - d1.1, d2.2 - d1.2, d2.3 - d1.3), row: 2)
        store((d1.0 - d3.0, d1.1 - d3.1, d1.2 - d3.2, d1.3 - d3.3), row: 3)
    }

    /// Y = A^T M A plus `shift` for runs of 8 whole tiles (both output columns inside the
    /// image) of one tile row; returns the first tile column it did not do. `m` is the
    /// tile row's first column in M, `first` its output pixel (2 ty, 0).
    @inline(__always)
    func transformOutputRuns(m: UnsafePointer<Float>, matrixSize: Int, shift: Float,
                             first: UnsafeMutablePointer<Float>, width: Int, hasSecondRow: Bool,
                             rectified: Bool) -> Int {
        var column = 0
        let bytes = matrixSize * MemoryLayout<Float>.stride
        while 2 * (column + 8) <= width {
            let source = UnsafeRawPointer(m + column)
            func row(_ index: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                let offset = 4 * index * bytes
                return (source.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                        source.loadUnaligned(fromByteOffset: offset + bytes, as: SIMD8<Float>.self),
                        source.loadUnaligned(fromByteOffset: offset + 2 * bytes, as: SIMD8<Float>.self),
                        source.loadUnaligned(fromByteOffset: offset + 3 * bytes, as: SIMD8<Float>.self))
            }
            let (m0, m1, m2, m3) = (row(0), row(1), row(2), row(3))
            let shifts = SIMD8<Float>(repeating: shift)
            func store(_ r: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>), at target: UnsafeMutablePointer<Float>) {
                var pixels = SIMD16<Float>()
                pixels.evenHalf = r.0 + r.1 + r.2 + shifts
                pixels.oddHalf = r.1 - r.2 - r.3 + shifts
                if rectified { pixels.replace(with: 0, where: .!(pixels .> 0)) }
                UnsafeMutableRawPointer(target).storeBytes(of: pixels, as: SIMD16<Float>.self)
            }
            let target = first + 2 * column
            store((m0.0 + m1.0 + m2.0, m0.1 + m1.1 + m2.1, m0.2 + m1.2 + m2.2, m0.3 + m1.3 + m2.3), at: target)
            if hasSecondRow {
                store((m1.0 - m2.0 - m3.0, m1.1 - m2.1 - m3.1, m1.2 - m2.2 - m3.2, m1.3 - m2.3 - m3.3),
                      at: target + width)
            }
            column += 8
        }
        return column
    }
}
