import FileSystem
import Foundation

/// One entry of `incoming/` and what the pick-up rules make of it.
public enum IncomingEntry: Equatable, Sendable {
    /// A regular `*.json` file small enough to read: hand it to the validator.
    case candidate(URL)
    /// Something that may still be in the making (dot-files, `*.tmp`, other
    /// extensions): left alone, never rejected.
    case ignored(URL)
    /// A `*.json` entry that can never be a manifest (symlink, directory,
    /// oversized): moved to `rejected/` with the reason.
    case unacceptable(URL, reason: String)

    public var url: URL {
        switch self {
        case .candidate(let url), .ignored(let url), .unacceptable(let url, _): return url
        }
    }
}

/// Applies the pick-up rules to `incoming/`.
public struct SpoolScanner: Sendable {
    public static let defaultMaximumManifestBytes: Int64 = 1 << 20
    public let incoming: URL
    public let maximumManifestBytes: Int64

    public init(incoming: URL, maximumManifestBytes: Int64 = SpoolScanner.defaultMaximumManifestBytes) {
        self.incoming = incoming
        self.maximumManifestBytes = maximumManifestBytes
    }

    public func scan() throws -> [IncomingEntry] {
        try FileOperations.listDirectory(incoming.path).compactMap { name in
            try classify(incoming.appendingPathComponent(name))
        }
    }

    /// Returns nil when the entry vanished between listing and inspection.
    public func classify(_ url: URL) throws -> IncomingEntry? {
        let name = url.lastPathComponent
        guard !name.hasPrefix("."), name.hasSuffix(".json"), name.count > ".json".count else {
            return .ignored(url)
        }
        guard let status = try FileStatus.of(url.path) else { return nil }
        switch status.kind {
        case .symbolicLink:
            return .unacceptable(url, reason: "\(name) is a symbolic link; only regular files are accepted")
        case .directory:
            return .unacceptable(url, reason: "\(name) is a directory; only regular files are accepted")
        case .other:
            return .unacceptable(url, reason: "\(name) is not a regular file")
        case .regular:
            if status.size > maximumManifestBytes {
                return .unacceptable(url, reason: "\(name) is \(status.size) bytes, larger than the "
                                     + "\(maximumManifestBytes)-byte limit for manifests")
            }
            return .candidate(url)
        }
    }
}
