/// A seeded xoshiro256** generator. Nothing in nayerd draws from global randomness:
/// every random choice takes one of these, and its `state` is checkpointed so a resumed
/// job draws exactly the numbers it would have drawn without stopping.
public struct RandomGenerator: Sendable, Equatable, Codable {
    public var state: [UInt64]

    public init(seed: UInt64) {
        // splitmix64 spreads a small seed over the 256-bit state, as xoshiro's authors advise.
        var mixer = seed
        state = (0..<4).map { _ in
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "invalid xoshiro256** state")
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotateLeft(state[3], 45)
        return result
    }

    /// An independent stream, for handing to a sub-component without sharing state.
    public mutating func split() -> RandomGenerator {
        RandomGenerator(seed: next())
    }

    /// Uniform in [0, 1) with 24 random bits, exactly representable as Float.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    public mutating func uniform(in range: ClosedRange<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal by Box-Muller, computed in Double; no cached spare value, so the
    /// generator's state alone determines what comes next.
    public mutating func normal() -> Float {
        let u1 = 1.0 - uniformDouble()   // (0, 1], so log is finite
        let u2 = uniformDouble()
        return Float((-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2))
    }

    /// Uniform integer in 0..<upperBound without modulo bias (Lemire's method).
    public mutating func integer(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "integer(below:) needs a positive bound")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return Int(product.high)
    }

    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + integer(below: range.count)
    }

    public mutating func bernoulli(probability: Float) -> Bool {
        uniform() < probability
    }

    /// A uniformly random permutation of 0..<count (Fisher-Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        if count < 2 { return values }
        for i in stride(from: count - 1, to: 0, by: -1) {
            values.swapAt(i, integer(below: i + 1))
        }
        return values
    }

    public mutating func uniformTensor(shape: [Int], in range: ClosedRange<Float> = 0...1) -> Tensor {
        var tensor = Tensor(uninitializedShape: shape)
        tensor.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = uniform(in: range) }
        }
        return tensor
    }

    public mutating func normalTensor(shape: [Int], mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
        var tensor = Tensor(uninitializedShape: shape)
        tensor.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = mean + standardDeviation * normal() }
        }
        return tensor
    }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

import Foundation
private func _log(_ x: Double) -> Double { Foundation.log(x) }
private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
