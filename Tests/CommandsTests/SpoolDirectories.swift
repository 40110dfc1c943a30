import Foundation
import TestSupport

/// A spool and output directory for one test.
struct SpoolDirectories {
    let root: URL
    var spool: URL { root.appendingPathComponent("spool") }
    var output: URL { root.appendingPathComponent("output") }
    var incoming: URL { spool.appendingPathComponent("incoming") }
    var active: URL { spool.appendingPathComponent("active") }
    var rejected: URL { spool.appendingPathComponent("rejected") }
    var failed: URL { spool.appendingPathComponent("failed") }
    var metrics: URL { spool.appendingPathComponent("nayerd.prom") }

    init(label: String) throws {
        root = try Fixtures.temporaryDirectory(label)
        for directory in [incoming, active, rejected, failed] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    var serveArguments: [String] { ["serve", "--spool", spool.path, "--output", output.path] }

    /// Drops a manifest the way users are told to: a dot-file first, then a rename.
    func drop(_ text: String, as name: String) throws {
        let staging = incoming.appendingPathComponent(".\(name).partial")
        try Data(text.utf8).write(to: staging)
        guard rename(staging.path, incoming.appendingPathComponent(name).path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    func finished(_ id: String) -> URL { output.appendingPathComponent(id) }

    /// Every file left under the spool and the output whose name marks it temporary.
    func temporaryFiles() -> [String] {
        var found: [String] = []
        for base in [spool, output] {
            let enumerator = FileManager.default.enumerator(atPath: base.path)
            while let relative = enumerator?.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") && name != ".keep" || name.hasSuffix(".tmp") || name.contains(".partial") {
                    found.append(relative)
                }
            }
        }
        return found
    }
}
