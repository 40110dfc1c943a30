import Autograd
import Tensor
import Testing
import TestSupport

private func offsetsAndFlips(_ fixture: [String: Tensor], _ name: String) throws
    -> (padding: Int, offsets: [(dy: Int, dx: Int)], flips: [Bool]) {
    let pairs = try fixture.fixture("\(name).offsets").scalars.map { Int($0) }
    let offsets = stride(from: 0, to: pairs.count, by: 2).map { (dy: pairs[$0], dx: pairs[$0 + 1]) }
    let flips = try fixture.fixture("\(name).flips").scalars.map { $0 == 1 }
    return (Int(try fixture.fixture("\(name).padding").scalars[0]), offsets, flips)
}

@Suite struct AugmentationTests {
    // MARK: gradient checks

    /// Offsets at both edges (0 and 2p) and in between, with and without flips, on
    /// non-square images so a swapped height and width would show.
    @Test(arguments: [
        (2, [(0, 0), (4, 4), (0, 4), (3, 1)], [false, true, true, false]),
        (1, [(2, 0), (1, 1), (0, 2), (2, 2)], [true, false, false, true]),
        (0, [(0, 0), (0, 0), (0, 0), (0, 0)], [true, true, false, false]),
    ])
    func cropAndFlipGradient(padding: Int, offsets: [(Int, Int)], flips: [Bool]) {
        var random = RandomGenerator(seed: 41)
        let x = Variable(random.normalTensor(shape: [4, 2, 3, 4]), requiresGrad: true)
        let report = checkGradients(of: [x], maximumProbesPerInput: 96) {
            cropAndFlip($0[0], padding: padding, offsets: offsets.map { (dy: $0.0, dx: $0.1) }, flips: flips)
        }
        #expect(report.passed, "\(report)")
        #expect(report.checkedElements == 96)
    }

    @Test func normalizeChannelsGradient() {
        var random = RandomGenerator(seed: 42)
        let x = Variable(random.uniformTensor(shape: [2, 3, 3, 3]), requiresGrad: true)
        let report = checkGradients(of: [x]) {
            normalizeChannels($0[0], mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])
        }
        #expect(report.passed, "\(report)")
    }

    // MARK: behaviour

    @Test func cropAndFlipMovesPixelsWhereExpected() {
        // One 1 x 3 x 3 image 1...9, padding 1.
        let x = Variable(Tensor(shape: [2, 1, 3, 3], scalars: (1...9).map(Float.init) + (1...9).map(Float.init)))
        let result = cropAndFlip(x, padding: 1, offsets: [(dy: 0, dx: 2), (dy: 1, dx: 1)], flips: [false, true]).value.scalars
        // Window at (0, 2) of the padded image: shifted up-left by one, zeros enter right and top.
        #expect(Array(result[0..<9]) == [0, 0, 0, 2, 3, 0, 5, 6, 0])
        // Centered window, mirrored.
        #expect(Array(result[9..<18]) == [3, 2, 1, 6, 5, 4, 9, 8, 7])
    }

    @Test func flippingTwiceAtTheCenterIsTheIdentity() {
        var random = RandomGenerator(seed: 43)
        let x = Variable(random.normalTensor(shape: [2, 3, 4, 5]))
        let draw = AugmentationDraw(padding: 2, offsets: [(2, 2), (2, 2)], flips: [true, false])
        let twice = cropAndFlip(cropAndFlip(x, draw: draw), draw: draw)
        #expect(twice.value.scalars == x.value.scalars)
    }

    @Test func drawIsDeterministicInRangeAndInDocumentedOrder() {
        var first = RandomGenerator(seed: 44)
        var second = RandomGenerator(seed: 44)
        let draw = AugmentationDraw.random(count: 64, padding: 4, random: &first)
        #expect(draw == AugmentationDraw.random(count: 64, padding: 4, random: &second))
        #expect(draw.offsets.allSatisfy { (0...8).contains($0.dy) && (0...8).contains($0.dx) })
        #expect(draw.flips.contains(true) && draw.flips.contains(false))
        // Per sample: dy, dx, then the flip.
        var replay = RandomGenerator(seed: 44)
        for sample in 0..<64 {
            #expect(replay.integer(in: 0...8) == draw.offsets[sample].dy)
            #expect(replay.integer(in: 0...8) == draw.offsets[sample].dx)
            #expect(replay.bernoulli(probability: 0.5) == draw.flips[sample])
        }
        #expect(replay == first)
    }

    @Test func cropOnlyDrawMakesNoFlipDraws() {
        var random = RandomGenerator(seed: 45)
        let draw = AugmentationDraw.random(count: 10, padding: 4, random: &random, flip: false)
        #expect(draw.flips == Array(repeating: false, count: 10))
        var replay = RandomGenerator(seed: 45)
        for _ in 0..<20 { _ = replay.integer(in: 0...8) }
        #expect(replay == random)
    }

    // MARK: PyTorch golden (rtol 1e-4, atol 1e-5)

    @Test(arguments: ["crop_small", "crop_pad4"])
    func cropAndFlipMatchesTorch(name: String) throws {
        let fixture = try GoldenFixture.load("augmentation")
        let (padding, offsets, flips) = try offsetsAndFlips(fixture, name)
        try expectMatchesTorch(fixture, case: name, inputs: ["input"], gradients: ["input"]) {
            cropAndFlip($0[0], padding: padding, offsets: offsets, flips: flips)
        }
    }

    @Test func normalizeMatchesTorch() throws {
        let fixture = try GoldenFixture.load("augmentation")
        let mean = try fixture.fixture("normalize.mean").scalars
        let std = try fixture.fixture("normalize.std").scalars
        try expectMatchesTorch(fixture, case: "normalize", inputs: ["input"], gradients: ["input"]) {
            normalizeChannels($0[0], mean: mean, std: std)
        }
    }
}
