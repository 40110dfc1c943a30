import Tensor

/// Tiles a batch of images into one picture for reports: images in row-major order,
/// `columns` per row, `padding` background pixels around and between them (the layout
/// of torchvision's make_grid). Callers wanting one row per class order the batch so.
public enum ImageGrid {
    /// `images` is [N, C, H, W] with C 1 or 3 and values in [0, 1] (clamped; NaN
    /// becomes 0). Bytes are round(255 * v) as torchvision's save_image computes them.
    public static func make(
        from images: Tensor, columns: Int, padding: Int = 2, background: UInt8 = 0
    ) throws(DatasetError) -> PixelImage {
        guard images.rank == 4, images.shape[0] > 0, images.shape[2] > 0, images.shape[3] > 0 else {
            throw .invalidArgument("an image grid needs a non-empty [N, C, H, W] tensor, got \(images.shape)")
        }
        let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        guard channels == 1 || channels == 3 else {
            throw .invalidArgument("an image grid needs 1 or 3 channels, got \(channels)")
        }
        guard columns > 0 else { throw .invalidArgument("grid column count \(columns) must be positive") }
        guard padding >= 0 else { throw .invalidArgument("grid padding \(padding) is negative") }
        let columnCount = min(columns, count)
        let rowCount = (count + columnCount - 1) / columnCount
        let gridWidth = columnCount * (width + padding) + padding
        let gridHeight = rowCount * (height + padding) + padding
        guard gridWidth <= PNG.maximumSide, gridHeight <= PNG.maximumSide else {
            throw .invalidArgument("grid of \(gridWidth)x\(gridHeight) pixels is too large for a PNG")
        }
        var pixels = [UInt8](repeating: background, count: gridWidth * gridHeight * channels)
        images.withUnsafeBufferPointer { source in
            for index in 0..<count {
                let originY = padding + (index / columnCount) * (height + padding)
                let originX = padding + (index % columnCount) * (width + padding)
                for channel in 0..<channels {
                    let plane = (index * channels + channel) * height * width
                    for y in 0..<height {
                        for x in 0..<width {
                            pixels[((originY + y) * gridWidth + originX + x) * channels + channel] =
                                byte(source[plane + y * width + x])
                        }
                    }
                }
            }
        }
        return try PixelImage(width: gridWidth, height: gridHeight, color: channels == 1 ? .grey : .rgb, pixels: pixels)
    }

    /// Builds the grid and writes it as a PNG file, atomically.
    public static func write(
        _ images: Tensor, columns: Int, to path: String, padding: Int = 2, background: UInt8 = 0
    ) throws(DatasetError) {
        try PNG.write(make(from: images, columns: columns, padding: padding, background: background), to: path)
    }

    private static func byte(_ value: Float) -> UInt8 {
        guard !value.isNaN else { return 0 }
        return UInt8(Swift.min(Swift.max(value * 255 + 0.5, 0), 255))
    }
}
