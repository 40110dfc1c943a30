/// How a convolution cuts its batch into image groups and each group into blocks:
/// several whole images per block when an image has fewer than `target` units (output
/// pixels for im2col, 2x2 tiles for Winograd), else bands of rows of one image.
///
/// Groups are a fixed partition of the batch, independent of `Parallel.threadCount`:
/// weight gradients sum one partial per group and add the partials in group order, and
/// every gemm sees the same block shapes, so results repeat bit for bit whatever the
/// number of workers (a job may resume with a different thread budget). Workers take
/// contiguous runs of groups, so the bands of one image run top to bottom on one thread.
struct ImageBlocking {
    /// Enough groups to balance 2-8 workers; few enough that per-group partial weight
    /// gradients stay cheap to clear and add.
    static let maximumGroupCount = 8

    let batch: Int
    let rows: Int
    let groupCount: Int
    let imagesPerBlock: Int
    let rowsPerBlock: Int

    init(batch: Int, rows: Int, unitsPerRow: Int, target: Int) {
        self.batch = batch
        self.rows = rows
        groupCount = max(1, min(Self.maximumGroupCount, batch))
        let imagesPerGroup = (batch + groupCount - 1) / groupCount
        imagesPerBlock = max(1, min(imagesPerGroup, target / max(1, rows * unitsPerRow)))
        rowsPerBlock = imagesPerBlock > 1 ? rows : min(rows, max(1, target / max(1, unitsPerRow)))
    }

    func images(ofGroup group: Int) -> Range<Int> {
        batch * group / groupCount ..< batch * (group + 1) / groupCount
    }

    /// Runs `body` once per image group, spread over the workers; each worker reuses one
    /// scratch of `scratchCount` floats for all its groups, pooled so that large scratch
    /// areas come back without fresh page faults.
    func forEachGroup(
        scratchCount: Int,
        _ body: (_ group: Int, _ images: Range<Int>, _ scratch: UnsafeMutablePointer<Float>) -> Void
    ) {
        Parallel.forEachChunk(of: 0..<groupCount) { groups in
            let scratch = TensorStorage(uninitializedCount: scratchCount)
            withExtendedLifetime(scratch) {
                for group in groups { body(group, images(ofGroup: group), scratch.pointer) }
            }
        }
    }

    /// Adds each group's partial sum (`partials` holds `groupCount` rows of `count` floats)
    /// into the first row, in group order, so the total repeats bit for bit whatever the
    /// number of workers that made the partials.
    func addPartials(_ partials: UnsafeMutablePointer<Float>, count: Int) {
        for group in 1..<groupCount {
            let partial = partials + group * count
            for i in 0..<count { partials[i] += partial[i] }
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
