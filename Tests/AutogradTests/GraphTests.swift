import Autograd
import Tensor
import Testing
import TestSupport

/// x * y elementwise, recorded by hand, to test the tape independently of the op files.
private func product(_ x: Variable, _ y: Variable) -> Variable {
    let output = Elementwise.zip(x.value, y.value, *)
    return recordOp("test.product", output: output, inputs: [x, y]) { gradient, needs in
        [needs[0] ? Elementwise.zip(gradient, y.value, *) : nil,
         needs[1] ? Elementwise.zip(gradient, x.value, *) : nil]
    }
}

@Suite struct GraphTests {
    @Test func gradientsAccumulateAcrossBackwardPasses() {
        let x = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let y = Variable(Tensor(shape: [2], scalars: [3, 5]))
        product(x, y).backward()
        product(x, y).backward()
        #expect(x.grad?.scalars == [6, 10])
        #expect(y.grad == nil)
    }

    @Test func sharedInputSumsBothPaths() {
        // z = (x * x) * x  ->  dz/dx = 3x^2
        let x = Variable(Tensor(shape: [3], scalars: [1, -2, 0.5]), requiresGrad: true)
        product(product(x, x), x).backward()
        #expect(x.grad?.scalars == [3, 12, 0.75])
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Variable(Tensor(shape: [1], scalars: [2]), requiresGrad: true)
        let z = GradMode.withNoGrad { product(x, x) }
        #expect(z.isLeaf)
        #expect(!z.requiresGrad)
        #expect(GradMode.isEnabled)
    }

    @Test func frozenInputGetsNoGradientButPassesItOn() {
        let x = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let frozenWeight = Variable(Tensor(shape: [2], scalars: [4, 4]), requiresGrad: false)
        let hidden = product(x, frozenWeight)
        product(hidden, hidden).backward(seed: Tensor(shape: [2], scalars: [1, -1]))
        // d/dx (4x)^2 = 32x, times the seed
        #expect(x.grad?.scalars == [32, -64])
        #expect(frozenWeight.grad == nil)
    }

    @Test func gradientCheckAcceptsCorrectBackward() {
        var random = RandomGenerator(seed: 7)
        let x = Variable(random.normalTensor(shape: [4, 3]), requiresGrad: true)
        let y = Variable(random.normalTensor(shape: [4, 3]), requiresGrad: true)
        let report = checkGradients(of: [x, y]) { product($0[0], $0[1]) }
        #expect(report.passed, "\(report)")
    }

    @Test func gradientCheckRejectsWrongBackward() {
        let wrong: (Variable) -> Variable = { x in
            recordOp("test.wrongSquare", output: Elementwise.map(x.value) { $0 * $0 }, inputs: [x]) { gradient, _ in
                [Elementwise.zip(gradient, x.value) { g, v in g * v }]   // missing factor 2
            }
        }
        var random = RandomGenerator(seed: 8)
        let x = Variable(random.normalTensor(shape: [5]), requiresGrad: true)
        #expect(!checkGradients(of: [x]) { wrong($0[0]) }.passed)
    }
}
