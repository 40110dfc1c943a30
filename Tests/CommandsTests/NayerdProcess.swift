import TestSupport
import Foundation
import Glibc
import Testing

/// The built `nayerd` binary, run as a real process.
enum Nayerd {
    /// Beside the test bundle in the products directory (`swift build --build-tests`
    /// builds both); NAYERD_BINARY overrides.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["NAYERD_BINARY"] { return URL(fileURLWithPath: path) }
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for directory in candidates {
            let url = directory.appendingPathComponent("nayerd")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return candidates[0].appendingPathComponent("nayerd")
    }()

    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs to completion and captures both streams.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    timeoutSeconds: Double = 300) throws -> Result {
        let process = try RunningProcess(arguments, in: directory, environment: environment)
        let status = try process.wait(timeoutSeconds: timeoutSeconds)
        return Result(status: status, standardOutput: process.standardOutput(), standardError: process.standardError())
    }
}

struct BinaryMissing: Error, CustomStringConvertible {
    var description: String {
        "\(Nayerd.binary.path) does not exist; build it first with 'swift build --build-tests' (or set NAYERD_BINARY)"
    }
}

/// A started `nayerd` with its output in files (pipes could fill up while a test waits).
final class RunningProcess {
    let process = Process()
    let logDirectory: URL

    init(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
         executable: URL = Nayerd.binary) throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            if executable == Nayerd.binary { throw BinaryMissing() }
            throw TimedOut(what: "\(executable.path) to exist (install it)", seconds: 0)
        }
        logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("nayerd-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        for path in [outputPath, errorPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw POSIXError(.EIO) }
        }
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var variables = ProcessInfo.processInfo.environment
        // The test runner's own systemd context must not leak into the daemon.
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "NAYER_THREADS"] {
            variables[name] = nil
        }
        variables.merge(environment) { $1 }
        process.environment = variables
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logDirectory)
    }

    var processIdentifier: Int32 { process.processIdentifier }
    private var outputPath: String { logDirectory.appendingPathComponent("stdout").path }
    private var errorPath: String { logDirectory.appendingPathComponent("stderr").path }

    func standardOutput() -> String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    func standardError() -> String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// The exit status, or a thrown timeout (the process is then killed).
    func wait(timeoutSeconds: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw TimedOut(what: "nayerd \(process.arguments?.joined(separator: " ") ?? "") to exit",
                               seconds: timeoutSeconds, log: standardError())
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Direct children (the workers of a `serve`), from /proc.
    func children() -> [Int32] {
        let parent = process.processIdentifier
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command name: state, then the parent pid.
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var log: String = ""
    var description: String { "timed out after \(Int(seconds)) s waiting for \(what)\n--- log ---\n\(log.suffix(4000))" }
}

/// Polls `condition` until it holds; throws with `what` after the timeout.
func waitUntil(_ what: String, timeoutSeconds: Double = 120, pollSeconds: Double = 0.02,
               log: @autoclosure () -> String = "", _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while try !condition() {
        if Date() > deadline { throw TimedOut(what: what, seconds: timeoutSeconds, log: log()) }
        usleep(UInt32(pollSeconds * 1_000_000))
    }
}
