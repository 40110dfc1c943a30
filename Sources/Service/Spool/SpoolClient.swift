import FileSystem
import Foundation

/// The spool operations of the short-lived commands: `submit` and `cancel`.
public struct SpoolClient: Sendable {
    public enum CancelOutcome: Equatable, Sendable {
        /// The job had not started; its manifest is now in `failed/ID/`.
        case cancelledBeforeStart
        /// A daemon runs the job; it will stop the worker and move the job to `failed/`.
        case requestedFromDaemon
        /// No daemon was running; the job was moved to `failed/` directly.
        case cancelledWhileIdle
    }

    public let layout: SpoolLayout
    public let maximumManifestBytes: Int64

    public init(layout: SpoolLayout, maximumManifestBytes: Int64 = SpoolScanner.defaultMaximumManifestBytes) {
        self.layout = layout
        self.maximumManifestBytes = maximumManifestBytes
    }

    /// Validates, then writes the manifest to a hidden temporary name in
    /// `incoming/` and renames it to `ID.json`, so the daemon never sees half a file.
    public func submit(manifestAt url: URL, validator: any ManifestValidator) throws -> JobIdentifier {
        guard let status = try FileStatus.of(url.path, followingLinks: true) else {
            throw SystemError("stat", path: url.path, code: ENOENT)
        }
        guard status.kind == .regular else {
            throw SpoolError.invalidFile(path: url.path, reason: "not a regular file")
        }
        guard status.size <= maximumManifestBytes else {
            throw SpoolError.invalidFile(path: url.path, reason: "\(status.size) bytes is larger than the "
                                         + "\(maximumManifestBytes)-byte limit for manifests")
        }
        let summary = try validator.validate(manifestAt: url)
        let identifier = try JobIdentifier(validating: summary.jobIdentifier
                                           ?? url.deletingPathExtension().lastPathComponent)
        let destination = layout.incoming.appendingPathComponent("\(identifier.rawValue).json")
        if try FileStatus.exists(destination.path) {
            throw SpoolError.duplicateJob(identifier: identifier.rawValue, location: "incoming/")
        }
        if try FileStatus.exists(layout.activeJob(identifier).url.path) {
            throw SpoolError.duplicateJob(identifier: identifier.rawValue, location: "active/")
        }
        if try FileStatus.exists(layout.failedJob(identifier).path) {
            throw SpoolError.duplicateJob(identifier: identifier.rawValue, location: "failed/")
        }
        try DurableFile.write(try summary.resolvedManifest ?? Data(DurableFile.read(url.path)), to: destination.path)
        return identifier
    }

    /// Cancels a queued or running job. Holding the spool lock while moving keeps a
    /// daemon from starting in between and claiming the same job.
    public func cancel(_ identifier: JobIdentifier) throws -> CancelOutcome {
        let queued = layout.incoming.appendingPathComponent("\(identifier.rawValue).json")
        if try FileStatus.of(queued.path)?.kind == .regular {
            let transitions = JobTransitions(layout: layout, outputDirectory: layout.root)
            let destination = try transitions.freeFailedName(for: identifier)
            try FileOperations.makeDirectory(destination.path)
            try FileOperations.rename(queued.path, to: destination.appendingPathComponent("manifest.json").path)
            try DurableFile.write("cancelled\n".utf8, to: destination.appendingPathComponent("error.txt").path)
            return .cancelledBeforeStart
        }
        let job = layout.activeJob(identifier)
        guard try FileStatus.of(job.url.path)?.kind == .directory else {
            throw SpoolError.jobNotFound(identifier: identifier.rawValue, spool: layout.root.path)
        }
        let lock: SpoolLock
        do {
            lock = try SpoolLock.acquire(at: layout.lockFile)
        } catch SpoolError.alreadyLocked {
            try DurableFile.write("cancelled\n".utf8, to: job.cancelRequest.path)
            return .requestedFromDaemon
        }
        defer { withExtendedLifetime(lock) {} }
        try JobTransitions(layout: layout, outputDirectory: layout.root).fail(identifier, reason: "cancelled")
        return .cancelledWhileIdle
    }
}
