/// The watchdog configuration systemd passes in the environment.
public enum WatchdogInterval {
    /// Seconds between WATCHDOG=1 pings: half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
    /// recommends. Nil when no watchdog is configured, the value is malformed, or
    /// WATCHDOG_PID names another process (the variable was inherited).
    public static func pingInterval(environment: [String: String], processIdentifier: Int32) -> Double? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else {
            return nil
        }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != processIdentifier {
            return nil
        }
        return Double(microseconds) / 2_000_000
    }
}
