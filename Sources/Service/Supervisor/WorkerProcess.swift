import FileSystem
import Foundation
import Glibc

/// Runs each job as `EXECUTABLE worker JOBDIR` in its own process, so a trap in
/// one job cannot take the daemon down. The thread budget travels in
/// NAYER_THREADS.
public struct ProcessJobRunner: JobRunner {
    public static let threadsVariable = "NAYER_THREADS"
    public static let jobVariable = "NAYER_JOB_ID"

    public let executable: URL
    public let environment: [String: String]

    /// `environment` is the base the worker inherits (normally our own).
    public init(executable: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.executable = executable
        self.environment = environment
    }

    /// The running binary, for `serve` to start `nayerd worker` with; resolved
    /// once so a later replacement of the file on disk does not mix versions.
    public static func currentExecutable() throws -> URL {
        URL(fileURLWithPath: try FileOperations.readLink("/proc/self/exe"))
    }

    public func start(job identifier: JobIdentifier, directory: JobDirectory, threads: Int) throws -> any RunningWorker {
        var variables = environment
        variables[Self.threadsVariable] = String(threads)
        variables[Self.jobVariable] = identifier.rawValue
        let arguments = [executable.path, "worker", directory.url.path]
        let pid = try WorkerProcess.spawn(executable: executable.path, arguments: arguments,
                                          environment: variables.map { "\($0.key)=\($0.value)" }.sorted())
        return WorkerProcess(processIdentifier: pid)
    }
}

public final class WorkerProcess: RunningWorker {
    public let processIdentifier: Int32
    private var termination: WorkerTermination?

    init(processIdentifier: Int32) {
        self.processIdentifier = processIdentifier
    }

    public func pollTermination() throws -> WorkerTermination? {
        if let termination { return termination }
        var status: Int32 = 0
        while true {
            let result = waitpid(processIdentifier, &status, WNOHANG)
            if result == 0 { return nil }
            if result == processIdentifier { break }
            if errno == EINTR { continue }
            throw SystemError("waitpid", path: "worker process \(processIdentifier)")
        }
        termination = WorkerTermination(waitStatus: status)
        return termination
    }

    public func send(signal: Int32) throws {
        // Once reaped the pid may belong to someone else; never signal it.
        guard termination == nil else { return }
        try SystemError.check(kill(processIdentifier, signal), "kill", path: "worker process \(processIdentifier)")
    }

    /// posix_spawn with default dispositions and an empty mask for the signals the
    /// daemon handles, so the worker can catch SIGTERM itself.
    static func spawn(executable: String, arguments: [String], environment: [String]) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        try checkResult(posix_spawnattr_init(&attributes), "posix_spawnattr_init", executable)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGCHLD, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        try checkResult(posix_spawnattr_setsigdefault(&attributes, &defaults), "posix_spawnattr_setsigdefault", executable)
        try checkResult(posix_spawnattr_setsigmask(&attributes, &emptyMask), "posix_spawnattr_setsigmask", executable)
        try checkResult(posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)),
                        "posix_spawnattr_setflags", executable)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        try checkResult(posix_spawn(&pid, executable, nil, &attributes, argv, envp), "posix_spawn", executable)
        return pid
    }

    /// posix_spawn functions return the error number instead of setting errno.
    private static func checkResult(_ result: Int32, _ operation: String, _ path: String) throws {
        if result != 0 { throw SystemError(operation, path: path, code: result) }
    }
}
