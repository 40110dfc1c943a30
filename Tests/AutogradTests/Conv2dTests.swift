import Autograd
import Tensor
import Testing
import TestSupport

/// One convolution configuration; the golden cases in scripts/golden/conv.py use the same.
private struct ConvCase: CustomStringConvertible, Sendable {
    let name: String
    let inputShape: [Int]
    let weightShape: [Int]
    let hasBias: Bool
    let stride: Int
    let padding: Int
    let groups: Int
    var weightFrozen = false

    var description: String { name }

    /// Whether F(4x4, 3x3) runs this case's forward pass (see Winograd3x3).
    var takesLargeWinogradTiles: Bool {
        guard let geometry = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape,
                                            stride: stride, padding: padding, groups: groups) else { return false }
        return Winograd3x3.applies(to: geometry) && Winograd3x3.forwardTileSize(for: geometry) == 4
    }

    static let all: [ConvCase] = [
        ConvCase(name: "s1p1_bias", inputShape: [2, 3, 5, 4], weightShape: [4, 3, 3, 3],
                 hasBias: true, stride: 1, padding: 1, groups: 1),
        ConvCase(name: "s2p0_nonsquare_kernel", inputShape: [3, 2, 7, 6], weightShape: [3, 2, 3, 2],
                 hasBias: false, stride: 2, padding: 0, groups: 1),
        ConvCase(name: "s2p1_groups2", inputShape: [2, 4, 6, 5], weightShape: [4, 2, 3, 3],
                 hasBias: true, stride: 2, padding: 1, groups: 2),
        ConvCase(name: "pointwise", inputShape: [3, 4, 3, 3], weightShape: [5, 4, 1, 1],
                 hasBias: true, stride: 1, padding: 0, groups: 1),
        // One image per block: the gemm writes straight into the output tensor, in two
        // row bands.
        ConvCase(name: "single_large_image", inputShape: [1, 2, 20, 17], weightShape: [3, 2, 3, 3],
                 hasBias: true, stride: 1, padding: 1, groups: 1),
        ConvCase(name: "frozen_weight", inputShape: [2, 3, 6, 6], weightShape: [4, 3, 3, 3],
                 hasBias: true, stride: 1, padding: 1, groups: 1, weightFrozen: true),
        // Images with more output pixels than a block holds are cut into row bands.
        ConvCase(name: "pointwise_large", inputShape: [1, 3, 20, 20], weightShape: [2, 3, 1, 1],
                 hasBias: true, stride: 1, padding: 0, groups: 1),
        ConvCase(name: "stride2_large", inputShape: [1, 1, 40, 38], weightShape: [2, 1, 3, 3],
                 hasBias: true, stride: 2, padding: 1, groups: 1),
        // 3x3 stride-1 padding-1 with >= 16 channels runs Winograd F(2x2, 3x3); odd sizes
        // leave partial border tiles, and 100 tiles make two tile-row bands.
        ConvCase(name: "winograd", inputShape: [2, 16, 5, 7], weightShape: [16, 16, 3, 3],
                 hasBias: true, stride: 1, padding: 1, groups: 1),
        ConvCase(name: "winograd_large", inputShape: [1, 16, 20, 20], weightShape: [17, 16, 3, 3],
                 hasBias: false, stride: 1, padding: 1, groups: 1),
        // As many channels, but stride 2: Winograd must not take it.
        ConvCase(name: "wide_stride2", inputShape: [2, 16, 6, 6], weightShape: [16, 16, 3, 3],
                 hasBias: true, stride: 2, padding: 1, groups: 1),
        // Widths of 16 and 48 take F(4x4, 3x3) in the forward pass and the input gradient:
        // runs of 4 tiles, and of 8 then 4.
        ConvCase(name: "winograd_4x4_tiles", inputShape: [2, 16, 8, 16], weightShape: [16, 16, 3, 3],
                 hasBias: true, stride: 1, padding: 1, groups: 1),
        ConvCase(name: "winograd_4x4_wide", inputShape: [1, 16, 4, 48], weightShape: [20, 16, 3, 3],
                 hasBias: false, stride: 1, padding: 1, groups: 1),
        // 8x8 images pair their tile rows.
        ConvCase(name: "winograd_4x4_pairs", inputShape: [3, 16, 8, 8], weightShape: [16, 16, 3, 3],
                 hasBias: true, stride: 1, padding: 1, groups: 1),
        // Even sizes, output widths of 16 and 8, and a multiple of 4 output channels: the
        // stride-2 forward pass and weight gradient run the direct phase-plane kernels.
        ConvCase(name: "stride2_direct", inputShape: [3, 5, 16, 32], weightShape: [8, 5, 3, 3],
                 hasBias: true, stride: 2, padding: 1, groups: 1),
        ConvCase(name: "stride2_direct_narrow", inputShape: [2, 4, 16, 16], weightShape: [4, 4, 3, 3],
                 hasBias: false, stride: 2, padding: 1, groups: 1),
    ]

    func apply(_ variables: [Variable]) -> Variable {
        conv2d(variables[0], weight: variables[1], bias: hasBias ? variables[2] : nil,
               stride: stride, padding: padding, groups: groups)
    }

    func randomVariables(_ random: inout RandomGenerator) -> [Variable] {
        var variables = [
            Variable(random.normalTensor(shape: inputShape), requiresGrad: true),
            Variable(random.normalTensor(shape: weightShape, standardDeviation: 0.5), requiresGrad: !weightFrozen),
        ]
        if hasBias { variables.append(Variable(random.normalTensor(shape: [weightShape[0]]), requiresGrad: true)) }
        return variables
    }
}

@Suite struct Conv2dTests {
    @Test(arguments: ConvCase.all)
    fileprivate func gradientsMatchFiniteDifferences(_ convCase: ConvCase) {
        var random = RandomGenerator(seed: 31)
        let variables = convCase.randomVariables(&random)
        let report = checkGradients(of: variables, step: 1e-2) { convCase.apply($0) }
        #expect(report.passed, "\(convCase): \(report)")
        if convCase.weightFrozen {
            #expect(variables[1].grad == nil)
            #expect(variables[0].grad != nil)
        }
    }

    @Test func outputSizeFollowsTheFloorRule() {
        // (7 + 2 - 3) / 2 + 1 = 4 rows, (6 + 2 - 2) / 2 + 1 = 4 columns
        let input = Variable(Tensor(zeros: [1, 1, 7, 6]))
        let weight = Variable(Tensor(zeros: [2, 1, 3, 2]))
        #expect(conv2d(input, weight: weight, stride: 2, padding: 1).shape == [1, 2, 4, 4])
    }

    @Test func handComputedSum() {
        // A ones kernel with padding 1 sums each 3x3 neighbourhood: corners of a ones
        // image see 4 pixels, edges 6, the middle 9.
        let input = Variable(Tensor(shape: [1, 1, 3, 3], repeating: 1))
        let weight = Variable(Tensor(shape: [1, 1, 3, 3], repeating: 1))
        let bias = Variable(Tensor(shape: [1], scalars: [0.5]))
        let output = conv2d(input, weight: weight, bias: bias, padding: 1)
        #expect(output.value.scalars == [4, 6, 4, 6, 9, 6, 4, 6, 4].map { $0 + 0.5 })
    }

    /// Tolerance: rtol 1e-4 with atol 1e-5 (values are O(1) sums of at most a few dozen
    /// products, so float32 rounding stays far below it). F(4x4, 3x3)'s rounding error
    /// follows the size of the sums rather than of each output (see WinogradTileTests),
    /// so for its cases atol is 2e-5 of the largest expected value; measured worst:
    /// 1.05e-4 on outputs up to 19.
    @Test(arguments: ConvCase.all)
    fileprivate func matchesPyTorch(_ convCase: ConvCase) throws {
        let golden = try GoldenFixture.load("conv")
        let name = convCase.name
        let options = try golden.fixture("\(name).options").scalars
        #expect(options == [Float(convCase.stride), Float(convCase.padding), Float(convCase.groups),
                            convCase.weightFrozen ? 1 : 0])
        let input = Variable(try golden.fixture("\(name).input"), requiresGrad: true)
        let weight = Variable(try golden.fixture("\(name).weight"), requiresGrad: !convCase.weightFrozen)
        let bias = convCase.hasBias ? Variable(try golden.fixture("\(name).bias"), requiresGrad: true) : nil
        let output = convCase.apply([input, weight] + (bias.map { [$0] } ?? []))
        output.backward(seed: try golden.fixture("\(name).grad_output"))

        let checks: [(String, Tensor?)] = [
            ("output", output.value), ("grad_input", input.grad),
            ("grad_weight", convCase.weightFrozen ? nil : weight.grad),
            ("grad_bias", bias?.grad),
        ]
        for (key, actual) in checks where golden["\(name).\(key)"] != nil {
            let actual = try #require(actual, "\(name): no \(key)")
            let expected = try golden.fixture("\(name).\(key)")
            let largest = expected.scalars.map(abs).max() ?? 0
            let report = checkClose(actual, expected, relativeTolerance: 1e-4,
                                    absoluteTolerance: convCase.takesLargeWinogradTiles ? max(1e-5, 2e-5 * largest) : 1e-5,
                                    "\(name).\(key)")
            #expect(report.passed, "\(report)")
        }
        #expect(convCase.weightFrozen == (weight.grad == nil))
    }

    /// Big enough for several workers and multi-image blocks; the second shape takes
    /// the Winograd path.
    @Test(arguments: [([9, 4, 8, 8], [6, 4, 3, 3]), ([5, 16, 6, 6], [16, 16, 3, 3])])
    func repeatedRunsAreBitIdentical(inputShape: [Int], weightShape: [Int]) {
        var random = RandomGenerator(seed: 5)
        let inputValue = random.normalTensor(shape: inputShape)
        let weightValue = random.normalTensor(shape: weightShape)
        let biasValue = random.normalTensor(shape: [weightShape[0]])
        let seed = random.normalTensor(shape: [inputShape[0], weightShape[0], inputShape[2], inputShape[3]])
        func run() -> [[Float]] {
            let input = Variable(inputValue, requiresGrad: true)
            let weight = Variable(weightValue, requiresGrad: true)
            let bias = Variable(biasValue, requiresGrad: true)
            let output = conv2d(input, weight: weight, bias: bias, padding: 1)
            output.backward(seed: seed)
            return [output.value.scalars, input.grad!.scalars, weight.grad!.scalars, bias.grad!.scalars]
        }
        let first = run()
        let second = run()
        #expect(first.map { $0.map(\.bitPattern) } == second.map { $0.map(\.bitPattern) })
    }

    @Test func shapeProblemsAreNamed() {
        let problem = Conv2dGeometry.problem(inputShape: [1, 3, 5, 5], weightShape: [4, 2, 3, 3],
                                             stride: 1, padding: 0, groups: 1)
        #expect(problem?.contains("[1, 3, 5, 5]") == true && problem?.contains("[4, 2, 3, 3]") == true)
        #expect(Conv2dGeometry.problem(inputShape: [1, 3, 2, 2], weightShape: [4, 3, 3, 3],
                                       stride: 1, padding: 0, groups: 1) != nil)
        #expect(Conv2dGeometry.problem(inputShape: [1, 4, 5, 5], weightShape: [4, 2, 3, 3],
                                       stride: 1, padding: 0, groups: 2) == nil)
    }
}
