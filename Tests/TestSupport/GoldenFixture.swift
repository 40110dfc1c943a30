import Foundation
import SafeTensors
import Tensor

/// PyTorch reference values written by scripts/golden/<family>.py into
/// Tests/Fixtures/golden/<family>.safetensors, keyed "<case>.<tensor>".
public enum GoldenFixture {
    public static func load(_ family: String) throws -> [String: Tensor] {
        try SafeTensorsFile.read(contentsOf: Fixtures.url("golden/\(family).safetensors")).tensors
    }
}

extension Dictionary where Key == String, Value == Tensor {
    /// The fixture tensor `name`, or an error naming it (so a stale fixture fails clearly).
    public func fixture(_ name: String) throws -> Tensor {
        guard let tensor = self[name] else { throw FixtureMissing(name: name) }
        return tensor
    }
}

public struct FixtureMissing: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "golden fixture has no tensor '\(name)'; rerun scripts/golden/run" }
}
