import FileSystem
import Foundation
import SafeTensors
import Tensor

/// Why a checkpoint could not be used.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
}

/// Checkpoints of one job: `checkpoint-<n>/` directories holding `state.json` and
/// `tensors.safetensors`, and a `CURRENT` file naming the newest complete one.
///
/// A new checkpoint is written in full and fsynced in its own directory, then `CURRENT`
/// is replaced atomically, and only then is the previous directory deleted, so at every
/// instant one complete, durable checkpoint exists.
public struct CheckpointStore {
    public static let magic = "nayerd-checkpoint"
    public static let version = 1

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    private struct Envelope<State: Codable>: Codable {
        let magic: String
        let version: Int
        let configurationHash: String
        let sequence: Int
        let state: State
    }

    private struct Header: Decodable {
        let magic: String
        let version: Int
        let configurationHash: String
        let sequence: Int
    }

    private var currentPointer: String { directory.appendingPathComponent("CURRENT").path }

    /// The sequence number of the newest checkpoint, or nil when there is none.
    public func currentSequence() throws -> Int? {
        guard FileManager.default.fileExists(atPath: currentPointer) else { return nil }
        let text = String(decoding: try DurableFile.read(currentPointer), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("checkpoint-"), let sequence = Int(text.dropFirst("checkpoint-".count)), sequence >= 0 else {
            throw CheckpointError(message: "\(currentPointer) does not name a checkpoint: \"\(text.prefix(60))\"")
        }
        return sequence
    }

    /// Writes a checkpoint durably and makes it the current one.
    public func save<State: Codable>(state: State, tensors: [String: Tensor], configurationHash: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let previous = try currentSequence()
        let sequence = (previous ?? -1) + 1
        let name = "checkpoint-\(sequence)"
        let target = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.removeItem(at: target)   // debris of a save that crashed
        }
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)

        try SafeTensorsFile(tensors: tensors).write(to: target.appendingPathComponent("tensors.safetensors"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let envelope = Envelope(magic: Self.magic, version: Self.version, configurationHash: configurationHash,
                                sequence: sequence, state: state)
        try DurableFile.write([UInt8](try encoder.encode(envelope)), to: target.appendingPathComponent("state.json").path)
        try DurableFile.synchronizeDirectory(target.path)

        try DurableFile.write(Array("\(name)\n".utf8), to: currentPointer)
        try removeAll(except: name)
    }

    /// The current checkpoint's state and tensors, or nil when the job has none yet.
    /// A checkpoint of another configuration (the manifest changed) is refused.
    public func load<State: Codable>(_ type: State.Type, configurationHash: String) throws -> (state: State, tensors: [String: Tensor])? {
        guard let sequence = try currentSequence() else { return nil }
        let folder = directory.appendingPathComponent("checkpoint-\(sequence)")
        let statePath = folder.appendingPathComponent("state.json").path
        let data = Data(try DurableFile.read(statePath))
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw CheckpointError(message: "\(statePath) is not a nayerd checkpoint: \(error)")
        }
        guard header.magic == Self.magic else {
            throw CheckpointError(message: "\(statePath) is not a nayerd checkpoint (magic \"\(header.magic)\")")
        }
        guard header.version == Self.version else {
            throw CheckpointError(message: "\(statePath) has checkpoint version \(header.version); this nayerd reads version \(Self.version)")
        }
        guard header.configurationHash == configurationHash else {
            throw CheckpointError(message: "\(statePath) was written for a different manifest (configuration \(header.configurationHash), now \(configurationHash)); use a new work directory")
        }
        let envelope: Envelope<State>
        do {
            envelope = try JSONDecoder().decode(Envelope<State>.self, from: data)
        } catch {
            throw CheckpointError(message: "\(statePath) has an unreadable state: \(error)")
        }
        let tensors = try SafeTensorsFile.read(contentsOf: folder.appendingPathComponent("tensors.safetensors")).tensors
        try removeAll(except: "checkpoint-\(sequence)")
        return (envelope.state, tensors)
    }

    /// Deletes checkpoint directories other than `keep` (older ones, or a newer one
    /// whose save never reached CURRENT).
    private func removeAll(except keep: String) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix("checkpoint-") && name != keep {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        // Temporary files of an interrupted DurableFile.write.
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}

/// A stable 64-bit FNV-1a fingerprint, for telling whether a checkpoint belongs to the
/// same configuration (not a security hash).
public func fingerprint(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
}
