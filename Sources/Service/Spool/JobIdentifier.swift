import FileSystem

/// A job id as it appears in directory names. The rule is `FileSystem.SafeName`'s
/// (`[A-Za-z0-9._-]{1,64}`, no leading dot), checked once here so every path built
/// from an identifier is safe.
public struct JobIdentifier: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public static let maximumLength = SafeName.maximumLength
    public let rawValue: String

    public init(validating text: String) throws {
        if let reason = SafeName.problem(with: text) {
            throw SpoolError.invalidJobIdentifier(text, reason: reason)
        }
        rawValue = text
    }

    public init(from decoder: any Decoder) throws {
        try self.init(validating: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (left: JobIdentifier, right: JobIdentifier) -> Bool {
        left.rawValue < right.rawValue
    }

    public static func isValid(_ text: String) -> Bool { SafeName.isValid(text) }

    /// A name derived from arbitrary text that is always a valid id, for naming
    /// error files of manifests whose own id or file name is unusable.
    public static func safeName(from text: String) -> String { SafeName.sanitized(text) }
}
