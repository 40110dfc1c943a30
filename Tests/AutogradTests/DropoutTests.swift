import Autograd
import Tensor
import Testing
import TestSupport

@Suite struct DropoutTests {
    private func ones(_ count: Int) -> Variable {
        Variable(Tensor(shape: [count], repeating: 1), requiresGrad: true)
    }

    @Test func evaluationIsTheIdentityAndDrawsNothing() {
        var random = RandomGenerator(seed: 801)
        let before = random
        let x = ones(10)
        let y = dropout(x, probability: 0.5, training: false, random: &random)
        #expect(y === x)
        #expect(random == before)
        let untouched = dropout(x, probability: 0, training: true, random: &random)
        #expect(untouched.value.scalars == x.value.scalars)
    }

    @Test func dropsTheExpectedFractionAndScalesSurvivors() {
        var random = RandomGenerator(seed: 802)
        let count = 20_000
        let y = dropout(ones(count), probability: 0.3, training: true, random: &random).value.scalars
        let dropped = y.filter { $0 == 0 }.count
        // Binomial(20000, 0.3): standard deviation about 65, so 300 is over 4.5 sigma.
        #expect(abs(dropped - 6_000) < 300, "\(dropped) of \(count) dropped")
        let scale = Float(1) / Float(0.7)
        #expect(y.allSatisfy { $0 == 0 || $0 == scale })
        let mean = y.reduce(0, +) / Float(count)
        #expect(abs(mean - 1) < 0.03, "mean \(mean) should stay near 1")
    }

    @Test func backwardUsesTheForwardMask() throws {
        var random = RandomGenerator(seed: 803)
        var seedGenerator = RandomGenerator(seed: 804)
        let x = Variable(seedGenerator.normalTensor(shape: [200]), requiresGrad: true)
        let upstream = seedGenerator.normalTensor(shape: [200])
        let y = dropout(x, probability: 0.4, training: true, random: &random)
        y.backward(seed: upstream)
        let gradient = try #require(x.grad).scalars
        let (input, output, seed) = (x.value.scalars, y.value.scalars, upstream.scalars)
        for i in 0..<200 {
            // output = x * m and dL/dx = upstream * m with the same m.
            let mask = output[i] / input[i]
            #expect(abs(gradient[i] - seed[i] * mask) <= 1e-5 * abs(seed[i] * mask) + 1e-6, "element \(i)")
        }
        #expect(gradient.contains(0) && gradient.contains { $0 != 0 })
    }

    @Test func gradientMatchesFiniteDifferencesForAFixedMask() {
        var inputs = RandomGenerator(seed: 805)
        let x = Variable(inputs.normalTensor(shape: [4, 6]), requiresGrad: true)
        let report = checkGradients(of: [x]) { variables in
            var random = RandomGenerator(seed: 806)   // the same mask on every evaluation
            return dropout(variables[0], probability: 0.25, training: true, random: &random)
        }
        #expect(report.passed, "\(report)")
    }

    @Test func aSeedFixesTheMask() {
        var first = RandomGenerator(seed: 807)
        var second = RandomGenerator(seed: 807)
        var other = RandomGenerator(seed: 808)
        let a = dropout(ones(64), probability: 0.5, training: true, random: &first).value.scalars
        let b = dropout(ones(64), probability: 0.5, training: true, random: &second).value.scalars
        let c = dropout(ones(64), probability: 0.5, training: true, random: &other).value.scalars
        #expect(a == b)
        #expect(a != c)
        #expect(first == second)
    }

    @Test func probabilityOneDropsEverything() {
        var random = RandomGenerator(seed: 809)
        let x = ones(16)
        let y = dropout(x, probability: 1, training: true, random: &random)
        #expect(y.value.scalars.allSatisfy { $0 == 0 })
        y.backward()
        #expect(x.grad?.scalars.allSatisfy { $0 == 0 } == true)
    }
}
