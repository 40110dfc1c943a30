/// A job id as it appears in directory names: `[A-Za-z0-9._-]{1,64}`, no leading
/// dot. Validated once here so every path built from it is safe.
public struct JobIdentifier: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public static let maximumLength = 64
    public let rawValue: String

    public init(validating text: String) throws {
        if let reason = JobIdentifier.problem(with: text) {
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

    public static func isValid(_ text: String) -> Bool { problem(with: text) == nil }

    static func problem(with text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > maximumLength { return "it is longer than \(maximumLength) characters" }
        if text.hasPrefix(".") { return "it starts with a dot" }
        if !text.utf8.allSatisfy(isAllowed) {
            return "only letters, digits, '.', '_' and '-' are allowed"
        }
        return nil
    }

    /// A name derived from arbitrary text that is always a valid id, for naming
    /// error files of manifests whose own id or file name is unusable.
    public static func safeName(from text: String) -> String {
        var bytes = text.utf8.map { isAllowed($0) ? $0 : UInt8(ascii: "_") }
        while bytes.first == UInt8(ascii: ".") { bytes[0] = UInt8(ascii: "_") }
        if bytes.count > maximumLength { bytes = Array(bytes.prefix(maximumLength)) }
        if bytes.isEmpty { return "unnamed" }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
