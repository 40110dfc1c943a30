import Foundation
import Tensor
import Testing

@Suite struct RandomGeneratorTests {
    private func draws(_ random: inout RandomGenerator, _ count: Int) -> [UInt64] {
        (0..<count).map { _ in random.next() }
    }

    @Test func sameSeedGivesSameSequence() {
        var first = RandomGenerator(seed: 42)
        var second = RandomGenerator(seed: 42)
        var other = RandomGenerator(seed: 43)
        let sequence = draws(&first, 1000)
        #expect(sequence == draws(&second, 1000))
        #expect(sequence != draws(&other, 1000))
        #expect(Set(sequence).count == 1000)
    }

    @Test func savedStateResumesTheSameSequence() throws {
        var random = RandomGenerator(seed: 7)
        _ = draws(&random, 123)
        _ = random.normal()
        let saved = try JSONEncoder().encode(random)
        let expectedBits = draws(&random, 200)
        let expectedNormals = (0..<50).map { _ in random.normal() }

        var restored = try JSONDecoder().decode(RandomGenerator.self, from: saved)
        #expect(draws(&restored, 200) == expectedBits)
        #expect((0..<50).map { _ in restored.normal() } == expectedNormals)
        #expect(restored == random)
    }

    @Test func integerStaysInRangeAndIsRoughlyUniform() {
        var random = RandomGenerator(seed: 99)
        let bound = 7   // not a power of two, so Lemire's rejection step runs
        let samples = 70_000
        var counts = [Int](repeating: 0, count: bound)
        var outOfRange = 0
        for _ in 0..<samples {
            let value = random.integer(below: bound)
            if (0..<bound).contains(value) { counts[value] += 1 } else { outOfRange += 1 }
        }
        #expect(outOfRange == 0)
        let expected = Double(samples) / Double(bound)
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        // 6 degrees of freedom: mean 6; 35 is far beyond the 0.9999 quantile (about 27.9).
        #expect(chiSquare < 35, "chi-square \(chiSquare), counts \(counts)")
        #expect(random.integer(below: 1) == 0)
    }

    @Test func integerInClosedRange() {
        var random = RandomGenerator(seed: 5)
        let values = (0..<2000).map { _ in random.integer(in: -3...3) }
        #expect(values.allSatisfy { (-3...3).contains($0) })
        #expect(Set(values) == Set(-3...3))
    }

    @Test func permutationIsAPermutation() {
        var random = RandomGenerator(seed: 3)
        for count in [0, 1, 2, 17, 1000] {
            let permutation = random.permutation(count)
            #expect(permutation.sorted() == Array(0..<count))
        }
        // Shuffles: two draws of a long permutation almost never agree or stay sorted.
        let first = random.permutation(100)
        #expect(first != Array(0..<100))
        #expect(first != random.permutation(100))
    }

    @Test func normalHasUnitMomentsAndUniformItsRange() {
        var random = RandomGenerator(seed: 2024)
        let count = 100_000
        var sum = 0.0, sumOfSquares = 0.0
        for _ in 0..<count {
            let value = Double(random.normal())
            sum += value
            sumOfSquares += value * value
        }
        let mean = sum / Double(count)
        let variance = sumOfSquares / Double(count) - mean * mean
        // Standard errors: 0.0032 for the mean, 0.0045 for the variance; bounds are ~6 of them.
        #expect(abs(mean) < 0.02, "mean \(mean)")
        #expect(abs(variance - 1) < 0.03, "variance \(variance)")

        let uniforms = (0..<10_000).map { _ in random.uniform() }
        #expect(uniforms.allSatisfy { $0 >= 0 && $0 < 1 })
        let uniformMean = uniforms.reduce(0, +) / Float(uniforms.count)
        #expect(abs(uniformMean - 0.5) < 0.02, "uniform mean \(uniformMean)")
    }

    @Test func splitStreamsDiffer() {
        var parent = RandomGenerator(seed: 1)
        var child = parent.split()
        #expect(draws(&child, 10) != draws(&parent, 10))
    }

    @Test func tensorsFromTheSameSeedAgree() {
        var first = RandomGenerator(seed: 8)
        var second = RandomGenerator(seed: 8)
        let a = first.normalTensor(shape: [3, 4], mean: 1, standardDeviation: 2)
        #expect(a.scalars == second.normalTensor(shape: [3, 4], mean: 1, standardDeviation: 2).scalars)
        let b = first.uniformTensor(shape: [50], in: -2...3)
        #expect(b.scalars.allSatisfy { $0 >= -2 && $0 <= 3 })
    }
}
