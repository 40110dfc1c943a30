import Autograd
import Tensor
import Testing
import TestSupport

@Suite struct UpsampleTests {
    @Test func copiesEachValueIntoATwoByTwoBlock() {
        let x = Variable(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let y = upsampleNearest2x(x)
        #expect(y.shape == [1, 1, 4, 4])
        #expect(y.value.scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        y.backward(seed: Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init)))
        // Block sums: (0+1+4+5), (2+3+6+7), (8+9+12+13), (10+11+14+15).
        #expect(x.grad?.scalars == [10, 18, 42, 50])
    }

    @Test func gradientMatchesFiniteDifferences() {
        var random = RandomGenerator(seed: 601)
        let x = Variable(random.normalTensor(shape: [2, 2, 3, 2]), requiresGrad: true)
        let report = checkGradients(of: [x]) { upsampleNearest2x($0[0]) }
        #expect(report.passed, "\(report)")
    }

    /// PyTorch F.interpolate(scale_factor=2, mode="nearest"), rtol 1e-4 / atol 1e-5.
    @Test func matchesPyTorch() throws {
        let (_, y) = try NormGolden("upsample").expectUnaryOpMatches("nearest", upsampleNearest2x)
        #expect(y.shape == [2, 3, 8, 10])
    }
}
