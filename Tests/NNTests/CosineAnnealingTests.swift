import Foundation
import NN
import Tensor
import TestSupport
import Testing

@Suite struct CosineAnnealingTests {
    /// PyTorch's learning rates for a case, rebuilt from the two Float32 halves the
    /// fixture stores them in (hi + lo carries about 48 bits of the double).
    private func torchRates(_ name: String) throws -> [Double] {
        let fixture = try GoldenFixture.load("optimizers")
        let high = try fixture.fixture("cosine.\(name).lr_hi").scalars
        let low = try fixture.fixture("cosine.\(name).lr_lo").scalars
        return zip(high, low).map { Double($0) + Double($1) }
    }

    /// Tolerance: 1e-12 relative (plus 1e-18 absolute for a rate of exactly 0). PyTorch's
    /// recursion and this closed form differ by ~1e-15 over these runs.
    private func expectMatches(_ schedule: CosineAnnealingSchedule, _ expected: [Double]) {
        for (step, torchRate) in expected.enumerated() {
            let rate = schedule.learningRate(atStep: step)
            #expect(abs(rate - torchRate) <= 1e-18 + 1e-12 * abs(torchRate), "step \(step): \(rate) vs torch \(torchRate)")
        }
    }

    @Test func matchesPyTorchOverAHundredStepsAndBeyond() throws {
        let expected = try torchRates("long")
        #expect(expected.count == 131)
        let schedule = CosineAnnealingSchedule(baseLearningRate: 0.2, minimumLearningRate: 2e-4, totalSteps: 100)
        expectMatches(schedule, expected)
        #expect(schedule.learningRate(atStep: 0) == 0.2)
        #expect(abs(schedule.learningRate(atStep: 100) - 2e-4) < 1e-18)
        // Past totalSteps the rate rises again, as PyTorch's does.
        #expect(schedule.learningRate(atStep: 130) > schedule.learningRate(atStep: 100))
    }

    @Test func matchesPyTorchDownToZero() throws {
        let expected = try torchRates("short")
        #expect(expected.count == 11 && expected[10] == 0)
        let schedule = CosineAnnealingSchedule(baseLearningRate: 4e-3, minimumLearningRate: 0, totalSteps: 10)
        expectMatches(schedule, expected)
        #expect(schedule.learningRate(atStep: 10) == 0)
    }

    @Test func stepAdvancesAndPositionSurvivesSavingAndRestoring() throws {
        var schedule = CosineAnnealingSchedule(baseLearningRate: 0.2, minimumLearningRate: 2e-4, totalSteps: 100)
        #expect(schedule.position == 0 && schedule.learningRate == 0.2)
        for _ in 0..<37 { schedule.step() }
        #expect(schedule.position == 37)
        #expect(schedule.learningRate == schedule.learningRate(atStep: 37))

        let saved = try JSONEncoder().encode(schedule)
        var resumed = try JSONDecoder().decode(CosineAnnealingSchedule.self, from: saved)
        #expect(resumed == schedule)
        var fresh = CosineAnnealingSchedule(baseLearningRate: 0.2, minimumLearningRate: 2e-4, totalSteps: 100)
        try fresh.restore(position: 37)
        for _ in 0..<20 {
            let next = schedule.step()
            #expect(resumed.step() == next)
            #expect(fresh.step() == next)
        }
        #expect(throws: CosineAnnealingScheduleError.negativePosition(-1)) { try fresh.restore(position: -1) }
        #expect(fresh.position == 57)
    }

    @Test func decodingRejectsInvalidCheckpoints() {
        func decode(_ json: String) throws -> CosineAnnealingSchedule {
            try JSONDecoder().decode(CosineAnnealingSchedule.self, from: Data(json.utf8))
        }
        #expect(throws: CosineAnnealingScheduleError.nonPositiveTotalSteps(0)) {
            try decode(#"{"baseLearningRate":0.2,"minimumLearningRate":0,"totalSteps":0,"position":0}"#)
        }
        #expect(throws: CosineAnnealingScheduleError.negativePosition(-3)) {
            try decode(#"{"baseLearningRate":0.2,"minimumLearningRate":0,"totalSteps":5,"position":-3}"#)
        }
        #expect(throws: DecodingError.self) { try decode(#"{"baseLearningRate":0.2,"totalSteps":5}"#) }
    }
}
