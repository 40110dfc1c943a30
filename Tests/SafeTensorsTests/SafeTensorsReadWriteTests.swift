import Foundation
import SafeTensors
import Tensor
import Testing
import TestSupport

@Suite struct SafeTensorsReadWriteTests {
    @Test func roundTripKeepsEveryValueShapeAndMetadata() throws {
        var random = RandomGenerator(seed: 3)
        let original = SafeTensorsFile(
            tensors: ["layer1.0.conv1.weight": random.normalTensor(shape: [4, 3, 3, 3]),
                      "fc.bias": random.normalTensor(shape: [10]),
                      "scalar": Tensor(scalar: -1.5),
                      "empty": Tensor(zeros: [0, 7])],
            metadata: ["epoch": "12"])
        let directory = try Fixtures.temporaryDirectory("safetensors")
        let url = directory.appendingPathComponent("round.safetensors")
        try original.write(to: url)
        let loaded = try SafeTensorsFile.read(contentsOf: url)
        #expect(loaded.names == original.names)
        for name in original.names {
            #expect(loaded.tensors[name]!.shape == original.tensors[name]!.shape, "\(name)")
            #expect(loaded.tensors[name]!.scalars == original.tensors[name]!.scalars, "\(name)")
        }
        #expect(loaded.metadata == ["epoch": "12"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["round.safetensors"], "no temporary file left behind")
    }

    @Test func encodingIsReproducibleAndHeaderAligned() {
        let file = SafeTensorsFile(tensors: ["b": Tensor(shape: [2], scalars: [1, 2]),
                                             "a": Tensor(shape: [1], scalars: [3])])
        let first = file.encoded()
        #expect(first == file.encoded())
        let headerLength = first.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
    }

    @Test func readsEveryDataTypeWrittenByThePythonPackage() throws {
        let file = try SafeTensorsFile.read(contentsOf: Fixtures.url("golden/safetensors_dtypes.safetensors"))
        let expected = try GoldenFixture.load("safetensors_dtypes_expected")
        #expect(file.metadata["note"] == "dtypes")
        let types: [String: SafeTensorsDataType] = ["f32": .float32, "f16": .float16, "bf16": .bfloat16,
                                                    "f64": .float64, "i64": .int64]
        for (name, type) in types { #expect(file.dataTypes[name] == type, "\(name)") }
        for name in ["f32", "f16", "bf16", "f64", "i64", "scalar", "empty"] {
            let actual = try #require(file.tensors[name], "\(name)")
            let reference = try expected.fixture("\(name).expected")
            #expect(actual.shape == reference.shape, "\(name)")
            // PyTorch's own conversion to float32 is exact for these, so equality is exact.
            #expect(actual.scalars == reference.scalars, "\(name)")
        }
    }

    @Test func missingFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/teacher.safetensors")
        #expect {
            try SafeTensorsFile.read(contentsOf: url)
        } throws: { error in
            "\(error)".contains("/nonexistent/teacher.safetensors") && "\(error)".contains("No such file")
        }
    }

    @Test func directoryIsRefused() throws {
        let directory = try Fixtures.temporaryDirectory("safetensors-dir")
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile.read(contentsOf: directory) }
    }

    @Test func missingTensorLookupNamesIt() throws {
        let file = SafeTensorsFile(tensors: ["a": Tensor(scalar: 1)])
        #expect { try file.tensor("fc.weight", source: "teacher.safetensors") } throws: { error in
            "\(error)" == "teacher.safetensors has no tensor named 'fc.weight'"
        }
    }
}
