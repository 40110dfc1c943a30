/// Names that become a single path component (job ids, spool file names):
/// `[A-Za-z0-9._-]{1,64}` with no leading dot, so "..", "a/b" and hidden files are
/// impossible and every path built from one stays inside its directory.
public enum SafeName {
    public static let maximumLength = 64

    /// Why `text` is not a safe name, or nil when it is.
    public static func problem(with text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > maximumLength { return "it is longer than \(maximumLength) characters" }
        if text.hasPrefix(".") { return "it starts with a dot" }
        if !text.utf8.allSatisfy(isAllowed) { return "only letters, digits, '.', '_' and '-' are allowed" }
        return nil
    }

    public static func isValid(_ text: String) -> Bool { problem(with: text) == nil }

    /// A safe name derived from arbitrary text, for naming files about inputs whose own
    /// name is unusable (the error file of a manifest called "../x.json").
    public static func sanitized(_ text: String) -> String {
        var bytes = text.utf8.map { isAllowed($0) ? $0 : UInt8(ascii: "_") }
        while bytes.first == UInt8(ascii: ".") { bytes[0] = UInt8(ascii: "_") }
        if bytes.count > maximumLength { bytes = Array(bytes.prefix(maximumLength)) }
        return bytes.isEmpty ? "unnamed" : String(decoding: bytes, as: UTF8.self)
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
