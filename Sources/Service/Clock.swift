import Glibc

/// Wall-clock time in Unix seconds, behind a protocol so tests can fix it.
public protocol Clock: Sendable {
    func unixSeconds() -> Double
}

public struct SystemClock: Clock {
    public init() {}

    public func unixSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
