/// Starts the work of one job. The supervisor knows nothing of what a job does:
/// it hands over the job directory and a thread budget and watches the result.
public protocol JobRunner: Sendable {
    func start(job identifier: JobIdentifier, directory: JobDirectory, threads: Int) throws -> any RunningWorker
}

/// A started worker the supervisor polls; it is only used from the supervisor's thread.
public protocol RunningWorker: AnyObject {
    var processIdentifier: Int32 { get }
    /// Non-blocking: nil while the worker runs, its termination once it ended.
    func pollTermination() throws -> WorkerTermination?
    func send(signal: Int32) throws
}
