import Autograd
import Tensor
import Testing
import TestSupport

/// [a; b] stacked into [2, C], recorded by hand so one upstream gradient reaches both the
/// mean and the variance of `channelMeanAndVariance`.
private func stacked(_ a: Variable, _ b: Variable) -> Variable {
    let output = Tensor(shape: [2] + a.shape, scalars: a.value.scalars + b.value.scalars)
    let half = a.value.count
    return recordOp("test.stack", output: output, inputs: [a, b]) { gradient, _ in
        let values = gradient.scalars
        return [Tensor(shape: a.shape, scalars: Array(values[..<half])),
                Tensor(shape: b.shape, scalars: Array(values[half...]))]
    }
}

/// a - constant, and a + b (same shapes): enough arithmetic for NAYER's BN loss in a test.
private func minus(_ a: Variable, _ constant: Tensor) -> Variable {
    recordOp("test.minus", output: Elementwise.zip(a.value, constant, -), inputs: [a]) { gradient, _ in [gradient] }
}

private func plus(_ a: Variable, _ b: Variable) -> Variable {
    recordOp("test.plus", output: Elementwise.sum(a.value, b.value), inputs: [a, b]) { gradient, _ in [gradient, gradient] }
}

@Suite struct BatchNormTests {
    private func parameters(channels: Int, seed: UInt64) -> (weight: Variable, bias: Variable) {
        var random = RandomGenerator(seed: seed)
        return (Variable(random.normalTensor(shape: [channels], mean: 1, standardDeviation: 0.5), requiresGrad: true),
                Variable(random.normalTensor(shape: [channels]), requiresGrad: true))
    }

    private func input(_ shape: [Int], seed: UInt64) -> Variable {
        var random = RandomGenerator(seed: seed)
        return Variable(random.normalTensor(shape: shape, mean: 0.3, standardDeviation: 1.5), requiresGrad: true)
    }

    @Test(arguments: [[3, 2, 3, 3], [6, 3]])
    func trainModeGradientsWithAffine(shape: [Int]) {
        let x = input(shape, seed: 401)
        let (weight, bias) = parameters(channels: shape[1], seed: 402)
        let report = checkGradients(of: [x, weight, bias]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], statistics: nil, training: true)
        }
        #expect(report.passed, "\(report)")
    }

    @Test func trainModeGradientsWithoutAffine() {
        let x = input([3, 2, 2, 3], seed: 403)
        let report = checkGradients(of: [x]) { batchNorm($0[0], weight: nil, bias: nil, statistics: nil, training: true) }
        #expect(report.passed, "\(report)")
    }

    @Test(arguments: [[2, 3, 3, 3], [5, 3]])
    func evalModeGradients(shape: [Int]) {
        let x = input(shape, seed: 404)
        let (weight, bias) = parameters(channels: shape[1], seed: 405)
        var random = RandomGenerator(seed: 406)
        let statistics = BatchNormStatistics(mean: random.normalTensor(shape: [shape[1]]),
                                             variance: random.uniformTensor(shape: [shape[1]], in: 0.5...2))
        let report = checkGradients(of: [x, weight, bias]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], statistics: statistics, training: false)
        }
        #expect(report.passed, "\(report)")
        #expect(statistics.batchesTracked == 0)
    }

    /// The fused relu(batchNorm(x)): finite differences in train and eval mode (inputs
    /// spread so that few values sit near the kink), and the same values and gradients
    /// as the two separate ops.
    @Test(arguments: [true, false])
    func rectifiedMatchesBatchNormThenReLU(training: Bool) {
        let shape = [3, 2, 3, 3]
        let x = input(shape, seed: 413)
        let (weight, bias) = parameters(channels: 2, seed: 414)
        let statistics = BatchNormStatistics(mean: Tensor(shape: [2], scalars: [0.2, 0.4]),
                                             variance: Tensor(shape: [2], scalars: [1.5, 2.5]))
        let report = checkGradients(of: [x, weight, bias]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], statistics: statistics, training: training, momentum: 0,
                      rectified: true)
        }
        #expect(report.passed, "\(report)")

        var random = RandomGenerator(seed: 415)
        let upstream = random.normalTensor(shape: shape)
        func gradients(fused: Bool) -> (output: [Float], gradients: [[Float]]) {
            let inputs = [x, weight, bias].map { Variable($0.value, requiresGrad: true) }
            let output = fused
                ? batchNorm(inputs[0], weight: inputs[1], bias: inputs[2], statistics: statistics, training: training,
                            momentum: 0, rectified: true)
                : relu(batchNorm(inputs[0], weight: inputs[1], bias: inputs[2], statistics: statistics,
                                 training: training, momentum: 0))
            output.backward(seed: upstream)
            return (output.value.scalars, inputs.map { $0.grad?.scalars ?? [] })
        }
        let (fused, separate) = (gradients(fused: true), gradients(fused: false))
        #expect(fused.output == separate.output)
        #expect(fused.output.contains(0) && fused.output.contains { $0 > 0 })
        #expect(fused.gradients == separate.gradients)
    }

    @Test func frozenWeightGetsNoGradient() {
        let x = input([3, 2, 2, 2], seed: 407)
        let (weight, bias) = parameters(channels: 2, seed: 408)
        weight.requiresGrad = false
        let report = checkGradients(of: [x, weight, bias]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], statistics: nil, training: true)
        }
        #expect(report.passed, "\(report)")
        #expect(weight.grad == nil)
        #expect(bias.grad != nil)
    }

    @Test func channelStatisticsGradientWhenBothAreUsed() {
        let x = input([3, 2, 2, 3], seed: 409)
        let report = checkGradients(of: [x]) {
            let (mean, variance) = channelMeanAndVariance($0[0])
            return stacked(mean, variance)
        }
        #expect(report.passed, "\(report)")
        let flat = input([7, 3], seed: 410)
        #expect(checkGradients(of: [flat]) { channelMeanAndVariance($0[0]).variance }.passed)
    }

    /// Planes longer than one 1024-value block and not a multiple of 8, with a mean far
    /// from zero: the vectorised shifted sums must still match a plain Double computation.
    @Test func statisticsOfLongOffsetChannelsMatchDouble() {
        var random = RandomGenerator(seed: 412)
        let shape = [3, 2, 37, 41]
        let x = random.normalTensor(shape: shape, mean: 1000, standardDeviation: 0.1)
        let (mean, variance) = channelMeanAndVariance(Variable(x))
        let values = x.scalars
        let plane = 37 * 41
        for c in 0..<2 {
            var channel: [Double] = []
            for n in 0..<3 {
                let start = (n * 2 + c) * plane
                channel += values[start..<(start + plane)].map { Double($0) }
            }
            let count = Double(channel.count)
            let exactMean: Double = channel.reduce(0, +) / count
            let exactVariance: Double = channel.reduce(0) { $0 + ($1 - exactMean) * ($1 - exactMean) } / count
            #expect(abs(Double(mean.value.scalars[c]) - exactMean) < 1e-4)
            #expect(abs(Double(variance.value.scalars[c]) - exactVariance) < 1e-4 * exactVariance, "channel \(c)")
        }
    }

    @Test func runningStatisticsInitialState() {
        let statistics = BatchNormStatistics(channels: 3)
        #expect(statistics.mean.scalars == [0, 0, 0])
        #expect(statistics.variance.scalars == [1, 1, 1])
        #expect(statistics.batchesTracked == 0)
    }

    @Test func evalWithoutStatisticsUsesTheBatch() {
        let x = input([4, 2, 2, 2], seed: 411)
        let evaluated = batchNorm(x, weight: nil, bias: nil, statistics: nil, training: false)
        let trained = batchNorm(x, weight: nil, bias: nil, statistics: nil, training: true)
        #expect(evaluated.value.scalars == trained.value.scalars)
        // Each channel of a normalised batch has mean 0 and biased variance 1 - eps-ish.
        let (mean, variance) = channelMeanAndVariance(trained)
        #expect(mean.value.scalars.allSatisfy { abs($0) < 1e-5 })
        #expect(variance.value.scalars.allSatisfy { abs($0 - 1) < 1e-3 })
    }

    /// Two train-mode calls with PyTorch; outputs, gradients of the second call and the
    /// running statistics after both, rtol 1e-4 / atol 1e-5.
    @Test(arguments: [("train2d", Float(0.1)), ("train1d", Float(0.3))])
    func trainModeMatchesPyTorch(name: String, momentum: Float) throws {
        let golden = try NormGolden("batchnorm")
        let weight = try golden.leaf("\(name).weight")
        let bias = try golden.leaf("\(name).bias")
        let statistics = BatchNormStatistics(mean: try golden.tensor("\(name).running_mean0"),
                                             variance: try golden.tensor("\(name).running_var0"))
        let first = batchNorm(try golden.leaf("\(name).x1", requiresGrad: false), weight: weight, bias: bias,
                              statistics: statistics, training: true, momentum: momentum)
        try golden.expectClose(first.value, "\(name).y1")
        let x = try golden.leaf("\(name).x2")
        let second = batchNorm(x, weight: weight, bias: bias, statistics: statistics, training: true, momentum: momentum)
        try golden.expectClose(second.value, "\(name).y2")
        second.backward(seed: try golden.tensor("\(name).grad_output"))
        try golden.expectClose(x.grad, "\(name).grad_x")
        try golden.expectClose(weight.grad, "\(name).grad_weight")
        try golden.expectClose(bias.grad, "\(name).grad_bias")
        try golden.expectClose(statistics.mean, "\(name).running_mean")
        try golden.expectClose(statistics.variance, "\(name).running_var")
        #expect(statistics.batchesTracked == 2)
    }

    @Test(arguments: ["eval2d", "eval1d"])
    func evalModeMatchesPyTorch(name: String) throws {
        let golden = try NormGolden("batchnorm")
        let x = try golden.leaf("\(name).x")
        let weight = try golden.leaf("\(name).weight")
        let bias = try golden.leaf("\(name).bias")
        let runningMean = try golden.tensor("\(name).running_mean")
        let statistics = BatchNormStatistics(mean: runningMean, variance: try golden.tensor("\(name).running_var"))
        let y = batchNorm(x, weight: weight, bias: bias, statistics: statistics, training: false)
        try golden.expectClose(y.value, "\(name).y")
        y.backward(seed: try golden.tensor("\(name).grad_output"))
        try golden.expectClose(x.grad, "\(name).grad_x")
        try golden.expectClose(weight.grad, "\(name).grad_weight")
        try golden.expectClose(bias.grad, "\(name).grad_bias")
        #expect(statistics.mean.scalars == runningMean.scalars, "eval mode must not update statistics")
    }

    @Test func withoutAffineMatchesPyTorch() throws {
        try NormGolden("batchnorm").expectUnaryOpMatches("plain") {
            batchNorm($0, weight: nil, bias: nil, statistics: nil, training: true)
        }
    }

    /// Only the affine parameters want gradients (a frozen input); they must still match.
    @Test func affineGradientsWithoutInputGradient() throws {
        let golden = try NormGolden("batchnorm")
        let weight = try golden.leaf("eval2d.weight")
        let bias = try golden.leaf("eval2d.bias")
        let statistics = BatchNormStatistics(mean: try golden.tensor("eval2d.running_mean"),
                                             variance: try golden.tensor("eval2d.running_var"))
        let y = batchNorm(try golden.leaf("eval2d.x", requiresGrad: false), weight: weight, bias: bias,
                          statistics: statistics, training: false)
        y.backward(seed: try golden.tensor("eval2d.grad_output"))
        try golden.expectClose(weight.grad, "eval2d.grad_weight")
        try golden.expectClose(bias.grad, "eval2d.grad_bias")
    }

    /// NAYER's loss ||var_b - running_var||_2 + ||mean_b - running_mean||_2 against PyTorch.
    @Test func statisticsLossMatchesPyTorch() throws {
        let golden = try NormGolden("batchnorm")
        let x = try golden.leaf("stats.x")
        let (mean, variance) = channelMeanAndVariance(x)
        try golden.expectClose(mean.value, "stats.mean")
        try golden.expectClose(variance.value, "stats.var")
        let loss = plus(l2Norm(minus(variance, try golden.tensor("stats.target_var"))),
                        l2Norm(minus(mean, try golden.tensor("stats.target_mean"))))
        try golden.expectClose(loss.value, "stats.loss")
        loss.backward()
        try golden.expectClose(x.grad, "stats.grad_x")
    }
}
