/// 2-D convolution as im2col + gemm, parallel over images. 3x3 stride-1 padding-1
/// convolutions with at least 16 channels on each side go to Winograd3x3 instead (all
/// three passes), which needs 2.25x fewer multiplies.
///
/// Shape legend (NCHW, see Conv2dGeometry):
///   input [N, Cin, H, W], weight [Cout, Cin/g, kh, kw], bias [Cout], output [N, Cout, Ho, Wo]
///   column block [Cin * kh * kw, B * Ho * Wo] for B images side by side (see Im2col)
///
/// Per group, per block of B images:
///   forward          Y[Cout/g, B*HoWo]  = W[Cout/g, K]   x col[K, B*HoWo]
///   backward input   dcol[K, B*HoWo]    = W^T[K, Cout/g] x dY[Cout/g, B*HoWo], then col2im
///   backward weight  dW^T[K, Cout/g]   += col[K, B*HoWo] x dY^T[B*HoWo, Cout/g]
///
/// Why blocks: a whole-batch gemm has one huge column matrix that falls out of cache, and
/// one gemm per small image (8x8) is too thin for the BLAS kernels to run at speed. A
/// block holds enough images (or, for large images, enough output rows of one image) to
/// give each gemm about `targetBlockColumns` columns. Blocks come from a fixed partition
/// of the batch into image groups (see ImageBlocking), so results do not depend on the
/// thread count; each worker reuses one scratch area for all its groups' blocks, and
/// OpenBLAS runs single-threaded inside each worker.
public enum Conv2dKernels {
    /// Columns (output pixels over the images of a block) that a block aims for. Measured
    /// on Zen 4 at batch 256: 128-256 beat 512 and 1024 on every benchmark shape (the
    /// column block then stays in L2 while OpenBLAS packs it).
    static let targetBlockColumns = 256
    /// The most columns a weight-gradient block takes, whose gemm sums over the columns:
    /// at 3 input channels (27 patch rows) a 256-column block made the gemm too small for
    /// OpenBLAS's packed kernels, and 512 took the 3->16 weight gradient from 2.0-2.4 to
    /// 1.7-1.9 ms. Blocks still hold at most one image where an image has 256 or more
    /// output pixels (see `weightGradientBlockColumns(_:)`).
    static let maximumWeightGradientBlockColumns = 512

    /// Up to 512 columns, but not more than one image once an image fills a default
    /// block: a one-image block reads its output gradient in place, where two images
    /// would first be gathered into one matrix (2 % slower on the stride-2 row).
    static func weightGradientBlockColumns(_ geometry: Conv2dGeometry) -> Int {
        min(maximumWeightGradientBlockColumns, max(targetBlockColumns, geometry.window.outputPixels))
    }

    /// The convolution, then max(0, .) when `rectified` (a relu fused into the output
    /// pass; inference only, as nothing keeps the pre-activation for backward).
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?,
                               geometry: Conv2dGeometry, rectified: Bool = false) -> Tensor {
        precondition(input.shape == geometry.inputShape && weight.shape == geometry.weightShape,
                     "conv2d kernel got input \(input.shape), weight \(weight.shape) for \(geometry)")
        precondition(bias == nil || bias!.shape == [geometry.outputChannels],
                     "conv2d bias \(bias!.shape) for \(geometry.outputChannels) output channels")
        if Winograd3x3.applies(to: geometry) {
            let tileSize = Winograd3x3.forwardTileSize(for: geometry)
            return Winograd3x3.forward(input: input,
                                       transformedWeight: Winograd3x3.transformWeight(weight, tileSize: tileSize),
                                       bias: bias, geometry: geometry, rectified: rectified)
        }
        if StrideTwoConvolution.applies(to: geometry) {
            return StrideTwoConvolution.forward(input: input, weight: weight, bias: bias, geometry: geometry,
                                                rectified: rectified)
        }
        let output = Tensor(uninitializedShape: geometry.outputShape)
        let plan = Conv2dBlockPlan(geometry, targetColumns: targetBlockColumns)
        let pointers = UnsafeSendable((input.storage.pointer, weight.storage.pointer,
                                       bias?.storage.pointer, output.storage.pointer))
        plan.forEachGroup { _, images, scratch in
            let (input, weight, bias, output) = pointers.value
            plan.forEachBlock(in: images) { block in
                let column = plan.columnMatrix(input: input, block: block, scratch: scratch)
                let (product, productStride) = plan.productTarget(output: output, block: block,
                                                                  scratch: scratch + plan.columnCount)
                for group in 0..<geometry.groups {
                    Gemm.multiply(m: geometry.groupOutputChannels, n: block.columns, k: geometry.groupPatchSize,
                                  a: weight + group * geometry.groupOutputChannels * geometry.groupPatchSize,
                                  lda: geometry.groupPatchSize,
                                  b: column.pointer + group * geometry.groupPatchSize * column.stride,
                                  ldb: column.stride,
                                  c: product + group * geometry.groupOutputChannels * productStride,
                                  ldc: productStride)
                }
                plan.scatter(product, productStride: productStride, bias: bias, into: output, block: block,
                             rectified: rectified)
            }
        }
        return output
    }

    /// dL/dinput for a given dL/doutput.
    public static func backwardInput(gradOutput: Tensor, weight: Tensor, geometry: Conv2dGeometry) -> Tensor {
        precondition(gradOutput.shape == geometry.outputShape && weight.shape == geometry.weightShape,
                     "conv2d backward got gradient \(gradOutput.shape), weight \(weight.shape) for \(geometry)")
        // A 3x3 "same" convolution's input gradient is the same kind of convolution of the
        // output gradient, with the kernel flipped and its channel axes swapped.
        if Winograd3x3.applies(to: geometry),
           let transposed = Conv2dGeometry(inputShape: geometry.outputShape,
                                           weightShape: [geometry.inputChannels, geometry.outputChannels, 3, 3],
                                           stride: 1, padding: 1, groups: 1) {
            let tileSize = Winograd3x3.forwardTileSize(for: transposed)
            return Winograd3x3.forward(input: gradOutput,
                                       transformedWeight: Winograd3x3.transformWeight(flippedTranspose(weight),
                                                                                      tileSize: tileSize),
                                       bias: nil, geometry: transposed)
        }
        let gradInput = Tensor(uninitializedShape: geometry.inputShape)
        let plan = Conv2dBlockPlan(geometry, targetColumns: targetBlockColumns)
        let window = geometry.window
        let pointers = UnsafeSendable((gradOutput.storage.pointer, weight.storage.pointer,
                                       gradInput.storage.pointer))
        plan.forEachGroup { _, images, scratch in
            let (gradOutput, weight, gradInput) = pointers.value
            plan.forEachBlock(in: images) { block in
                let upstream = plan.gather(gradOutput, block: block, scratch: scratch + plan.columnCount)
                let firstGradient = gradInput + block.firstImage * geometry.imageSize
                // A pointwise single image needs no col2im: its column matrix is the image.
                let direct = block.count == 1 && window.isPointwise
                let (columnGradient, columnStride) = direct
                    ? (firstGradient + block.pixelOffset, window.imagePixels) : (scratch, block.columns)
                for group in 0..<geometry.groups {
                    Gemm.multiply(transposeA: true,
                                  m: geometry.groupPatchSize, n: block.columns, k: geometry.groupOutputChannels,
                                  a: weight + group * geometry.groupOutputChannels * geometry.groupPatchSize,
                                  lda: geometry.groupPatchSize,
                                  b: upstream.pointer + group * geometry.groupOutputChannels * upstream.stride,
                                  ldb: upstream.stride,
                                  c: columnGradient + group * geometry.groupPatchSize * columnStride,
                                  ldc: columnStride)
                }
                guard !direct else { return }
                // Bands of one image run top to bottom in this worker: clear it at the first.
                if block.rows.lowerBound == 0 {
                    firstGradient.update(repeating: 0, count: block.count * geometry.imageSize)
                }
                for image in 0..<block.count {
                    Im2col.accumulate(window, column: columnGradient + image * window.outputPixels,
                                      columnStride: columnStride,
                                      image: firstGradient + image * geometry.imageSize, outputRows: block.rows)
                }
            }
        }
        return gradInput
    }

    /// dL/dweight for a given dL/doutput. Each image group sums into its own partial, and
    /// the partials are added in group order, so results repeat bit for bit at any
    /// thread count.
    public static func backwardWeight(gradOutput: Tensor, input: Tensor, geometry: Conv2dGeometry) -> Tensor {
        precondition(gradOutput.shape == geometry.outputShape && input.shape == geometry.inputShape,
                     "conv2d backward got gradient \(gradOutput.shape), input \(input.shape) for \(geometry)")
        if Winograd3x3.applies(to: geometry) {
            return Winograd3x3.backwardWeight(gradOutput: gradOutput, input: input, geometry: geometry)
        }
        if StrideTwoConvolution.applies(to: geometry) {
            return StrideTwoConvolution.backwardWeight(gradOutput: gradOutput, input: input, geometry: geometry)
        }
        let weightCount = geometry.outputChannels * geometry.groupPatchSize
        let plan = Conv2dBlockPlan(geometry, targetColumns: weightGradientBlockColumns(geometry))
        let partials = Tensor(uninitializedShape: [plan.groupCount, weightCount])
        let pointers = UnsafeSendable((gradOutput.storage.pointer, input.storage.pointer,
                                       partials.storage.pointer))
        plan.forEachGroup { imageGroup, images, scratch in
            let (gradOutput, input, partials) = pointers.value
            let partial = partials + imageGroup * weightCount
            // The group's first block overwrites its partial, so nothing needs clearing.
            var beta: Float = 0
            plan.forEachBlock(in: images) { block in
                let column = plan.columnMatrix(input: input, block: block, scratch: scratch)
                let upstream = plan.gather(gradOutput, block: block, scratch: scratch + plan.columnCount)
                // dW^T = col x dY^T: the tall orientation runs at about twice the speed
                // of dY x col^T in OpenBLAS for few output channels.
                for group in 0..<geometry.groups {
                    Gemm.multiply(transposeB: true,
                                  m: geometry.groupPatchSize, n: geometry.groupOutputChannels,
                                  k: block.columns,
                                  a: column.pointer + group * geometry.groupPatchSize * column.stride,
                                  lda: column.stride,
                                  b: upstream.pointer + group * geometry.groupOutputChannels * upstream.stride,
                                  ldb: upstream.stride, beta: beta,
                                  c: partial + group * geometry.groupOutputChannels * geometry.groupPatchSize,
                                  ldc: geometry.groupOutputChannels)
                }
                beta = 1
            }
        }
        // Sum the partials in image-group order and transpose each group's [K, Cout/g] back.
        let gradWeight = Tensor(uninitializedShape: geometry.weightShape)
        let (total, partialBase) = (gradWeight.storage.pointer, partials.storage.pointer)
        let (channels, patch) = (geometry.groupOutputChannels, geometry.groupPatchSize)
        for group in 0..<geometry.groups {
            let groupOffset = group * channels * patch
            for channel in 0..<channels {
                let row = total + groupOffset + channel * patch
                for element in 0..<patch {
                    var sum: Float = 0
                    for imageGroup in 0..<plan.groupCount {
                        sum += partialBase[imageGroup * weightCount + groupOffset + element * channels + channel]
                    }
                    row[element] = sum
                }
            }
        }
        return gradWeight
    }

    /// dL/dbias: the upstream gradient summed over images and pixels, per channel.
    public static func backwardBias(gradOutput: Tensor) -> Tensor {
        precondition(gradOutput.rank == 4, "conv2d bias gradient needs a rank-4 gradient, got \(gradOutput.shape)")
        let (batch, channels) = (gradOutput.shape[0], gradOutput.shape[1])
        let pixels = gradOutput.shape[2] * gradOutput.shape[3]
        let gradBias = Tensor(uninitializedShape: [channels])
        let pointers = UnsafeSendable((gradOutput.storage.pointer, gradBias.storage.pointer))
        Parallel.forEach(0..<channels, minimumChunk: max(1, (1 << 16) / max(1, batch * pixels))) { channel in
            let (gradient, result) = pointers.value
            var total: Float = 0
            for image in 0..<batch {
                let plane = gradient + (image * channels + channel) * pixels
                total += Conv2dKernels.sum(plane, count: pixels)
            }
            result[channel] = total
        }
        return gradBias
    }

    /// weight[o, i, y, x] -> result[i, o, kh - 1 - y, kw - 1 - x].
    static func flippedTranspose(_ weight: Tensor) -> Tensor {
        let (outputs, inputs, height, width) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let result = Tensor(uninitializedShape: [inputs, outputs, height, width])
        let (source, target) = (weight.storage.pointer, result.storage.pointer)
        let taps = height * width
        for output in 0..<outputs {
            for input in 0..<inputs {
                let from = source + (output * inputs + input) * taps
                let to = target + (input * outputs + output) * taps
                for tap in 0..<taps { to[taps - 1 - tap] = from[tap] }
            }
        }
        return result
    }

    /// A sum over four interleaved accumulators: the adds pipeline instead of waiting on
    /// one running total, and the order is fixed, so results repeat exactly.
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var (a, b, c, d): (Float, Float, Float, Float) = (0, 0, 0, 0)
        var i = 0
        while i + 4 <= count {
            a += values[i]; b += values[i + 1]; c += values[i + 2]; d += values[i + 3]
            i += 4
        }
        while i < count { a += values[i]; i += 1 }
        return (a + b) + (c + d)
    }
}
