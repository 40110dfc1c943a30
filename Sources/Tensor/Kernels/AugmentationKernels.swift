// Shape legend
//   images, output, gradients: [N, C, H, W]
//   crop offsets (dy, dx) index the zero-padded [H + 2p, W + 2p] image, each in 0...2p;
//   mean, std: [C]
// Crop and flip map every output pixel to at most one input pixel, so both the forward
// pass and its backward are gathers over (N * C) planes, split across cores.

/// Random crop positions and horizontal flips for one batch, drawn once and then applied
/// to the images (forward) and to their gradients (backward).
public struct AugmentationDraw: Sendable, Equatable {
    public var padding: Int
    public var offsets: [(dy: Int, dx: Int)]
    public var flips: [Bool]

    public init(padding: Int, offsets: [(dy: Int, dx: Int)], flips: [Bool]) {
        self.padding = padding
        self.offsets = offsets
        self.flips = flips
    }

    /// torchvision RandomCrop(size, padding) followed by RandomHorizontalFlip(0.5).
    /// Draw order, which resumed jobs rely on for identical batches: for each sample in
    /// turn, dy = integer(in: 0...2p), then dx = integer(in: 0...2p), then (only when
    /// `flip` is true) flip = bernoulli(0.5). With `flip` false no flip draw is made.
    public static func random(count: Int, padding: Int, random: inout RandomGenerator,
                              flip: Bool = true) -> AugmentationDraw {
        precondition(count >= 0 && padding >= 0, "augmentation draw needs count >= 0 and padding >= 0, got \(count), \(padding)")
        var offsets: [(dy: Int, dx: Int)] = []
        var flips: [Bool] = []
        offsets.reserveCapacity(count)
        flips.reserveCapacity(count)
        for _ in 0..<count {
            let dy = random.integer(in: 0...(2 * padding))
            let dx = random.integer(in: 0...(2 * padding))
            offsets.append((dy, dx))
            flips.append(flip ? random.bernoulli(probability: 0.5) : false)
        }
        return AugmentationDraw(padding: padding, offsets: offsets, flips: flips)
    }

    public static func == (lhs: AugmentationDraw, rhs: AugmentationDraw) -> Bool {
        lhs.padding == rhs.padding && lhs.flips == rhs.flips
            && lhs.offsets.map(\.dy) == rhs.offsets.map(\.dy)
            && lhs.offsets.map(\.dx) == rhs.offsets.map(\.dx)
    }
}

public enum AugmentationKernels {
    /// output[n] = the H x W window at (dy, dx) of x[n] padded by `padding` on every
    /// side, mirrored left-right when flips[n]. Padding pixels take `fill` (one value, or
    /// one per channel): zero for generator output; for normalised real images the
    /// normalised value of a black pixel, as torchvision pads before normalising.
    public static func cropAndFlip(_ images: Tensor, padding: Int, offsets: [(dy: Int, dx: Int)],
                                   flips: [Bool], fill: [Float] = [0]) -> Tensor {
        gather(images, padding: padding, offsets: offsets, flips: flips, inverse: false, fill: fill)
    }

    /// The gradient of `cropAndFlip` w.r.t. its input: each input pixel receives the
    /// gradient of the one output pixel it went to, or 0 if it was cropped away.
    public static func cropAndFlipBackward(_ gradOutput: Tensor, padding: Int, offsets: [(dy: Int, dx: Int)],
                                           flips: [Bool]) -> Tensor {
        gather(gradOutput, padding: padding, offsets: offsets, flips: flips, inverse: true, fill: [0])
    }

    /// Forward: out[h, w] = in[h + dy - p, j] with j = w + dx - p, or (flipped)
    /// j = (W - 1 - w) + dx - p. The inverse map is in[y, x] <- out[y - dy + p, w] with
    /// w = x - dx + p, or (flipped) w = W - 1 - (x - dx + p), which is the same column map
    /// as the flipped forward one, so one routine with a row shift, a column sign and a
    /// column offset serves both directions.
    private static func gather(_ source: Tensor, padding: Int, offsets: [(dy: Int, dx: Int)],
                               flips: [Bool], inverse: Bool, fill: [Float]) -> Tensor {
        precondition(source.rank == 4, "cropAndFlip needs images of shape [N, C, H, W], got \(source.shape)")
        let (batch, channels, height, width) = (source.shape[0], source.shape[1], source.shape[2], source.shape[3])
        precondition(offsets.count == batch && flips.count == batch,
                     "cropAndFlip got \(offsets.count) offsets and \(flips.count) flips for \(batch) images")
        precondition(padding >= 0 && offsets.allSatisfy { (0...2 * padding).contains($0.dy) && (0...2 * padding).contains($0.dx) },
                     "crop offsets must lie in 0...\(2 * padding), got \(offsets.filter { !(0...2 * padding).contains($0.dy) || !(0...2 * padding).contains($0.dx) })")
        precondition(fill.count == 1 || fill.count == channels,
                     "cropAndFlip fill needs 1 or \(channels) values, got \(fill.count)")
        let result = Tensor(uninitializedShape: source.shape)
        let (input, output) = (source.storage.pointer, result.storage.pointer)
        let planeSize = height * width
        offsets.withUnsafeBufferPointer { offsets in
            flips.withUnsafeBufferPointer { flips in
                Parallel.forEachChunk(of: 0..<(batch * channels), minimumChunk: max(1, 8_192 / max(1, planeSize))) { planes in
                    for plane in planes {
                        let n = plane / channels
                        let padValue = fill.count == 1 ? fill[0] : fill[plane % channels]
                        let rowShift = (offsets[n].dy - padding) * (inverse ? -1 : 1)
                        let columnShift = offsets[n].dx - padding
                        // Column map j = sign * w + start.
                        let (sign, start) = flips[n] ? (-1, width - 1 + columnShift)
                            : (1, inverse ? -columnShift : columnShift)
                        // Output columns whose source column lies in 0..<W.
                        let valid = sign == 1 ? max(0, -start)..<min(width, width - start)
                            : max(0, start - width + 1)..<min(width, start + 1)
                        let from = input + plane * planeSize, to = output + plane * planeSize
                        for row in 0..<height {
                            let destination = to + row * width
                            let sourceRow = row + rowShift
                            guard (0..<height).contains(sourceRow), !valid.isEmpty else {
                                destination.update(repeating: padValue, count: width)
                                continue
                            }
                            let line = from + sourceRow * width
                            destination.update(repeating: padValue, count: valid.lowerBound)
                            for column in valid { destination[column] = line[sign * column + start] }
                            destination.advanced(by: valid.upperBound)
                                .update(repeating: padValue, count: width - valid.upperBound)
                        }
                    }
                }
            }
        }
        return result
    }

    /// (x - mean[c]) / std[c] over axis 1 of [N, C, ...].
    public static func normalizeChannels(_ x: Tensor, mean: [Float], std: [Float]) -> Tensor {
        scaleChannels(x, shift: mean, std: std)
    }

    /// The input gradient of `normalizeChannels`: gradOutput / std[c].
    public static func normalizeChannelsBackward(_ gradOutput: Tensor, std: [Float]) -> Tensor {
        scaleChannels(gradOutput, shift: nil, std: std)
    }

    private static func scaleChannels(_ x: Tensor, shift: [Float]?, std: [Float]) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] == std.count && (shift?.count ?? std.count) == std.count,
                     "normalizeChannels of \(x.shape) needs \(x.rank >= 2 ? x.shape[1] : 0) means and stds, got \(shift?.count ?? std.count) and \(std.count)")
        precondition(std.allSatisfy { $0 != 0 && $0.isFinite }, "normalizeChannels std must be finite and nonzero, got \(std)")
        let channels = x.shape[1]
        let planeSize = x.shape.dropFirst(2).reduce(1, *)
        let result = Tensor(uninitializedShape: x.shape)
        let (input, output) = (x.storage.pointer, result.storage.pointer)
        Parallel.forEachChunk(of: 0..<(x.shape[0] * channels), minimumChunk: max(1, 16_384 / max(1, planeSize))) { planes in
            for plane in planes {
                let channel = plane % channels
                let (offset, scale) = (shift?[channel] ?? 0, 1 / std[channel])
                for i in plane * planeSize..<(plane + 1) * planeSize { output[i] = (input[i] - offset) * scale }
            }
        }
        return result
    }
}
