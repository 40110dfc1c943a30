/// Exit codes shared by `nayerd worker` and the supervisor that reads them.
///
/// - `success` (0): finished artefacts are in `<jobdir>/output/`; the supervisor
///   moves that directory to `<output>/ID/`.
/// - `permanentFailure` (3): retrying cannot help (bad teacher file, shape mismatch);
///   the worker wrote the reason to `<jobdir>/error.txt`; the job goes to `failed/`.
/// - `interrupted` (4): the worker was asked to stop (SIGTERM/SIGINT) and saved a
///   checkpoint; the job stays in `active/` and resumes later.
/// Anything else, or death by a signal, is a crash: retried from the last
/// checkpoint a bounded number of times.
public enum WorkerExit: Int32, Sendable {
    case success = 0
    case permanentFailure = 3
    case interrupted = 4
}

/// How a worker process ended, decoded from a waitpid status word.
public enum WorkerTermination: Equatable, Sendable, CustomStringConvertible {
    case exited(code: Int32)
    case signaled(signal: Int32)

    /// Decodes the layout glibc documents for WIFEXITED/WEXITSTATUS/WTERMSIG,
    /// which are macros Swift cannot import.
    public init(waitStatus: Int32) {
        let low = waitStatus & 0x7f
        if low == 0 {
            self = .exited(code: (waitStatus >> 8) & 0xff)
        } else {
            self = .signaled(signal: low)
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "was killed by signal \(signal) (\(SignalName.of(signal)))"
        }
    }
}

enum SignalName {
    static func of(_ signal: Int32) -> String {
        let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
                                      6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV",
                                      13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"]
        return names[signal] ?? "signal \(signal)"
    }
}
