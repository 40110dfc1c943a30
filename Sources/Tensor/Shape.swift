/// Shape arithmetic shared by the kernels: NumPy/PyTorch broadcasting and row-major strides.
extension Tensor {
    /// The shape two operands broadcast to under NumPy rules (align from the right; each
    /// pair of dimensions must be equal or one of them 1), or nil when they are incompatible.
    public static func broadcastShape(_ first: [Int], _ second: [Int]) -> [Int]? {
        let rank = max(first.count, second.count)
        var result = [Int](repeating: 1, count: rank)
        for offset in 0..<rank {
            let a = offset < first.count ? first[first.count - 1 - offset] : 1
            let b = offset < second.count ? second[second.count - 1 - offset] : 1
            guard a == b || a == 1 || b == 1 else { return nil }
            result[rank - 1 - offset] = a == 1 ? b : a
        }
        return result
    }

    /// Row-major strides (in elements) of a contiguous tensor of `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// An axis given as negative (counting from the end) or positive, as an index into
    /// a shape of `rank`; nil when out of range.
    public static func normalizedAxis(_ axis: Int, rank: Int) -> Int? {
        let resolved = axis < 0 ? axis + rank : axis
        return (0..<rank).contains(resolved) ? resolved : nil
    }
}

/// A broadcast iteration over an output shape, reduced to as few axes as possible: adjacent
/// axes merge when both operands step through them contiguously (or both stay put), so
/// [N,C,H,W] against [1,C,1,1] becomes three axes (N, C, H*W) and a same-shape pair one.
/// The innermost axis is what kernels loop over with raw pointers.
struct BroadcastLayout {
    /// Extents of the merged axes, outermost first; never empty.
    var extents: [Int]
    /// Per operand, the element stride along each merged axis (0 where it is broadcast).
    var strides: [[Int]]

    /// `operandShapes` must each broadcast to `outputShape`; operands are contiguous.
    init(outputShape: [Int], operandShapes: [[Int]]) {
        let rank = outputShape.count
        let operandStrides: [[Int]] = operandShapes.map { shape in
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            let contiguous = Tensor.contiguousStrides(padded)
            return padded.indices.map { padded[$0] == 1 ? 0 : contiguous[$0] }
        }
        self.init(extents: outputShape, operandStrides: operandStrides)
    }

    /// Any strided walk: `operandStrides[k][axis]` is operand k's element step along `axis`.
    init(extents axisExtents: [Int], operandStrides: [[Int]]) {
        var extents: [Int] = []
        var strides = [[Int]](repeating: [], count: operandStrides.count)
        for axis in axisExtents.indices where axisExtents[axis] != 1 {
            let extent = axisExtents[axis]
            if let last = extents.last,
               operandStrides.indices.allSatisfy({ strides[$0].last! == operandStrides[$0][axis] * extent }) {
                // The outer axis continues this one for every operand: fold them together.
                extents[extents.count - 1] = last * extent
                for operand in operandStrides.indices {
                    strides[operand][strides[operand].count - 1] = operandStrides[operand][axis]
                }
            } else {
                extents.append(extent)
                for operand in operandStrides.indices { strides[operand].append(operandStrides[operand][axis]) }
            }
        }
        if extents.isEmpty {
            extents = [1]
            strides = strides.map { _ in [0] }
        }
        self.extents = extents
        self.strides = strides
    }

    var innerExtent: Int { extents[extents.count - 1] }
    var outerCount: Int { extents.dropLast().reduce(1, *) }

    /// Element step of `operand` along the innermost axis.
    func innerStride(_ operand: Int) -> Int { strides[operand][strides[operand].count - 1] }

    /// Start offset of `operand` for outer row `row` (row-major over all but the last axis).
    @inline(__always)
    func offset(ofRow row: Int, operand: Int) -> Int {
        var remaining = row
        var offset = 0
        let operandStrides = strides[operand]
        var axis = extents.count - 2
        while axis >= 0 {
            offset += (remaining % extents[axis]) * operandStrides[axis]
            remaining /= extents[axis]
            axis -= 1
        }
        return offset
    }
}
