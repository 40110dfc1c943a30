import Foundation
import Testing
import TestSupport

extension Integration {
    /// A resnet20 trained in PyTorch (scripts/train_torch_teacher.py) and converted with
    /// scripts/pth_to_safetensors.py must score, under `nayerd eval`, the test accuracy
    /// PyTorch measured for it, within 0.05 percentage points.
    @Suite struct EvalParity {
        @Test func pytorchTrainedTeacherScoresWhatPyTorchMeasured() throws {
            let record = try JSONSerialization.jsonObject(
                with: Data(contentsOf: Fixtures.url("models/torch-resnet20-fmnist.json"))) as? [String: Any]
            let expected = try #require(record?["test_accuracy"] as? Double)
            let result = try Nayerd.run(["eval", "--arch", "resnet20", "--dataset", "fashion-mnist",
                                         "--weights", Fixtures.url("models/torch-resnet20-fmnist.safetensors").path,
                                         "--mean", "0.2860", "--std", "0.3530", "--json"])
            #expect(result.status == 0, "\(result.standardError)")
            let line = try #require(result.standardOutput.split(separator: "\n").last)
            let summary = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let accuracy = try #require(summary?["accuracy"] as? Double)
            #expect(summary?["samples"] as? Int == 10_000)
            #expect(abs(accuracy - expected) <= 0.0005, "nayerd eval \(accuracy), PyTorch \(expected)")
        }
    }
}
