import Tensor
import Testing
import TestSupport

/// Kernel results on tensors big enough to take the multi-core paths, against plain
/// index arithmetic written independently here.
@Suite struct KernelTests {
    private static func naiveIndex(_ index: [Int], in shape: [Int]) -> Int {
        zip(index, Tensor.contiguousStrides(shape)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    private static func multiIndex(_ flat: Int, in shape: [Int]) -> [Int] {
        var remaining = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() {
            index[axis] = remaining % shape[axis]
            remaining /= shape[axis]
        }
        return index
    }

    /// b's element for an output index, by NumPy's rules.
    private static func broadcastElement(_ tensor: Tensor, at outputIndex: [Int]) -> Float {
        let index = Array(outputIndex.suffix(tensor.rank)).enumerated().map { tensor.shape[$0.offset] == 1 ? 0 : $0.element }
        return tensor.scalars[naiveIndex(index, in: tensor.shape)]
    }

    @Test func broadcastShapes() {
        #expect(Tensor.broadcastShape([2, 3, 4, 5], [1, 3, 1, 1]) == [2, 3, 4, 5])
        #expect(Tensor.broadcastShape([3, 1, 1], [2, 3, 4, 5]) == [2, 3, 4, 5])
        #expect(Tensor.broadcastShape([4, 1], [1, 3]) == [4, 3])
        #expect(Tensor.broadcastShape([], [2]) == [2])
        #expect(Tensor.broadcastShape([], []) == [])
        #expect(Tensor.broadcastShape([2, 3], [3, 2]) == nil)
        #expect(Tensor.broadcastShape([5], [4]) == nil)
        #expect(Tensor.normalizedAxis(-1, rank: 4) == 3)
        #expect(Tensor.normalizedAxis(4, rank: 4) == nil)
    }

    @Test(arguments: [[1, 64, 1, 1], [64, 1, 1], [32], [3, 1, 32, 1], [64, 32, 1], []])
    func largeBroadcastMultiply(rightShape: [Int]) {
        var random = RandomGenerator(seed: 61)
        let left = random.normalTensor(shape: [3, 64, 32, 32])   // 196_608 elements: several chunks
        let right = random.normalTensor(shape: rightShape)
        let product = BroadcastKernels.multiply(left, right)
        #expect(product.shape == left.shape)
        let (values, leftValues) = (product.scalars, left.scalars)
        var mismatches = 0
        for flat in stride(from: 0, to: left.count, by: 7) {
            let expected = leftValues[flat] * Self.broadcastElement(right, at: Self.multiIndex(flat, in: left.shape))
            if values[flat] != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: [[1, 64, 1, 1], [64, 1, 1], [32], [3, 1, 32, 1], [64, 32, 1], [], [3, 64, 32, 32]])
    func largeSumToShape(targetShape: [Int]) {
        var random = RandomGenerator(seed: 62)
        let shape = [3, 64, 32, 32]
        let tensor = random.uniformTensor(shape: shape, in: -1...1)
        let reduced = BroadcastKernels.sum(tensor, toShape: targetShape)
        #expect(reduced.shape == targetShape)
        var expected = [Double](repeating: 0, count: targetShape.reduce(1, *))
        let values = tensor.scalars
        for flat in values.indices {
            let index = Array(Self.multiIndex(flat, in: shape).suffix(targetShape.count)).enumerated()
                .map { targetShape[$0.offset] == 1 ? 0 : $0.element }
            expected[Self.naiveIndex(index, in: targetShape)] += Double(values[flat])
        }
        let report = checkClose(reduced.scalars, expected.map { Float($0) }, relativeTolerance: 1e-4, absoluteTolerance: 2e-3)
        #expect(report.passed, "\(report)")
    }

    @Test(arguments: [[0, 2, 3, 1], [0, 3, 1, 2], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2]])
    func largePermute(axes: [Int]) {
        var random = RandomGenerator(seed: 63)
        let shape = [4, 33, 30, 34]
        let x = random.uniformTensor(shape: shape)
        let permuted = ShapeKernels.permute(x, axes: axes)
        #expect(permuted.shape == axes.map { shape[$0] })
        let (values, source) = (permuted.scalars, x.scalars)
        var mismatches = 0
        for flat in stride(from: 0, to: x.count, by: 5) {
            let outputIndex = Self.multiIndex(flat, in: permuted.shape)
            var inputIndex = [Int](repeating: 0, count: 4)
            for (position, axis) in axes.enumerated() { inputIndex[axis] = outputIndex[position] }
            if values[flat] != source[Self.naiveIndex(inputIndex, in: shape)] { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func concatNarrowAndEmbedAgree() {
        var random = RandomGenerator(seed: 64)
        let parts = [random.normalTensor(shape: [5, 3, 100, 40]), random.normalTensor(shape: [5, 7, 100, 40])]
        let joined = ShapeKernels.concat(parts, axis: 1)
        #expect(joined.shape == [5, 10, 100, 40])
        #expect(ShapeKernels.narrow(joined, axis: 1, start: 3, length: 7).scalars == parts[1].scalars)
        let embedded = ShapeKernels.embed(parts[0], into: [5, 10, 100, 40], axis: 1, start: 0)
        #expect(ShapeKernels.narrow(embedded, axis: 1, start: 0, length: 3).scalars == parts[0].scalars)
        #expect(ShapeKernels.narrow(embedded, axis: 1, start: 3, length: 7).scalars.allSatisfy { $0 == 0 })
    }

    @Test func totalOfALargeTensor() {
        let tensor = Tensor(shape: [300_001], repeating: 0.5)
        #expect(BroadcastKernels.total(tensor) == 150_000.5)
    }

    @Test func inPlaceHelpersCopyOnWrite() {
        let original = Tensor(shape: [100_000], repeating: 2)
        var copy = original
        copy.scale(by: 3)
        copy.add(original, scaledBy: -0.5)
        #expect(original.scalars.allSatisfy { $0 == 2 })
        #expect(copy.scalars.allSatisfy { $0 == 5 })
        copy.fill(with: -1)
        #expect(copy.scalars.allSatisfy { $0 == -1 } && original.scalar(at: 0) == 2)
    }
}

private extension Tensor {
    func scalar(at index: Int) -> Float { storage.pointer[index] }
}

@Suite struct EmptyTensorKernelTests {
    @Test func emptyTensorsPassThroughEveryKernel() {
        let empty = Tensor(zeros: [0, 3, 2])
        #expect(BroadcastKernels.add(empty, Tensor(zeros: [3, 1])).shape == [0, 3, 2])
        #expect(BroadcastKernels.sum(empty, toShape: [3, 2]).scalars == [0, 0, 0, 0, 0, 0])
        #expect(ShapeKernels.permute(empty, axes: [2, 0, 1]).shape == [2, 0, 3])
        #expect(ShapeKernels.concat([empty, Tensor(zeros: [1, 3, 2])], axis: 0).shape == [1, 3, 2])
        #expect(ShapeKernels.indexSelect(Tensor(zeros: [4, 0]), rows: [1, 2]).shape == [2, 0])
        #expect(ActivationKernels.relu(empty).count == 0)
    }
}
