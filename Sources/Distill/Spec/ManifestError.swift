/// A manifest that cannot run, with the field path at fault in the message, e.g.
/// `nayer.g_steps must be a positive integer, got -3`.
public struct ManifestError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
