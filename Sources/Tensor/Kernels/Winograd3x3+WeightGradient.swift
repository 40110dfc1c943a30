import CKernels

/// The weight gradient of a Winograd3x3 convolution, as the adjoint of its forward pass,
/// with the forward pass's tile size (see `forwardTileSize`).
///
/// Shape legend: forward is Y = A^T [U ⊙ V] A per tile, U = G g G^T, so for s = t + 2
///   dM [s², Cout, T] = A dY A^T per t x t output-gradient tile (zero past the image edge)
///   dU [s², Cout, Cin] += dM[k] x V[k]^T   (per image group, summed in group order)
///   dW [Cout, Cin, 3, 3] = G^T dU G
extension Winograd3x3 {
    /// Tiles per block: more than the forward's, since the gemm's inner size is the tile count.
    static let weightGradientBlockTiles = 192
    /// Half as many 4x4 tiles, whose 36 transformed values per channel take 2.25x the room.
    static let weightGradientLargeBlockTiles = 96

    public static func backwardWeight(gradOutput: Tensor, input: Tensor, geometry: Conv2dGeometry) -> Tensor {
        precondition(applies(to: geometry) && input.shape == geometry.inputShape
                     && gradOutput.shape == geometry.outputShape,
                     "Winograd conv backward got gradient \(gradOutput.shape), input \(input.shape) for \(geometry)")
        let tileSize = forwardTileSize(for: geometry)
        let plan = WinogradPlan(geometry, tileSize: tileSize,
                                targetTiles: blockTiles(geometry, base: tileSize == 4 ? weightGradientLargeBlockTiles
                                                                                       : weightGradientBlockTiles))
        let (inputChannels, outputChannels) = (geometry.inputChannels, geometry.outputChannels)
        let transformedCount = plan.transformedCount * outputChannels * inputChannels
        let partials = Tensor(uninitializedShape: [plan.blocking.groupCount, transformedCount])
        let pointers = UnsafeSendable((gradOutput.storage.pointer, input.storage.pointer, partials.storage.pointer))
        plan.forEachGroup { group, images, transformedInput, transformedGradient, padded in
            let (gradOutput, input, partials) = pointers.value
            let partial = partials + group * transformedCount
            // The group's first block overwrites its partial, so nothing needs clearing.
            var beta: Float = 0
            plan.forEachBlock(in: images) { block in
                let tiles = block.tileCount
                plan.transformInput(input, block: block, into: transformedInput, stride: tiles, padded: padded)
                plan.transformOutputGradient(gradOutput, block: block, into: transformedGradient, stride: tiles)
                let (inputMatrix, outputMatrix) = (WinogradPlan.matrixStride(channels: inputChannels, tiles: tiles),
                                                   WinogradPlan.matrixStride(channels: outputChannels, tiles: tiles))
                for k in 0..<plan.transformedCount {
                    Gemm.multiply(transposeB: true, m: outputChannels, n: inputChannels, k: tiles,
                                  a: transformedGradient + k * outputMatrix, lda: tiles,
                                  b: transformedInput + k * inputMatrix, ldb: tiles, beta: beta,
                                  c: partial + k * outputChannels * inputChannels, ldc: inputChannels)
                }
                beta = 1
            }
        }
        let gradWeight = Tensor(uninitializedShape: geometry.weightShape)
        let pairs = outputChannels * inputChannels
        let (sums, target) = (partials.storage.pointer, gradWeight.storage.pointer)
        plan.blocking.addPartials(sums, count: transformedCount)
        if tileSize == 4 {
            largeTileWeightGradient(sums, pairs: pairs, into: target)
            return gradWeight
        }
        for pair in 0..<pairs {
            func row(_ index: Int) -> SIMD4<Float> {
                let base = sums + 4 * index * pairs + pair
                return SIMD4(base[0], base[pairs], base[2 * pairs], base[3 * pairs])
            }
            let (u0, u1, u2, u3) = (row(0), row(1), row(2), row(3))
            // G^T dU combines rows; (G^T dU) G then combines within each row.
            let left = (u0 + 0.5 * (u1 + u2), 0.5 * (u1 - u2), 0.5 * (u1 + u2) + u3)
            let out = target + pair * 9
            func store(_ r: SIMD4<Float>, row: Int) {
                out[3 * row] = r[0] + 0.5 * (r[1] + r[2])
                out[3 * row + 1] = 0.5 * (r[1] - r[2])
                out[3 * row + 2] = 0.5 * (r[1] + r[2]) + r[3]
            }
            store(left.0, row: 0)
            store(left.1, row: 1)
            store(left.2, row: 2)
        }
        return gradWeight
    }

    /// dW = G^T dU G from the 36 sums of F(4x4, 3x3), in Double like its weight transform.
    private static func largeTileWeightGradient(_ sums: UnsafePointer<Float>, pairs: Int,
                                                into target: UnsafeMutablePointer<Float>) {
        let g = largeTileG
        var left = [Double](repeating: 0, count: 18)
        for pair in 0..<pairs {
            // G^T dU: each kernel row a combines the six rows of dU with G's column a.
            for column in 0..<6 {
                var sum = (0.0, 0.0, 0.0)
                for row in 0..<6 {
                    let value = Double(sums[(6 * row + column) * pairs + pair])
                    sum.0 += g[row].0 * value
                    sum.1 += g[row].1 * value
                    sum.2 += g[row].2 * value
                }
                (left[column], left[6 + column], left[12 + column]) = sum
            }
            // (G^T dU) G: each kernel column b combines a row's six values with G's column b.
            let out = target + pair * 9
            for row in 0..<3 {
                var sum = (0.0, 0.0, 0.0)
                for column in 0..<6 {
                    let value = left[6 * row + column]
                    sum.0 += value * g[column].0
                    sum.1 += value * g[column].1
                    sum.2 += value * g[column].2
                }
                (out[3 * row], out[3 * row + 1], out[3 * row + 2]) = (Float(sum.0), Float(sum.1), Float(sum.2))
            }
        }
    }
}

extension WinogradPlan {
    /// dM = A dY A^T for every tile of the output gradient and output channel.
    func transformOutputGradient(_ gradient: UnsafePointer<Float>, block: WinogradBlock,
                                 into transformed: UnsafeMutablePointer<Float>, stride: Int) {
        let (height, width) = (geometry.window.outputHeight, geometry.window.outputWidth)
        let channels = geometry.outputChannels
        let matrixSize = Self.matrixStride(channels: channels, tiles: stride)
        forEachPlane(of: block, channels: channels, planeSize: height * width, stride: stride) { _, plane, column in
            if tileSize == 4 {
                let band = gradient + plane + 4 * block.tileRows.lowerBound * width
                // The same rows of the next plane (see `fillPadded`).
                PlaneRows.prefetch(band + height * width, count: 4 * block.tileRows.count * width)
                nayerd_winograd4x4_output_gradient(band, width, block.tileRows.count, tilesWide, transformed + column,
                                                   matrixSize)
            } else {
                transformSmallTileOutputGradient(gradient + plane, tileRows: block.tileRows,
                                                 into: transformed + column, matrixSize: matrixSize)
            }
        }
    }

    /// The F(2x2, 3x3) output-gradient transform of one channel's tile rows.
    private func transformSmallTileOutputGradient(_ plane: UnsafePointer<Float>, tileRows: Range<Int>,
                                                  into target: UnsafeMutablePointer<Float>, matrixSize: Int) {
        let (height, width) = (geometry.window.outputHeight, geometry.window.outputWidth)
        for tileRow in tileRows {
            let y = 2 * tileRow
            // The same rows of the next plane (see `fillPadded`).
            PlaneRows.prefetch(plane + height * width + y * width, count: min(2, height - y) * width)
            let vectorized = y + 1 < height
                ? transformOutputGradientRuns(plane + y * width, width: width,
                                              into: target + (tileRow - tileRows.lowerBound) * tilesWide,
                                              matrixSize: matrixSize)
                : 0
            for tileColumn in vectorized..<tilesWide {
                let x = 2 * tileColumn
                let first = plane + y * width + x
                let right = x + 1 < width, below = y + 1 < height
                let (a, b) = (first[0], right ? first[1] : 0)
                let (c, d) = below ? (first[width], right ? first[width + 1] : 0) : (0, 0)
                let column = target + (tileRow - tileRows.lowerBound) * tilesWide + tileColumn
                // A y: rows (a b), (a+c b+d), (a-c b-d), (-c -d); then each row (p q)
                // becomes (p, p+q, p-q, -q).
                func store(_ p: Float, _ q: Float, row: Int) {
                    let out = column + 4 * row * matrixSize
                    out[0] = p
                    out[matrixSize] = p + q
                    out[2 * matrixSize] = p - q
                    out[3 * matrixSize] = -q
                }
                store(a, b, row: 0)
                store(a + c, b + d, row: 1)
                store(a - c, b - d, row: 2)
                store(-c, -d, row: 3)
            }
        }
    }

    /// `transformOutputGradient` for runs of 8 whole tiles of one tile row (both rows
    /// and both columns inside the image), one SIMD lane per tile; returns the first
    /// tile column it did not do. `first` is the pixel (2 ty, 0).
    @inline(__always)
    func transformOutputGradientRuns(_ first: UnsafePointer<Float>, width: Int, into out: UnsafeMutablePointer<Float>,
                                     matrixSize: Int) -> Int {
        var column = 0
        let bytes = matrixSize * MemoryLayout<Float>.stride
        while 2 * (column + 8) <= width {
            let top = UnsafeRawPointer(first + 2 * column).loadUnaligned(as: SIMD16<Float>.self)
            let bottom = UnsafeRawPointer(first + width + 2 * column).loadUnaligned(as: SIMD16<Float>.self)
            let (a, b, c, d) = (top.evenHalf, top.oddHalf, bottom.evenHalf, bottom.oddHalf)
            let target = UnsafeMutableRawPointer(out + column)
            func store(_ p: SIMD8<Float>, _ q: SIMD8<Float>, row: Int) {
                let offset = 4 * row * bytes
                target.storeBytes(of: p, toByteOffset: offset, as: SIMD8<Float>.self)
                target.storeBytes(of: p + q, toByteOffset: offset + bytes, as: SIMD8<Float>.self)
                target.storeBytes(of: p - q, toByteOffset: offset + 2 * bytes, as: SIMD8<Float>.self)
                target.storeBytes(of: -q, toByteOffset: offset + 3 * bytes, as: SIMD8<Float>.self)
            }
            store(a, b, row: 0)
            store(a + c, b + d, row: 1)
            store(a - c, b - d, row: 2)
            store(-c, -d, row: 3)
            column += 8
        }
        return column
    }
}
