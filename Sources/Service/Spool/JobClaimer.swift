import FileSystem
import Foundation

/// What became of one incoming entry.
public enum ClaimOutcome: Equatable, Sendable {
    case claimed(JobIdentifier)
    /// Moved to `rejected/NAME.json` with `rejected/NAME.error.txt`.
    case rejected(name: String, reason: String)
    /// Left in place (dot-file, *.tmp) or gone before we got to it.
    case skipped
}

/// Moves incoming manifests into `active/ID/` or `rejected/`. The rename out of
/// `incoming/` is the claim: whichever scan gets there first wins and a repeated
/// scan of the same name finds nothing, so each manifest is claimed once.
public struct JobClaimer: Sendable {
    public let layout: SpoolLayout
    public let outputDirectory: URL
    public let validator: any ManifestValidator

    public init(layout: SpoolLayout, outputDirectory: URL, validator: any ManifestValidator) {
        self.layout = layout
        self.outputDirectory = outputDirectory
        self.validator = validator
    }

    public func process(_ entry: IncomingEntry) throws -> ClaimOutcome {
        switch entry {
        case .ignored:
            return .skipped
        case .unacceptable(let url, let reason):
            return try reject(url, name: stemName(of: url), reason: reason)
        case .candidate(let url):
            return try claim(url)
        }
    }

    private func claim(_ url: URL) throws -> ClaimOutcome {
        let summary: ManifestSummary
        do {
            summary = try validator.validate(manifestAt: url)
        } catch {
            guard try FileStatus.exists(url.path) else { return .skipped }
            return try reject(url, name: stemName(of: url), reason: "invalid manifest: \(error)")
        }
        let requested = summary.jobIdentifier ?? String(url.deletingPathExtension().lastPathComponent)
        let identifier: JobIdentifier
        do {
            identifier = try JobIdentifier(validating: requested)
        } catch {
            return try reject(url, name: stemName(of: url), reason: "\(error)")
        }
        if let location = try existingLocation(of: identifier) {
            return try reject(url, name: identifier.rawValue,
                              reason: "\(SpoolError.duplicateJob(identifier: identifier.rawValue, location: location))")
        }
        let job = layout.activeJob(identifier)
        guard try FileOperations.makeDirectory(job.url.path) else {
            return try reject(url, name: identifier.rawValue,
                              reason: "\(SpoolError.duplicateJob(identifier: identifier.rawValue, location: "active/"))")
        }
        do {
            if let resolved = summary.resolvedManifest {
                try DurableFile.write(resolved, to: job.manifest.path)
                try FileOperations.rename(url.path, to: job.submittedManifest.path)
            } else {
                try FileOperations.rename(url.path, to: job.manifest.path)
            }
        } catch {
            // Undo the half-made job so the id stays free; if the manifest vanished
            // someone else took it and there is nothing to report.
            try? FileOperations.removeTree(job.url.path)
            if let failure = error as? SystemError, failure.code == ENOENT { return .skipped }
            throw error
        }
        try DurableFile.synchronizeDirectory(layout.incoming.path)
        return .claimed(identifier)
    }

    /// Where an id is already in use; rejected manifests do not reserve their id so
    /// a corrected manifest can be resubmitted under the same name.
    func existingLocation(of identifier: JobIdentifier) throws -> String? {
        if try FileStatus.exists(layout.activeJob(identifier).url.path) { return "active/" }
        if try FileStatus.exists(layout.failedJob(identifier).path) { return "failed/" }
        if try FileStatus.exists(outputDirectory.appendingPathComponent(identifier.rawValue).path) {
            return outputDirectory.path
        }
        return nil
    }

    private func reject(_ url: URL, name: String, reason: String) throws -> ClaimOutcome {
        let destination = layout.rejected.appendingPathComponent("\(name).json")
        // A leftover from an earlier rejection under the same name would make the
        // rename fail (directory over file and the reverse), so it goes first.
        try FileOperations.removeTree(destination.path)
        do {
            try FileOperations.rename(url.path, to: destination.path)
        } catch let failure as SystemError where failure.code == ENOENT {
            return .skipped
        }
        let message = "\(url.lastPathComponent): \(reason)\n"
        try DurableFile.write(message.utf8, to: layout.rejected.appendingPathComponent("\(name).error.txt").path)
        return .rejected(name: name, reason: reason)
    }

    private func stemName(of url: URL) -> String {
        JobIdentifier.safeName(from: url.deletingPathExtension().lastPathComponent)
    }
}
