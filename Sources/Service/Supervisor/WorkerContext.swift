import FileSystem
import Foundation

/// What `nayerd worker JOBDIR` receives from the supervisor, and the files it
/// writes back. Exit with a `WorkerExit` code after using it.
public struct WorkerContext: Sendable {
    public let directory: JobDirectory
    /// The job's share of the machine's threads (NAYER_THREADS), at least 1.
    public let threads: Int

    public init(jobDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        directory = JobDirectory(url: jobDirectory)
        guard try FileStatus.of(directory.url.path)?.kind == .directory else {
            throw SpoolError.invalidFile(path: jobDirectory.path, reason: "not a job directory")
        }
        if let text = environment[ProcessJobRunner.threadsVariable] {
            guard let value = Int(text), value >= 1 else {
                throw SpoolError.invalidFile(path: ProcessJobRunner.threadsVariable,
                                             reason: "\"\(text)\" is not a positive thread count")
            }
            threads = value
        } else {
            threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    public func writeProgress(_ record: ProgressRecord) throws {
        try record.write(to: directory.progress)
    }

    /// Records why the job cannot succeed; exit with `WorkerExit.permanentFailure` next.
    public func recordPermanentFailure(_ message: String) throws {
        try DurableFile.write((message.hasSuffix("\n") ? message : message + "\n").utf8, to: directory.error.path)
    }

    /// Where finished artefacts go before the supervisor publishes them.
    public func prepareOutputDirectory() throws -> URL {
        try FileOperations.makeDirectories(directory.output.path)
        return directory.output
    }
}
