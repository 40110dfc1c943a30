import Foundation

/// Reads one JSON object of the manifest field by field, remembering which keys it took,
/// so `finish()` can reject any key it never asked for (a typo must not be ignored).
struct ObjectReader {
    let path: String
    private let fields: [String: JSONValue]
    private var taken: Set<String> = []

    init(_ value: JSONValue, path: String) throws {
        guard case .object(let fields) = value else {
            throw ManifestError("\(path.isEmpty ? "the manifest" : path) must be a JSON object, got \(value.kindDescription)")
        }
        self.fields = fields
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { fields[key] != nil && fields[key] != .null }

    mutating func raw(_ key: String) -> JSONValue? {
        taken.insert(key)
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    mutating func object(_ key: String) throws -> ObjectReader? {
        guard let value = raw(key) else { return nil }
        return try ObjectReader(value, path: name(key))
    }

    mutating func requiredObject(_ key: String) throws -> ObjectReader {
        guard let reader = try object(key) else { throw ManifestError("\(name(key)) is required") }
        return reader
    }

    mutating func string(_ key: String) throws -> String? {
        guard let value = raw(key) else { return nil }
        guard case .string(let text) = value else {
            throw ManifestError("\(name(key)) must be a string, got \(value.kindDescription)")
        }
        return text
    }

    mutating func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else { throw ManifestError("\(name(key)) is required") }
        guard !text.isEmpty else { throw ManifestError("\(name(key)) must not be empty") }
        return text
    }

    mutating func string(_ key: String, oneOf choices: [String], default defaultValue: String) throws -> String {
        let text = try string(key) ?? defaultValue
        guard choices.contains(text) else {
            throw ManifestError("\(name(key)) must be one of \(choices.joined(separator: ", ")), got \"\(text)\"")
        }
        return text
    }

    mutating func integer(_ key: String, default defaultValue: Int, minimum: Int, maximum: Int = Int(Int32.max)) throws -> Int {
        guard let value = raw(key) else { return defaultValue }
        let expectation = minimum == 1 ? "a positive integer"
            : minimum == 0 ? "a non-negative integer" : "an integer of at least \(minimum)"
        guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e15 else {
            throw ManifestError("\(name(key)) must be \(expectation), got \(value.kindDescription)")
        }
        let integer = Int(number)
        guard integer >= minimum else { throw ManifestError("\(name(key)) must be \(expectation), got \(integer)") }
        guard integer <= maximum else { throw ManifestError("\(name(key)) must be at most \(maximum), got \(integer)") }
        return integer
    }

    mutating func number(_ key: String, default defaultValue: Double, range: ClosedRange<Double>, exclusiveMinimum: Bool = false) throws -> Double {
        guard let value = raw(key) else { return defaultValue }
        guard case .number(let number) = value, number.isFinite else {
            throw ManifestError("\(name(key)) must be a number, got \(value.kindDescription)")
        }
        if number < range.lowerBound || number > range.upperBound || (exclusiveMinimum && number == range.lowerBound) {
            let lower = exclusiveMinimum ? "greater than \(format(range.lowerBound))" : "at least \(format(range.lowerBound))"
            let upper = range.upperBound.isFinite && range.upperBound < 1e300 ? " and at most \(format(range.upperBound))" : ""
            throw ManifestError("\(name(key)) must be \(lower)\(upper), got \(format(number))")
        }
        return number
    }

    mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = raw(key) else { return defaultValue }
        guard case .bool(let flag) = value else {
            throw ManifestError("\(name(key)) must be true or false, got \(value.kindDescription)")
        }
        return flag
    }

    mutating func numbers(_ key: String) throws -> [Double]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let items) = value, !items.isEmpty else {
            throw ManifestError("\(name(key)) must be a non-empty array of numbers, got \(value.kindDescription)")
        }
        return try items.enumerated().map { index, item in
            guard case .number(let number) = item, number.isFinite else {
                throw ManifestError("\(name(key))[\(index)] must be a number, got \(item.kindDescription)")
            }
            return number
        }
    }

    mutating func strings(_ key: String) throws -> [String]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let items) = value else {
            throw ManifestError("\(name(key)) must be an array of strings, got \(value.kindDescription)")
        }
        return try items.enumerated().map { index, item in
            guard case .string(let text) = item, !text.isEmpty else {
                throw ManifestError("\(name(key))[\(index)] must be a non-empty string, got \(item.kindDescription)")
            }
            return text
        }
    }

    /// Rejects keys nobody read: they are typos or options this version does not have.
    func finish() throws {
        let unknown = Set(fields.keys).subtracting(taken).sorted()
        guard unknown.isEmpty else {
            let names = unknown.map { name($0) }.joined(separator: ", ")
            throw ManifestError("unknown \(unknown.count == 1 ? "key" : "keys") \(names)")
        }
    }

    private func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? "\(Int(number))" : "\(number)"
    }
}
