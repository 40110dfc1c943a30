/// Bad command-line usage: exit status 2, one sentence on stderr.
public struct UsageError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Arguments after parsing against a `CommandSpecification`.
public struct ParsedArguments: Sendable {
    public let positionals: [String]
    private let values: [String: String]
    private let flags: Set<String>
    public let wantsHelp: Bool

    /// Accepts `--name value`, `--name=value` and bare flags; `--` ends options.
    public init(_ arguments: [String], specification: CommandSpecification) throws {
        let byName = Dictionary(uniqueKeysWithValues: specification.options.map { ($0.name, $0) })
        var positionals: [String] = []
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var wantsHelp = false
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("--") || argument == "-" {
                if argument == "--" && !optionsEnded { optionsEnded = true; continue }
                positionals.append(argument)
                continue
            }
            let body = argument.dropFirst(2)
            let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            if name == "help" { wantsHelp = true; continue }
            guard let option = byName[name] else {
                throw UsageError("\(specification.name): unknown option --\(name) (see --help)")
            }
            if option.valueName == nil {
                guard parts.count == 1 else { throw UsageError("\(specification.name): --\(name) takes no value") }
                flags.insert(name)
            } else if parts.count == 2 {
                values[name] = String(parts[1])
            } else {
                guard index < arguments.count else {
                    throw UsageError("\(specification.name): --\(name) needs a value (\(option.valueName!))")
                }
                values[name] = arguments[index]
                index += 1
            }
        }
        if !wantsHelp {
            let required = specification.positionals.filter { !$0.isOptional }.count
            if positionals.count < required {
                let missing = specification.positionals[positionals.count].name
                throw UsageError("\(specification.name): missing \(missing) (see --help)")
            }
            if positionals.count > specification.positionals.count {
                throw UsageError("\(specification.name): unexpected argument '\(positionals[specification.positionals.count])'")
            }
        }
        self.positionals = positionals
        self.values = values
        self.flags = flags
        self.wantsHelp = wantsHelp
    }

    public func value(_ name: String) -> String? { values[name] }

    public func flag(_ name: String) -> Bool { flags.contains(name) }

    public func integer(_ name: String, default defaultValue: Int? = nil, range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let text = values[name] else { return defaultValue }
        guard let number = Int(text), range.map({ $0.contains(number) }) ?? true else {
            let expectation = range.map { "an integer in \($0.lowerBound)...\($0.upperBound)" } ?? "an integer"
            throw UsageError("--\(name) must be \(expectation), got '\(text)'")
        }
        return number
    }

    /// One number or a comma-separated list ("0.5" or "0.49,0.48,0.45").
    public func floats(_ name: String) throws -> [Float]? {
        guard let text = values[name] else { return nil }
        let parts = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            throw UsageError("--\(name) must be a number or a comma-separated list of numbers, got '\(text)'")
        }
        return parts.map { $0! }
    }
}

import Foundation
