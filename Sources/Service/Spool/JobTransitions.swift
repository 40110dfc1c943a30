import FileSystem
import Foundation

/// Moves a job out of `active/` when it ends: to `<output>/ID/` on success, to
/// `failed/ID/` with `error.txt` otherwise.
public struct JobTransitions: Sendable {
    public let layout: SpoolLayout
    public let outputDirectory: URL

    public init(layout: SpoolLayout, outputDirectory: URL) {
        self.layout = layout
        self.outputDirectory = outputDirectory
    }

    /// Publishes `<jobdir>/output/` as `<output>/ID/` and removes the job directory
    /// (checkpoints and memory bank are large and no longer needed).
    @discardableResult
    public func finish(_ identifier: JobIdentifier) throws -> URL {
        let job = layout.activeJob(identifier)
        guard try FileStatus.of(job.output.path)?.kind == .directory else {
            throw SpoolError.invalidFile(path: job.output.path,
                                                  reason: "the worker reported success but wrote no output directory")
        }
        let outputManifest = job.output.appendingPathComponent("manifest.json")
        if try !FileStatus.exists(outputManifest.path), try FileStatus.exists(job.manifest.path) {
            try DurableFile.write(try DurableFile.read(job.manifest.path), to: outputManifest.path)
        }
        try FileOperations.makeDirectories(outputDirectory.path)
        let destination = outputDirectory.appendingPathComponent(identifier.rawValue, isDirectory: true)
        if try FileStatus.exists(destination.path) {
            throw SpoolError.duplicateJob(identifier: identifier.rawValue, location: outputDirectory.path)
        }
        try FileOperations.moveTree(job.output.path, to: destination.path)
        try DurableFile.synchronizeDirectory(outputDirectory.path)
        try FileOperations.removeTree(job.url.path)
        return destination
    }

    /// Moves `active/ID/` to `failed/ID/` and writes the reason to its error.txt.
    @discardableResult
    public func fail(_ identifier: JobIdentifier, reason: String) throws -> URL {
        let destination = try freeFailedName(for: identifier)
        try FileOperations.rename(layout.activeJob(identifier).url.path, to: destination.path)
        try FileOperations.removeTree(destination.appendingPathComponent("cancel-requested").path)
        try DurableFile.write((reason.hasSuffix("\n") ? reason : reason + "\n").utf8,
                              to: destination.appendingPathComponent("error.txt").path)
        try DurableFile.synchronizeDirectory(layout.failed.path)
        return destination
    }

    /// `failed/ID` normally; a numbered sibling if a job of that id already failed
    /// (possible only when `failed/` was edited by hand while the job ran).
    func freeFailedName(for identifier: JobIdentifier) throws -> URL {
        var candidate = layout.failedJob(identifier)
        var attempt = 1
        while try FileStatus.exists(candidate.path) {
            attempt += 1
            candidate = layout.failed.appendingPathComponent("\(identifier.rawValue).\(attempt)", isDirectory: true)
        }
        return candidate
    }
}
