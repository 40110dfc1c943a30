/// What a subcommand accepts, from which both parsing and `--help` are derived, so the
/// help text can never drift from what the parser actually takes.
public struct CommandSpecification: Sendable {
    public struct Option: Sendable {
        public let name: String            // without dashes: "spool"
        public let valueName: String?      // nil for a flag
        public let help: String
        public let defaultDescription: String?

        public static func value(_ name: String, _ valueName: String, _ help: String, default defaultDescription: String? = nil) -> Option {
            Option(name: name, valueName: valueName, help: help, defaultDescription: defaultDescription)
        }

        public static func flag(_ name: String, _ help: String) -> Option {
            Option(name: name, valueName: nil, help: help, defaultDescription: nil)
        }
    }

    public struct Positional: Sendable {
        public let name: String
        public let help: String
        public let isOptional: Bool

        public init(_ name: String, _ help: String, optional: Bool = false) {
            self.name = name
            self.help = help
            self.isOptional = optional
        }
    }

    public let name: String
    public let summary: String
    public let positionals: [Positional]
    public let options: [Option]
    public let discussion: String?

    public init(name: String, summary: String, positionals: [Positional] = [], options: [Option] = [], discussion: String? = nil) {
        self.name = name
        self.summary = summary
        self.positionals = positionals
        self.options = options
        self.discussion = discussion
    }

    public func helpText(program: String) -> String {
        var usage = "\(program) \(name)"
        for positional in positionals { usage += positional.isOptional ? " [\(positional.name)]" : " \(positional.name)" }
        if !options.isEmpty { usage += " [options]" }
        var lines = ["\(summary)", "", "Usage: \(usage)"]
        if !positionals.isEmpty {
            lines.append("")
            lines.append("Arguments:")
            let width = positionals.map(\.name.count).max() ?? 0
            for positional in positionals {
                lines.append("  \(positional.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(positional.help)")
            }
        }
        let allOptions = options + [.flag("help", "Show this help and exit.")]
        let labels = allOptions.map { "--\($0.name)" + ($0.valueName.map { " \($0)" } ?? "") }
        let width = labels.map(\.count).max() ?? 0
        lines.append("")
        lines.append("Options:")
        for (label, option) in zip(labels, allOptions) {
            var text = option.help
            if let defaultDescription = option.defaultDescription { text += " (default: \(defaultDescription))" }
            lines.append("  \(label.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(text)")
        }
        if let discussion {
            lines.append("")
            lines.append(discussion)
        }
        return lines.joined(separator: "\n")
    }
}

import Foundation
