/// How often and how soon a crashed worker is restarted from its last checkpoint.
public struct RetryPolicy: Sendable, Equatable {
    /// Restarts after crashes; the job fails on crash number `maximumRetries + 1`.
    public var maximumRetries: Int
    public var initialDelaySeconds: Double
    public var maximumDelaySeconds: Double

    public init(maximumRetries: Int = 3, initialDelaySeconds: Double = 2, maximumDelaySeconds: Double = 60) {
        self.maximumRetries = maximumRetries
        self.initialDelaySeconds = initialDelaySeconds
        self.maximumDelaySeconds = maximumDelaySeconds
    }

    /// Nil when the job has crashed too often; otherwise the delay before restart,
    /// doubling each time so a crash loop does not spin the machine.
    public func delayAfter(crashes: Int) -> Double? {
        guard crashes >= 1, crashes <= maximumRetries else { return nil }
        let exponent = Double(min(crashes - 1, 30))
        return min(maximumDelaySeconds, initialDelaySeconds * pow2(exponent))
    }

    private func pow2(_ exponent: Double) -> Double {
        (0..<Int(exponent)).reduce(1.0) { value, _ in value * 2 }
    }
}

/// Splits the machine's threads between the jobs that run at the same time.
public struct ThreadBudget: Sendable, Equatable {
    public var totalThreads: Int
    public var maximumJobs: Int

    public init(totalThreads: Int, maximumJobs: Int) {
        self.totalThreads = max(1, totalThreads)
        self.maximumJobs = max(1, maximumJobs)
    }

    /// Threads for a job starting while `concurrentJobs` jobs (itself included)
    /// will run; never below one.
    public func threadsPerJob(concurrentJobs: Int) -> Int {
        let sharing = min(maximumJobs, max(1, concurrentJobs))
        return max(1, totalThreads / sharing)
    }
}
