/// How a convolution's batch is cut into workers and blocks of images, and the copies
/// between the NCHW tensors and a block's side-by-side matrices (see Conv2dKernels).
///
/// Shape legend: column block [Cin * kh * kw, B * Ho * Wo], output block [Cout, B * Ho * Wo];
/// image b of the block owns columns [b * Ho * Wo, (b + 1) * Ho * Wo).
struct Conv2dBlockPlan {
    let geometry: Conv2dGeometry
    let workerCount: Int
    let imagesPerBlock: Int

    init(_ geometry: Conv2dGeometry, targetColumns: Int) {
        self.geometry = geometry
        workerCount = max(1, min(Parallel.threadCount, geometry.batch))
        let imagesPerWorker = (geometry.batch + workerCount - 1) / workerCount
        imagesPerBlock = max(1, min(imagesPerWorker, targetColumns / geometry.window.outputPixels))
    }

    /// Floats of one worker's column block.
    var columnCount: Int { geometry.window.patchSize * imagesPerBlock * geometry.window.outputPixels }
    /// Floats of one worker's scratch: the column block, then an output-sized block when
    /// blocks hold several images (a single image reads and writes the tensors in place).
    var scratchCount: Int {
        columnCount + (imagesPerBlock > 1 ? geometry.outputChannels * imagesPerBlock * geometry.window.outputPixels : 0)
    }

    /// Runs `body` once per worker with its contiguous images and its own scratch area.
    func forEachWorker(_ body: (_ worker: Int, _ images: Range<Int>, _ scratch: UnsafeMutablePointer<Float>) -> Void) {
        let batch = geometry.batch
        let workers = workerCount
        let scratchCount = scratchCount
        Parallel.forEach(0..<workers) { worker in
            // Pooled storage: large scratch areas come back without fresh page faults.
            let scratch = TensorStorage(uninitializedCount: scratchCount)
            withExtendedLifetime(scratch) {
                body(worker, batch * worker / workers ..< batch * (worker + 1) / workers, scratch.pointer)
            }
        }
    }

    func forEachBlock(in images: Range<Int>, _ body: (_ firstImage: Int, _ count: Int) -> Void) {
        var first = images.lowerBound
        while first < images.upperBound {
            let count = min(imagesPerBlock, images.upperBound - first)
            body(first, count)
            first += count
        }
    }

    /// The column block of `count` images: the input itself for one pointwise image,
    /// else expanded into `scratch`.
    func columnMatrix(input: UnsafePointer<Float>, firstImage: Int, count: Int,
                      scratch: UnsafeMutablePointer<Float>) -> (pointer: UnsafePointer<Float>, stride: Int) {
        let window = geometry.window
        let first = input + firstImage * geometry.imageSize
        if count == 1 && window.isPointwise { return (first, window.imagePixels) }
        let stride = count * window.outputPixels
        for image in 0..<count {
            Im2col.expand(window, image: first + image * geometry.imageSize,
                          column: scratch + image * window.outputPixels, columnStride: stride)
        }
        return (UnsafePointer(scratch), stride)
    }

    /// The output-shaped tensor's rows for `count` images as one [Cout, B * Ho * Wo] matrix.
    func gather(_ tensor: UnsafePointer<Float>, firstImage: Int, count: Int,
                scratch: UnsafeMutablePointer<Float>) -> (pointer: UnsafePointer<Float>, stride: Int) {
        let pixels = geometry.window.outputPixels
        let first = tensor + firstImage * geometry.outputImageSize
        if count == 1 { return (first, pixels) }
        let stride = count * pixels
        for image in 0..<count {
            for channel in 0..<geometry.outputChannels {
                (scratch + channel * stride + image * pixels)
                    .update(from: first + image * geometry.outputImageSize + channel * pixels, count: pixels)
            }
        }
        return (UnsafePointer(scratch), stride)
    }

    /// Moves a block's [Cout, B * Ho * Wo] product into the output images, adding the
    /// bias. `inPlace` means the product already is the output (one image).
    func scatter(_ product: UnsafeMutablePointer<Float>, productStride: Int, bias: UnsafePointer<Float>?,
                 into output: UnsafeMutablePointer<Float>, firstImage: Int, count: Int, inPlace: Bool) {
        let pixels = geometry.window.outputPixels
        for image in 0..<count {
            for channel in 0..<geometry.outputChannels {
                let target = output + (firstImage + image) * geometry.outputImageSize + channel * pixels
                let shift = bias?[channel] ?? 0
                if inPlace {
                    guard bias != nil else { return }
                    for p in 0..<pixels { target[p] += shift }
                } else {
                    let source = product + channel * productStride + image * pixels
                    for p in 0..<pixels { target[p] = source[p] + shift }
                }
            }
        }
    }
}
