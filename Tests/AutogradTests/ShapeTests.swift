import Autograd
import Tensor
import Testing
import TestSupport

struct PermuteCase: Sendable, CustomStringConvertible {
    let name: String
    let axes: [Int]
    var description: String { "\(name) \(axes)" }

    static let all = [
        PermuteCase(name: "permute_nhwc", axes: [0, 2, 3, 1]),
        PermuteCase(name: "permute_nchw", axes: [0, 3, 1, 2]),
        PermuteCase(name: "permute_mixed", axes: [3, 1, 0, 2]),
        PermuteCase(name: "permute_swap_leading", axes: [1, 0, 2, 3]),
    ]
}

@Suite struct ShapeTests {
    private static func input(_ shape: [Int], seed: UInt64) -> Variable {
        var random = RandomGenerator(seed: seed)
        return ElementwiseTesting.variable(shape, &random)
    }

    @Test func reshapeAndFlattenGradients() {
        let x = Self.input([2, 3, 4], seed: 41)
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { reshape($0[0], [4, -1]) }
        let image = Self.input([2, 3, 2, 2], seed: 42)
        let flat = flatten(image)
        #expect(flat.shape == [2, 12])
        #expect(flatten(image, startAxis: 0).shape == [24])
        ElementwiseTesting.expectGradientsCorrect(of: [image]) { flatten($0[0]) }
    }

    @Test(arguments: PermuteCase.all)
    func permuteGradients(_ permutation: PermuteCase) {
        let x = Self.input([2, 3, 4, 5], seed: 43)
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { permute($0[0], permutation.axes) }
    }

    @Test(arguments: PermuteCase.all)
    func permuteMatchesTorch(_ permutation: PermuteCase) throws {
        let fixtures = try GoldenFixture.load("shape")
        try ElementwiseTesting.compareWithTorch(fixtures, permutation.name, inputs: ["x"]) { permute($0[0], permutation.axes) }
    }

    @Test(arguments: PermuteCase.all)
    func permuteThenInverseIsIdentity(_ permutation: PermuteCase) {
        let x = Self.input([2, 3, 4, 5], seed: 44)
        var inverse = permutation.axes
        for (position, axis) in permutation.axes.enumerated() { inverse[axis] = position }
        let permuted = permute(x, permutation.axes)
        #expect(permuted.shape == permutation.axes.map { x.shape[$0] })
        let back = permute(permuted, inverse)
        #expect(back.shape == x.shape && back.value.scalars == x.value.scalars)
    }

    @Test func transposeGradientsAndValues() {
        let x = Self.input([2, 3, 4], seed: 45)
        let y = transpose(x)
        #expect(y.shape == [2, 4, 3])
        // y[1, 2, 0] == x[1, 0, 2]
        #expect(y.value.scalars[1 * 12 + 2 * 3 + 0] == x.value.scalars[1 * 12 + 0 * 4 + 2])
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { transpose($0[0]) }
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { transpose($0[0], firstAxis: 0, secondAxis: 2) }
    }

    @Test func concatAndNarrowGradients() {
        let (a, b, c) = (Self.input([2, 3], seed: 46), Self.input([4, 3], seed: 47), Self.input([1, 3], seed: 48))
        ElementwiseTesting.expectGradientsCorrect(of: [a, b, c]) { concat($0, axis: 0) }
        let (d, e) = (Self.input([2, 3, 2], seed: 49), Self.input([2, 1, 2], seed: 50))
        ElementwiseTesting.expectGradientsCorrect(of: [d, e]) { concat($0, axis: 1) }
        let x = Self.input([3, 4, 2], seed: 51)
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { narrow($0[0], axis: 1, start: 1, length: 2) }
    }

    @Test func splitGradients() {
        let x = Self.input([7, 3], seed: 52)
        // Recombined out of order and with different weights, so each piece's gradient
        // must land in its own rows.
        ElementwiseTesting.expectGradientsCorrect(of: [x]) { inputs in
            let pieces = split(inputs[0], sizes: [2, 4, 1])
            return concat([pieces[2] * 3, pieces[0], pieces[1] * -2], axis: 0)
        }
        let y = Self.input([2, 5, 2], seed: 53)
        ElementwiseTesting.expectGradientsCorrect(of: [y]) { inputs in
            let pieces = split(inputs[0], sizes: [3, 2], axis: 1)
            return concat([pieces[1], pieces[0] * 0.5], axis: 1)
        }
    }

    @Test func splitThenConcatRoundTrips() {
        let x = Self.input([7, 3, 2], seed: 54)
        for axis in 0..<3 {
            let sizes = axis == 0 ? [2, 4, 1] : (axis == 1 ? [1, 0, 2] : [1, 1])
            let pieces = split(x, sizes: sizes, axis: axis)
            #expect(pieces.map { $0.shape[axis] } == sizes)
            let joined = concat(pieces, axis: axis)
            #expect(joined.shape == x.shape && joined.value.scalars == x.value.scalars, "axis \(axis)")
        }
    }

    @Test func indexSelectAccumulatesRepeatedRows() {
        let table = Variable(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]), requiresGrad: true)
        let picked = indexSelect(table, rows: [2, 0, 2, 2])
        #expect(picked.shape == [4, 2])
        #expect(picked.value.scalars == [5, 6, 1, 2, 5, 6, 5, 6])
        picked.backward(seed: Tensor(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40]))
        #expect(table.grad?.scalars == [2, 20, 0, 0, 8, 80])
    }

    @Test func indexSelectGradients() {
        let table = Self.input([5, 4], seed: 55)
        ElementwiseTesting.expectGradientsCorrect(of: [table]) { indexSelect($0[0], rows: [3, 0, 3, 1, 3, 4]) }
    }

    @Test(arguments: ["reshape", "flatten", "transpose", "transpose_large", "concat0", "concat1", "narrow", "index_select"])
    func matchesTorch(_ name: String) throws {
        let fixtures = try GoldenFixture.load("shape")
        switch name {
        case "reshape": try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["x"]) { reshape($0[0], [4, -1]) }
        case "flatten": try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["x"]) { flatten($0[0]) }
        case "transpose", "transpose_large":
            try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["x"]) { transpose($0[0]) }
        case "concat0": try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["a", "b", "c"]) { concat($0) }
        case "concat1": try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["a", "b"]) { concat($0, axis: 1) }
        case "narrow":
            try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["x"]) { narrow($0[0], axis: 1, start: 1, length: 2) }
        default:
            let rows = try fixtures.fixture("index_select.rows").scalars.map { Int($0) }
            try ElementwiseTesting.compareWithTorch(fixtures, name, inputs: ["table"]) { indexSelect($0[0], rows: rows) }
        }
    }

    @Test func splitMatchesTorch() throws {
        let fixtures = try GoldenFixture.load("shape")
        let x = Variable(try fixtures.fixture("split.x"), requiresGrad: true)
        let pieces = split(x, sizes: [2, 4, 1])
        for (i, piece) in pieces.enumerated() {
            ElementwiseTesting.expectClose(piece.value, try fixtures.fixture("split.output\(i)"), "split piece \(i)")
            piece.backward(seed: try fixtures.fixture("split.grad_output\(i)"))
        }
        ElementwiseTesting.expectClose(try #require(x.grad), try fixtures.fixture("split.grad_x"), "split gradient")
    }
}
