import Foundation
import Service
import TestSupport

/// A temporary spool with its output directory, and helpers to drop manifests in.
final class SpoolFixture {
    let temporary: TemporaryDirectory
    let layout: SpoolLayout
    let output: URL

    init() throws {
        temporary = try TemporaryDirectory(prefix: "nayerd-spool")
        layout = SpoolLayout(root: temporary.url.appendingPathComponent("spool"))
        output = temporary.url.appendingPathComponent("output")
        try layout.createDirectories()
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    }

    var claimer: JobClaimer {
        JobClaimer(layout: layout, outputDirectory: output, validator: JSONObjectValidator())
    }

    /// Writes a manifest outside incoming/ and renames it in, as users are told to.
    @discardableResult
    func drop(name: String, json: String) throws -> URL {
        let staging = temporary.url.appendingPathComponent(".staging-\(name)")
        try Data(json.utf8).write(to: staging)
        let destination = layout.incoming.appendingPathComponent(name)
        try FileManager.default.moveItem(at: staging, to: destination)
        return destination
    }

    func text(_ url: URL) -> String? {
        (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.path)
    }

    /// Processes every incoming entry once, as the supervisor's scan does.
    func claimAll() throws -> [ClaimOutcome] {
        try SpoolScanner(incoming: layout.incoming).scan().map { try claimer.process($0) }
    }
}

/// Polls until `condition` holds or `timeoutSeconds` pass; returns whether it held.
/// The default allows for a loaded CI machine: the whole suite runs in parallel and
/// several tests start real processes, so a worker can take seconds to start. It returns
/// as soon as the condition holds.
func eventually(timeoutSeconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}
