/// Whether ops record themselves for backward. Task-local rather than global, so a
/// no-grad scope in one thread or task never disables recording in another.
public enum GradMode {
    @TaskLocal static var enabled = true

    public static var isEnabled: Bool { enabled }

    /// Runs `body` without recording any op (evaluation, teacher targets in KD, EMA...).
    public static func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $enabled.withValue(false, operation: body)
    }

    public static func withGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $enabled.withValue(true, operation: body)
    }
}
