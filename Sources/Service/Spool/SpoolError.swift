/// Spool-level failures that are not a single failed system call.
public enum SpoolError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidJobIdentifier(String, reason: String)
    case alreadyLocked(lockPath: String, holder: String?)
    case duplicateJob(identifier: String, location: String)
    case jobNotFound(identifier: String, spool: String)
    case invalidFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidJobIdentifier(let text, let reason):
            return "job id \"\(text)\" is invalid: \(reason)"
        case .alreadyLocked(let path, let holder):
            let who = holder.map { " by process \($0)" } ?? ""
            return "another nayerd already serves this spool: \(path) is locked\(who)"
        case .duplicateJob(let identifier, let location):
            return "job id \"\(identifier)\" already exists in \(location)"
        case .jobNotFound(let identifier, let spool):
            return "no queued or running job \"\(identifier)\" in spool \(spool)"
        case .invalidFile(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
