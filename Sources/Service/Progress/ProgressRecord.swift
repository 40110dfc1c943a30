import FileSystem
import Foundation

/// The plain progress record a worker writes atomically to `<jobdir>/progress.json`
/// and the supervisor reads for STATUS=, metrics and `nayerd status`. The file's
/// modification time doubles as the worker's heartbeat for the watchdog.
public struct ProgressRecord: Codable, Equatable, Sendable {
    public enum State: String, Codable, Sendable {
        case starting, running, checkpointing, stopping, finished
    }

    public var jobIdentifier: String
    public var epoch: Int
    public var epochs: Int
    public var phase: String
    public var step: Int
    public var accuracy: Double?
    public var bestAccuracy: Double?
    public var agreement: Double?
    public var losses: [String: Double]
    public var imagesPerSecond: Double
    public var etaSeconds: Double?
    public var lastCheckpointUnixSeconds: Double?
    public var state: State

    public init(jobIdentifier: String, epoch: Int, epochs: Int, phase: String, step: Int,
                accuracy: Double? = nil, bestAccuracy: Double? = nil, agreement: Double? = nil,
                losses: [String: Double] = [:], imagesPerSecond: Double = 0, etaSeconds: Double? = nil,
                lastCheckpointUnixSeconds: Double? = nil, state: State) {
        self.jobIdentifier = jobIdentifier
        self.epoch = epoch
        self.epochs = epochs
        self.phase = phase
        self.step = step
        self.accuracy = accuracy
        self.bestAccuracy = bestAccuracy
        self.agreement = agreement
        self.losses = losses
        self.imagesPerSecond = imagesPerSecond
        self.etaSeconds = etaSeconds
        self.lastCheckpointUnixSeconds = lastCheckpointUnixSeconds
        self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case jobIdentifier = "job_id"
        case epoch, epochs, phase, step, accuracy
        case bestAccuracy = "best_accuracy"
        case agreement, losses
        case imagesPerSecond = "images_per_second"
        case etaSeconds = "eta_seconds"
        case lastCheckpointUnixSeconds = "last_checkpoint_unix_seconds"
        case state
    }

    /// Fraction of epochs done, in [0, 1].
    public var progressRatio: Double {
        guard epochs > 0 else { return 0 }
        return min(1, max(0, Double(epoch) / Double(epochs)))
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    public func write(to url: URL) throws {
        try DurableFile.write(try encoded(), to: url.path)
    }

    /// Returns nil if the worker has not written a record yet; a record that
    /// cannot be decoded throws, naming the file.
    public static func read(from url: URL) throws -> ProgressRecord? {
        let bytes: [UInt8]
        do {
            bytes = try DurableFile.read(url.path)
        } catch let error as SystemError where error.code == ENOENT {
            return nil
        }
        do {
            return try JSONDecoder().decode(ProgressRecord.self, from: Data(bytes))
        } catch {
            throw SpoolError.invalidFile(path: url.path, reason: "unreadable progress record: \(error)")
        }
    }
}
