import Foundation
import Service
import Synchronization

/// Records every sd_notify message instead of sending it.
public final class RecordingNotifier: Notifier {
    private let recorded = Mutex<[NotifyMessage]>([])

    public init() {}

    public func notify(_ messages: [NotifyMessage]) throws {
        recorded.withLock { $0 += messages }
    }

    public var messages: [NotifyMessage] { recorded.withLock { $0 } }
}

/// Records log lines instead of writing them.
public final class RecordingLogger: Logger {
    public struct Entry: Equatable, Sendable {
        public var priority: LogPriority
        public var message: String
        public var job: String?
        public var epoch: Int?
    }

    private let recorded = Mutex<[Entry]>([])

    public init() {}

    public func log(priority: LogPriority, message: String, job: String?, epoch: Int?) {
        recorded.withLock { $0.append(Entry(priority: priority, message: message, job: job, epoch: epoch)) }
    }

    public var entries: [Entry] { recorded.withLock { $0 } }
}

/// A clock that stands still until told to move.
public final class FixedClock: Clock {
    private let now: Mutex<Double>

    public init(unixSeconds: Double) {
        now = Mutex(unixSeconds)
    }

    public func unixSeconds() -> Double { now.withLock { $0 } }

    public func advance(bySeconds seconds: Double) {
        now.withLock { $0 += seconds }
    }
}

/// Accepts any well-formed JSON object and takes the job id from its "id" key,
/// standing in for the Distill schema validation.
public struct JSONObjectValidator: ManifestValidator {
    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public func validate(manifestAt url: URL) throws -> ManifestSummary {
        let data = try Data(contentsOf: url)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw Invalid(description: "\(url.lastPathComponent) is not well-formed JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw Invalid(description: "\(url.lastPathComponent) is not a JSON object")
        }
        if let identifier = dictionary["id"], !(identifier is String) {
            throw Invalid(description: "\(url.lastPathComponent): field \"id\" must be a string")
        }
        return ManifestSummary(jobIdentifier: dictionary["id"] as? String)
    }
}

/// A fresh directory under the system temporary directory, removed on deinit.
public final class TemporaryDirectory {
    public let url: URL

    public init(prefix: String = "nayerd-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
