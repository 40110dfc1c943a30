import Tensor

/// Training augmentation on float batches [B, C, H, W]: torchvision's
/// RandomCrop(size, padding) then RandomHorizontalFlip(0.5). Not differentiable; used
/// for teacher training and for the KD memory bank. The draws are `AugmentationDraw`s
/// (Tensor module), the same type and draw order as the differentiable op in synthesis,
/// so there is one definition of "a random crop and flip" in the code base.
public struct Augmentation: Sendable, Equatable {
    public let padding: Int
    public let flip: Bool
    /// The value padded pixels take, one for all channels or one per channel. Zero suits
    /// generator output; for normalised real images pass
    /// `Normalization.zeroPixelValues(channels:)` to match torchvision, which pads before
    /// normalising.
    public let fill: [Float]

    public init(padding: Int = 4, flip: Bool = true, fill: [Float] = [0]) throws(DatasetError) {
        guard padding >= 0 else { throw .invalidArgument("crop padding \(padding) is negative") }
        guard !fill.isEmpty else { throw .invalidArgument("augmentation fill needs at least one value") }
        self.padding = padding
        self.flip = flip
        self.fill = fill
    }

    /// The draws for a batch of `count` samples, in `AugmentationDraw.random`'s order.
    public func draw(count: Int, using generator: inout RandomGenerator) -> AugmentationDraw {
        AugmentationDraw.random(count: count, padding: padding, random: &generator, flip: flip)
    }

    /// Draws and applies a fresh augmentation to every sample of `batch`.
    public func apply(to batch: Tensor, using generator: inout RandomGenerator) throws(DatasetError) -> Tensor {
        guard batch.rank == 4 else { throw .invalidArgument("augmentation needs a [B, C, H, W] batch, got \(batch.shape)") }
        return try apply(draw(count: batch.shape[0], using: &generator), to: batch)
    }

    /// Applies a given draw, one crop and flip per sample.
    public func apply(_ draw: AugmentationDraw, to batch: Tensor) throws(DatasetError) -> Tensor {
        guard batch.rank == 4 else { throw .invalidArgument("augmentation needs a [B, C, H, W] batch, got \(batch.shape)") }
        let (samples, channels) = (batch.shape[0], batch.shape[1])
        guard draw.offsets.count == samples, draw.flips.count == samples else {
            throw .invalidArgument("\(draw.offsets.count) augmentation draws for \(samples) samples")
        }
        guard fill.count == 1 || fill.count == channels else {
            throw .invalidArgument("augmentation fill has \(fill.count) values for \(channels) channels")
        }
        let limit = 2 * draw.padding
        guard draw.padding == padding,
              draw.offsets.allSatisfy({ (0...limit).contains($0.dy) && (0...limit).contains($0.dx) }) else {
            throw .invalidArgument("crop offsets must lie in 0...\(2 * padding)")
        }
        return AugmentationKernels.cropAndFlip(batch, padding: padding, offsets: draw.offsets,
                                               flips: draw.flips, fill: fill)
    }
}
