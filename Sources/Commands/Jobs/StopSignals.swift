import FileSystem
import Glibc
import Service

/// SIGTERM and SIGINT as a stop request for the long-running commands.
enum StopSignals {
    /// Installs the handlers and unblocks both signals: a parent may have started us
    /// with them blocked (a mask is inherited across exec, and threads of thread pools
    /// block everything), and a blocked SIGTERM would leave us unstoppable short of
    /// SIGKILL. Call on the main thread before any other thread starts.
    static func install() throws -> StopHandle {
        let handle = try StopHandle()
        try TerminationSignals.install(handle: handle)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        let result = pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        if result != 0 { throw SystemError("pthread_sigmask", path: "process", code: result) }
        return handle
    }
}
