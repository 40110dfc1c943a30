import FileSystem
import Foundation

/// The directories of one spool (see DESIGN.md "Spool and job lifecycle").
public struct SpoolLayout: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    public var incoming: URL { root.appendingPathComponent("incoming", isDirectory: true) }
    public var active: URL { root.appendingPathComponent("active", isDirectory: true) }
    public var rejected: URL { root.appendingPathComponent("rejected", isDirectory: true) }
    public var failed: URL { root.appendingPathComponent("failed", isDirectory: true) }
    public var lockFile: URL { root.appendingPathComponent("nayerd.lock") }

    public func createDirectories() throws {
        for directory in [root, incoming, active, rejected, failed] {
            try FileOperations.makeDirectories(directory.path)
        }
    }

    public func activeJob(_ identifier: JobIdentifier) -> JobDirectory {
        JobDirectory(url: active.appendingPathComponent(identifier.rawValue, isDirectory: true))
    }

    public func failedJob(_ identifier: JobIdentifier) -> URL {
        failed.appendingPathComponent(identifier.rawValue, isDirectory: true)
    }

    /// Ids of jobs in `active/`; entries that are not valid ids (staging files) are skipped.
    public func activeJobIdentifiers() throws -> [JobIdentifier] {
        try FileOperations.listDirectory(active.path).compactMap { name in
            guard try FileStatus.of(active.appendingPathComponent(name).path)?.kind == .directory else { return nil }
            return try? JobIdentifier(validating: name)
        }
    }
}

/// The files of one job directory, shared by the worker (which writes them) and
/// the supervisor (which reads and moves them).
public struct JobDirectory: Sendable, Equatable {
    public let url: URL

    public init(url: URL) {
        self.url = url.standardizedFileURL
    }

    /// The manifest the worker runs (possibly with paths resolved by the validator).
    public var manifest: URL { url.appendingPathComponent("manifest.json") }
    /// The bytes the user submitted, kept when the validator rewrote the manifest.
    public var submittedManifest: URL { url.appendingPathComponent("submitted.json") }
    public var checkpoint: URL { url.appendingPathComponent("checkpoint", isDirectory: true) }
    /// Finished artefacts; renamed to `<output>/ID/` by the supervisor on success.
    public var output: URL { url.appendingPathComponent("output", isDirectory: true) }
    public var progress: URL { url.appendingPathComponent("progress.json") }
    /// Reason for a permanent failure, written by the worker before exit code 3.
    public var error: URL { url.appendingPathComponent("error.txt") }
    /// Marker written by `nayerd cancel`; the supervisor stops the worker when it appears.
    public var cancelRequest: URL { url.appendingPathComponent("cancel-requested") }
}
