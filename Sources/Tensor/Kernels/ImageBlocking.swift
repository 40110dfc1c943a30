/// How a convolution shares its batch among workers and cuts each worker's images into
/// blocks: several whole images per block when an image has fewer than `target` units
/// (output pixels for im2col, 2x2 tiles for Winograd), else bands of rows of one image.
/// Each worker owns a contiguous run of images, so bands of one image run top to bottom
/// on one thread.
struct ImageBlocking {
    let batch: Int
    let rows: Int
    let workerCount: Int
    let imagesPerBlock: Int
    let rowsPerBlock: Int

    init(batch: Int, rows: Int, unitsPerRow: Int, target: Int) {
        self.batch = batch
        self.rows = rows
        workerCount = max(1, min(Parallel.threadCount, batch))
        let imagesPerWorker = (batch + workerCount - 1) / workerCount
        imagesPerBlock = max(1, min(imagesPerWorker, target / max(1, rows * unitsPerRow)))
        rowsPerBlock = imagesPerBlock > 1 ? rows : min(rows, max(1, target / max(1, unitsPerRow)))
    }

    /// Runs `body` once per worker with its images and its own scratch of `scratchCount`
    /// floats, pooled so that large scratch areas come back without fresh page faults.
    func forEachWorker(
        scratchCount: Int,
        _ body: (_ worker: Int, _ images: Range<Int>, _ scratch: UnsafeMutablePointer<Float>) -> Void
    ) {
        let (batch, workers) = (batch, workerCount)
        Parallel.forEach(0..<workers) { worker in
            let scratch = TensorStorage(uninitializedCount: scratchCount)
            withExtendedLifetime(scratch) {
                body(worker, batch * worker / workers ..< batch * (worker + 1) / workers, scratch.pointer)
            }
        }
    }

    /// The blocks of `images` in order, an image's row bands top to bottom.
    func forEachBlock(in images: Range<Int>, _ body: (_ firstImage: Int, _ count: Int, _ rows: Range<Int>) -> Void) {
        var first = images.lowerBound
        while first < images.upperBound {
            let count = min(imagesPerBlock, images.upperBound - first)
            var row = 0
            while row < rows {
                let end = min(row + rowsPerBlock, rows)
                body(first, count, row..<end)
                row = end
            }
            first += count
        }
    }
}
