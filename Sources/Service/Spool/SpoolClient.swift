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
        guard let status = try FileStatus.of(url.resolvingSymlinksInPath()) else {
            throw SystemCallError(operation: "stat", path: url.path, errorNumber: ENOENT)
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
        if try FileStatus.exists(destination) {
            throw SpoolError.duplicateJob(identifier: identifier.rawValue, location: "incoming/")
        }
        if try FileStatus.exists(layout.activeJob(identifier).url) {
            throw SpoolError.duplicateJob(identifier: identifier.rawValue, location: "active/")
        }
        if try FileStatus.exists(layout.failedJob(identifier)) {
            throw SpoolError.duplicateJob(identifier: identifier.rawValue, location: "failed/")
        }
        try AtomicFile.write(try summary.resolvedManifest ?? FileOperations.readFile(url), to: destination)
        return identifier
    }

    /// Cancels a queued or running job. Holding the spool lock while moving keeps a
    /// daemon from starting in between and claiming the same job.
    public func cancel(_ identifier: JobIdentifier) throws -> CancelOutcome {
        let queued = layout.incoming.appendingPathComponent("\(identifier.rawValue).json")
        if try FileStatus.of(queued)?.kind == .regular {
            let transitions = JobTransitions(layout: layout, outputDirectory: layout.root)
            let destination = try transitions.freeFailedName(for: identifier)
            try FileOperations.makeDirectory(destination)
            try FileOperations.rename(queued, to: destination.appendingPathComponent("manifest.json"))
            try AtomicFile.write("cancelled\n", to: destination.appendingPathComponent("error.txt"))
            return .cancelledBeforeStart
        }
        let job = layout.activeJob(identifier)
        guard try FileStatus.of(job.url)?.kind == .directory else {
            throw SpoolError.jobNotFound(identifier: identifier.rawValue, spool: layout.root.path)
        }
        let lock: SpoolLock
        do {
            lock = try SpoolLock.acquire(at: layout.lockFile)
        } catch SpoolError.alreadyLocked {
            try AtomicFile.write("cancelled\n", to: job.cancelRequest)
            return .requestedFromDaemon
        }
        defer { withExtendedLifetime(lock) {} }
        try JobTransitions(layout: layout, outputDirectory: layout.root).fail(identifier, reason: "cancelled")
        return .cancelledWhileIdle
    }
}
