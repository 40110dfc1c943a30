#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong while reading a dataset or writing an image. Every case
/// names the file (or the specification text) at fault, so the one-line message a command
/// prints tells the user where to look; `kind` lets callers and tests tell cases apart.
public struct DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A system call failed; carries errno.
        case system(errno: Int32)
        case notFound
        case badMagic
        case truncated
        /// The file is longer than its header says.
        case trailingBytes
        case badDimensions
        case countMismatch
        case labelOutOfRange
        case corruptCompression
        case unknownDataset
        case missingDirectory
        case invalidArgument
    }

    public let path: String
    public let kind: Kind
    public let reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    /// The error for a failed system call, read from the current errno.
    static func system(path: String, operation: String, errno code: Int32 = errno) -> DatasetError {
        let message = String(cString: strerror(code))
        return DatasetError(path: path, kind: .system(errno: code),
                            reason: "\(operation) failed: \(message) (errno \(code))")
    }

    static func invalidArgument(_ reason: String) -> DatasetError {
        DatasetError(path: "", kind: .invalidArgument, reason: reason)
    }
}
