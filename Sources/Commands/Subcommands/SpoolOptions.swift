import Foundation
import Service

/// Options several commands share, with one default each.
enum SpoolOptions {
    static let spool = CommandSpecification.Option.value("spool", "DIR", "The spool directory.", default: "./spool")
    static let output = CommandSpecification.Option.value("output", "DIR", "Where finished jobs' folders go.",
                                                          default: "./output")

    static func layout(_ arguments: ParsedArguments) -> SpoolLayout {
        SpoolLayout(root: absolute(arguments.value("spool") ?? "spool"))
    }

    static func outputDirectory(_ arguments: ParsedArguments) -> URL {
        absolute(arguments.value("output") ?? "output")
    }

    /// Absolute, so that workers and log lines do not depend on the working directory.
    static func absolute(_ path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath,
                                                   isDirectory: true)).standardizedFileURL
    }
}
