import Distill
import Foundation
import Glibc
import Service

/// Protections for a worker whose supervisor may vanish.
enum WorkerGuards {
    /// Asks the worker to stop (checkpoint and exit) once its parent has gone: a
    /// daemon killed with SIGKILL cannot tell its workers, and a restarted daemon
    /// will start the job again. Polling getppid() needs no Linux-only prctl, which
    /// Swift cannot call (it is variadic).
    static func stopWhenOrphaned(_ handle: StopHandle, pollSeconds: Double = 0.2) {
        let parent = getppid()
        let thread = Thread {
            while getppid() == parent && parent != 1 {
                usleep(UInt32(pollSeconds * 1_000_000))
            }
            handle.requestStop()
        }
        thread.name = "parent-watch"
        thread.start()
    }

    /// An exclusive lock on `<jobdir>/worker.lock`, so a worker started by a restarted
    /// daemon waits until an orphaned one has written its last checkpoint, instead of
    /// reading a checkpoint that is being replaced. Gives up after `timeoutSeconds`
    /// (the supervisor then retries the job later).
    static func lockJob(_ directory: JobDirectory, timeoutSeconds: Double = 60,
                        stop: StopHandle, logger: any Logger, job: String) throws -> SpoolLock? {
        let path = directory.url.appendingPathComponent("worker.lock")
        let deadline = DistillationRun.monotonicSeconds() + timeoutSeconds
        var announced = false
        while true {
            do {
                return try SpoolLock.acquire(at: path)
            } catch SpoolError.alreadyLocked(_, let holder) {
                if !announced {
                    logger.notice("waiting for the previous worker \(holder ?? "?") of this job to exit", job: job)
                    announced = true
                }
                if stop.isStopRequested { return nil }
                guard DistillationRun.monotonicSeconds() < deadline else {
                    throw CommandFailure("\(path.path) is still locked by process \(holder ?? "?") after "
                                         + "\(Int(timeoutSeconds)) s; another worker runs this job")
                }
                usleep(100_000)
            }
        }
    }
}
