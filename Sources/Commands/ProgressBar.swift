import Foundation

/// A one-line progress bar on a terminal, redrawn at most a few times a second.
final class ProgressBar {
    private let console: Console
    private var lastDraw = 0.0
    private let width = 24

    init(console: Console) {
        self.console = console
    }

    func update(fraction: Double, text: String, force: Bool = false) {
        let now = Date().timeIntervalSince1970
        guard force || now - lastDraw >= 0.2 else { return }
        lastDraw = now
        let clamped = min(max(fraction, 0), 1)
        let filled = Int(clamped * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        console.status(String(format: "[%@] %3.0f%%  ", bar, clamped * 100) + text)
    }

    func finishLine() {
        console.endStatus()
        lastDraw = 0
    }
}
