import Foundation

/// A `nayerd` subcommand: its specification (parsing and --help) and its action.
public protocol Subcommand {
    static var specification: CommandSpecification { get }
    static func run(_ arguments: ParsedArguments, console: Console) throws
}

/// Dispatch for an executable with subcommands. Exit codes: 0 success, 1 failure,
/// 2 bad usage (DESIGN.md's CLI contract).
public struct Program {
    public let name: String
    public let summary: String
    public let subcommands: [Subcommand.Type]

    public init(name: String, summary: String, subcommands: [Subcommand.Type]) {
        self.name = name
        self.summary = summary
        self.subcommands = subcommands
    }

    public func run(_ arguments: [String], console: Console = .standard) -> Int32 {
        guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
            console.print(overview)
            return arguments.isEmpty ? 2 : 0
        }
        guard let command = subcommands.first(where: { $0.specification.name == first }) else {
            console.error("\(name): unknown command '\(first)'; run '\(name) --help' for the list")
            return 2
        }
        let specification = command.specification
        do {
            let parsed = try ParsedArguments(Array(arguments.dropFirst()), specification: specification)
            if parsed.wantsHelp {
                console.print(specification.helpText(program: name))
                return 0
            }
            try command.run(parsed, console: console)
            return 0
        } catch let status as ExitStatus {
            return status.code
        } catch let error as UsageError {
            console.error("\(name) \(error.message)")
            return 2
        } catch let error as CommandFailure {
            console.error("\(name) \(specification.name): \(error.message)")
            return error.exitCode
        } catch {
            console.error("\(name) \(specification.name): \(error)")
            return 1
        }
    }

    private var overview: String {
        let width = subcommands.map { $0.specification.name.count }.max() ?? 0
        let rows = subcommands.map { command in
            "  \(command.specification.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(command.specification.summary)"
        }
        return ([summary, "", "Usage: \(name) COMMAND [options]", "", "Commands:"] + rows
            + ["", "Run '\(name) COMMAND --help' for a command's options."]).joined(separator: "\n")
    }
}

/// A failure a command reports with a chosen exit status.
public struct CommandFailure: Error, CustomStringConvertible {
    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}

/// Ends a command with a status that is not a failure to report (a worker that was
/// asked to stop exits 4 after a clean checkpoint); nothing is printed.
public struct ExitStatus: Error {
    public let code: Int32

    public init(_ code: Int32) { self.code = code }
}
