import FileSystem
import Foundation
import Service

/// `nayerd submit MANIFEST`: validate, then queue atomically.
enum SubmitCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "submit", summary: "Validate a manifest and queue it in the spool.",
        positionals: [.init("MANIFEST", "The job manifest; relative paths in it resolve against its directory.")],
        options: [SpoolOptions.spool],
        discussion: "The manifest is checked (schema, teacher weights, architectures) and written to <spool>/incoming/ID.json with paths made absolute.")

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let layout = SpoolOptions.layout(arguments)
        try layout.createDirectories()
        let manifest = SpoolOptions.absolute(arguments.positionals[0])
        let identifier = try SpoolClient(layout: layout).submit(manifestAt: manifest, validator: DistillManifestValidator())
        console.print("queued \(identifier) as \(layout.incoming.appendingPathComponent("\(identifier).json").path)")
    }
}

/// `nayerd status`: what the spool holds, with or without a running daemon.
enum StatusCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "status", summary: "Show queued, running, finished, failed and rejected jobs.",
        options: [SpoolOptions.spool, SpoolOptions.output, .flag("json", "Print one JSON object instead of text.")])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let layout = SpoolOptions.layout(arguments)
        guard try FileStatus.isDirectory(layout.root.path) else {
            throw CommandFailure("no spool at \(layout.root.path) (use --spool DIR)")
        }
        let status = try SpoolStatus.read(layout: layout, outputDirectory: SpoolOptions.outputDirectory(arguments))
        if arguments.flag("json") {
            console.print(try status.json())
        } else {
            console.print(status.text().trimmingCharacters(in: .newlines))
        }
    }
}

/// `nayerd cancel JOB`: stops a queued or running job; it ends in failed/ with reason "cancelled".
enum CancelCommand: Subcommand {
    static let specification = CommandSpecification(
        name: "cancel", summary: "Cancel a queued or running job.",
        positionals: [.init("JOB", "The job id.")],
        options: [SpoolOptions.spool])

    static func run(_ arguments: ParsedArguments, console: Console) throws {
        let identifier: JobIdentifier
        do {
            identifier = try JobIdentifier(validating: arguments.positionals[0])
        } catch {
            throw UsageError("cancel: \(error)")
        }
        switch try SpoolClient(layout: SpoolOptions.layout(arguments)).cancel(identifier) {
        case .cancelledBeforeStart: console.print("cancelled \(identifier) before it started")
        case .requestedFromDaemon: console.print("asked the daemon to stop \(identifier); it will move to failed/")
        case .cancelledWhileIdle: console.print("cancelled \(identifier); moved to failed/")
        }
    }
}
