import Foundation

/// What the Service needs to know about a manifest it accepted.
public struct ManifestSummary: Sendable, Equatable {
    /// The manifest's own `id`, if it has one; otherwise the file name stem is used.
    public var jobIdentifier: String?
    /// A rewritten manifest (for example with relative paths made absolute, since
    /// the job directory is not the manifest's original directory). When nil the
    /// submitted bytes are run as they are.
    public var resolvedManifest: Data?

    public init(jobIdentifier: String?, resolvedManifest: Data? = nil) {
        self.jobIdentifier = jobIdentifier
        self.resolvedManifest = resolvedManifest
    }
}

/// Schema validation lives with the ML side (Distill); the Service only calls it.
/// A thrown error's description becomes the text of the rejection file, so it
/// should name the field at fault.
public protocol ManifestValidator: Sendable {
    func validate(manifestAt url: URL) throws -> ManifestSummary
}
