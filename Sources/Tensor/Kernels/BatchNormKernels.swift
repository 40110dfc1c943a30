/// Normalisation kernels (batch norm and layer norm).
///
/// Shapes:
///   batch norm   input [N, C] or [N, C, H, W] (any [N, C, ...]), viewed as N x C x S with
///                S = H * W (1 for [N, C]); statistics are per channel over M = N * S values.
///   layer norm   input [..., D], viewed as R x D rows; statistics are per row.
///
/// Channel statistics add Float blocks of at most 1024 values in Double (see
/// `ReductionKernels.productSums`): a 128x32x32 channel has 131072 terms, where one Float
/// running sum would drift by about 1e-4 relative, our whole PyTorch tolerance.
public enum BatchNormKernels {
    /// The N x C x S view of an [N, C, ...] tensor.
    public struct Layout: Equatable, Sendable {
        public let batch: Int
        public let channels: Int
        public let spatial: Int

        public init(shape: [Int]) {
            precondition(shape.count >= 2, "batch norm needs an [N, C, ...] input, got \(shape)")
            batch = shape[0]
            channels = shape[1]
            spatial = shape.dropFirst(2).reduce(1, *)
        }

        /// Values per channel.
        public var valuesPerChannel: Int { batch * spatial }
    }

    /// Per-channel mean and biased variance in one pass over each channel.
    ///
    /// The pass sums x - k and (x - k)^2 with k the channel's first value: shifting by a
    /// value near the mean removes the cancellation of E[x^2] - E[x]^2 when the mean is
    /// large against the spread (images in 0...255, say).
    public static func channelStatistics(_ input: Tensor) -> (mean: [Double], variance: [Double]) {
        let layout = Layout(shape: input.shape)
        let (channels, spatial, batch) = (layout.channels, layout.spatial, layout.batch)
        let count = Double(layout.valuesPerChannel)
        var mean = [Double](repeating: 0, count: channels)
        var variance = [Double](repeating: 0, count: channels)
        guard layout.valuesPerChannel > 0 else { return (mean, variance) }
        let x = input.storage.pointer
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            variance.withUnsafeMutableBufferPointer { varianceBuffer in
                let (means, variances) = (meanBuffer.baseAddress!, varianceBuffer.baseAddress!)
                Parallel.forEachChunk(of: 0..<channels, minimumChunk: chunk(for: layout.valuesPerChannel)) { range in
                    for c in range {
                        let shift = x[c * spatial]
                        var sum = 0.0
                        var sumOfSquares = 0.0
                        for n in 0..<batch {
                            let plane = x + (n * channels + c) * spatial
                            let sums = ReductionKernels.productSums(plane, shift: shift, plane, shift: shift, count: spatial)
                            sum += sums.sum
                            sumOfSquares += sums.products
                        }
                        let shiftedMean = sum / count
                        means[c] = Double(shift) + shiftedMean
                        variances[c] = max(0, sumOfSquares / count - shiftedMean * shiftedMean)
                    }
                }
            }
        }
        return (mean, variance)
    }

    /// Per-channel sums of dy and of dy * (x - center[c]): what every batch-norm backward needs.
    public static func channelGradientSums(
        gradOutput: Tensor, input: Tensor, center: [Double]
    ) -> (gradient: [Double], gradientTimesCentered: [Double]) {
        precondition(gradOutput.shape == input.shape,
                     "gradient \(gradOutput.shape) does not match input \(input.shape)")
        let layout = Layout(shape: input.shape)
        precondition(center.count == layout.channels, "\(center.count) centers for \(layout.channels) channels")
        let (channels, spatial, batch) = (layout.channels, layout.spatial, layout.batch)
        var sums = [Double](repeating: 0, count: channels)
        var products = [Double](repeating: 0, count: channels)
        let (dy, x) = (gradOutput.storage.pointer, input.storage.pointer)
        sums.withUnsafeMutableBufferPointer { sumBuffer in
            products.withUnsafeMutableBufferPointer { productBuffer in
                let (sumPointer, productPointer) = (sumBuffer.baseAddress!, productBuffer.baseAddress!)
                Parallel.forEachChunk(of: 0..<channels, minimumChunk: chunk(for: layout.valuesPerChannel)) { range in
                    for c in range {
                        var sum = 0.0
                        var product = 0.0
                        let mean = Float(center[c])
                        for n in 0..<batch {
                            let offset = (n * channels + c) * spatial
                            let sums = ReductionKernels.productSums(dy + offset, shift: 0, x + offset, shift: mean, count: spatial)
                            sum += sums.sum
                            product += sums.products
                        }
                        sumPointer[c] = sum
                        productPointer[c] = product
                    }
                }
            }
        }
        return (sums, products)
    }

    /// Per-channel coefficients of `channelCombination`; a nil array drops its term.
    public struct Coefficients {
        public var gradScale: [Float]?
        public var inputScale: [Float]?
        public var center: [Float]
        public var offset: [Float]

        public init(gradScale: [Float]? = nil, inputScale: [Float]? = nil, center: [Float], offset: [Float]) {
            self.gradScale = gradScale
            self.inputScale = inputScale
            self.center = center
            self.offset = offset
        }
    }

    /// out[n, c, s] = gradScale[c] * dy[n, c, s] + inputScale[c] * (x[n, c, s] - center[c]) + offset[c],
    /// then max(0, out) when `rectifiesOutput` (batch norm fused with a following relu).
    ///
    /// The forward normalisation and all three backward formulas (train, eval, the
    /// statistics op) are this one per-channel affine map over one or two tensors.
    public static func channelCombination(
        shape: [Int], gradOutput: Tensor?, input: Tensor?, coefficients: Coefficients, rectifiesOutput: Bool = false
    ) -> Tensor {
        let layout = Layout(shape: shape)
        precondition(gradOutput.map { $0.shape == shape } ?? true, "gradient \(gradOutput!.shape) does not match \(shape)")
        precondition(input.map { $0.shape == shape } ?? true, "input \(input!.shape) does not match \(shape)")
        precondition(coefficients.center.count == layout.channels && coefficients.offset.count == layout.channels,
                     "coefficients for \(coefficients.center.count) channels, shape \(shape)")
        let (channels, spatial) = (layout.channels, layout.spatial)
        let gradScale = gradOutput == nil ? nil : coefficients.gradScale
        let inputScale = input == nil ? nil : coefficients.inputScale
        let (center, offset) = (coefficients.center, coefficients.offset)
        let result = Tensor(uninitializedShape: shape)
        let out = result.storage.pointer
        // Absent tensors alias the output; their terms are skipped, so it is never read.
        let dy = gradOutput?.storage.pointer ?? out
        let x = input?.storage.pointer ?? out
        Parallel.forEachChunk(of: 0..<(layout.batch * channels), minimumChunk: chunk(for: spatial)) { planes in
            for plane in planes {
                let c = plane % channels
                let base = plane * spatial
                let k = offset[c]
                switch (gradScale, inputScale) {
                case let (a?, b?):
                    let (ga, ib, mu) = (a[c], b[c], center[c])
                    for s in base..<(base + spatial) { out[s] = ga * dy[s] + ib * (x[s] - mu) + k }
                case let (a?, nil):
                    let ga = a[c]
                    for s in base..<(base + spatial) { out[s] = ga * dy[s] + k }
                case let (nil, b?):
                    let (ib, mu) = (b[c], center[c])
                    for s in base..<(base + spatial) { out[s] = ib * (x[s] - mu) + k }
                case (nil, nil):
                    for s in base..<(base + spatial) { out[s] = k }
                }
                if rectifiesOutput {
                    for s in base..<(base + spatial) { out[s] = out[s] > 0 ? out[s] : 0 }
                }
            }
        }
        return result
    }

    /// Work per parallel chunk of about 16k values, so small tensors stay on one thread.
    static func chunk(for valuesPerItem: Int) -> Int {
        max(1, 16_384 / max(1, valuesPerItem))
    }
}

/// Layer norm over the last axis: y = (x - mean) / sqrt(var + eps) * w + b per row.
public enum LayerNormKernels {
    /// The normalised rows plus the per-row mean and 1/sqrt(var + eps) for backward.
    public static func forward(
        _ input: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float
    ) -> (output: Tensor, mean: [Float], inverseDeviation: [Float]) {
        let width = input.shape.last ?? 1
        let rows = width == 0 ? 0 : input.count / width
        var means = [Float](repeating: 0, count: rows)
        var inverses = [Float](repeating: 0, count: rows)
        let output = Tensor(uninitializedShape: input.shape)
        let (x, y) = (input.storage.pointer, output.storage.pointer)
        let w = weight?.storage.pointer
        let b = bias?.storage.pointer
        means.withUnsafeMutableBufferPointer { meanBuffer in
            inverses.withUnsafeMutableBufferPointer { inverseBuffer in
                let (meanPointer, inversePointer) = (meanBuffer.baseAddress, inverseBuffer.baseAddress)
                Parallel.forEachChunk(of: 0..<rows, minimumChunk: BatchNormKernels.chunk(for: width)) { range in
                    for r in range {
                        let row = x + r * width
                        var sum = 0.0
                        for j in 0..<width { sum += Double(row[j]) }
                        let mean = sum / Double(width)
                        var squares = 0.0
                        for j in 0..<width {
                            let d = Double(row[j]) - mean
                            squares += d * d
                        }
                        let inverse = Float(1 / (squares / Double(width) + Double(epsilon)).squareRoot())
                        let (m, out) = (Float(mean), y + r * width)
                        for j in 0..<width {
                            let normalized = (row[j] - m) * inverse
                            out[j] = normalized * (w?[j] ?? 1) + (b?[j] ?? 0)
                        }
                        meanPointer![r] = m
                        inversePointer![r] = inverse
                    }
                }
            }
        }
        return (output, means, inverses)
    }

    /// dx = inv * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) with dxhat = dy * w.
    public static func inputGradient(
        gradOutput: Tensor, input: Tensor, weight: Tensor?, mean: [Float], inverseDeviation: [Float]
    ) -> Tensor {
        let width = input.shape.last ?? 1
        let rows = mean.count
        let result = Tensor(uninitializedShape: input.shape)
        let (dy, x, dx) = (gradOutput.storage.pointer, input.storage.pointer, result.storage.pointer)
        let w = weight?.storage.pointer
        Parallel.forEachChunk(of: 0..<rows, minimumChunk: BatchNormKernels.chunk(for: width)) { range in
            for r in range {
                let offset = r * width
                let (m, inverse) = (mean[r], inverseDeviation[r])
                var sum = 0.0
                var product = 0.0
                for j in 0..<width {
                    let g = Double(dy[offset + j] * (w?[j] ?? 1))
                    sum += g
                    product += g * Double((x[offset + j] - m) * inverse)
                }
                let meanGradient = Float(sum / Double(width))
                let meanProduct = Float(product / Double(width))
                for j in 0..<width {
                    let g = dy[offset + j] * (w?[j] ?? 1)
                    let normalized = (x[offset + j] - m) * inverse
                    dx[offset + j] = inverse * (g - meanGradient - normalized * meanProduct)
                }
            }
        }
        return result
    }

    /// Column sums of dy * xhat (weight gradient) and of dy (bias gradient).
    public static func affineGradients(
        gradOutput: Tensor, input: Tensor, mean: [Float], inverseDeviation: [Float]
    ) -> (weight: Tensor, bias: Tensor) {
        let width = input.shape.last ?? 1
        var weightSums = [Double](repeating: 0, count: width)
        var biasSums = [Double](repeating: 0, count: width)
        let (dy, x) = (gradOutput.storage.pointer, input.storage.pointer)
        for r in 0..<mean.count {
            let offset = r * width
            let (m, inverse) = (mean[r], inverseDeviation[r])
            for j in 0..<width {
                let g = Double(dy[offset + j])
                weightSums[j] += g * Double((x[offset + j] - m) * inverse)
                biasSums[j] += g
            }
        }
        return (Tensor(shape: [width], scalars: weightSums.map { Float($0) }),
                Tensor(shape: [width], scalars: biasSums.map { Float($0) }))
    }
}
