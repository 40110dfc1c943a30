import Foundation

/// One tensor's entry in the JSON header, validated against the data section.
struct HeaderEntry {
    let name: String
    let dataType: SafeTensorsDataType
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// The parsed and fully validated header: entries sorted by offset, plus metadata.
struct Header {
    let entries: [HeaderEntry]
    let metadata: [String: String]

    /// Layout: [u64 little-endian header length][JSON header][data]. Checks every rule
    /// of the format so that reading a tensor afterwards cannot go out of bounds.
    static func parse(_ bytes: UnsafeRawBufferPointer, source: String) throws -> (Header, dataStart: Int) {
        func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError {
            SafeTensorsError(source: source, reason: reason)
        }
        guard bytes.count >= 8 else { throw fail(.tooShort(bytes: bytes.count)) }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        let available = bytes.count - 8
        guard declared >= 2, declared <= UInt64(available), declared <= 100_000_000 else {
            throw fail(.headerLengthOutOfRange(declared: declared, available: available))
        }
        let headerLength = Int(declared)
        let headerBytes = Data(bytes[8..<(8 + headerLength)])
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail(.headerNotJSON(detail: "it does not start with '{'"))
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch let error as HeaderDecodingError {
            throw fail(error.reason)
        } catch {
            throw fail(.headerNotJSON(detail: describe(error)))
        }

        let dataLength = available - headerLength
        var entries: [HeaderEntry] = []
        for (name, rawEntry) in raw.tensors {
            guard let dataType = SafeTensorsDataType(rawValue: rawEntry.dtype) else {
                throw fail(.unsupportedDataType(tensor: name, dataType: rawEntry.dtype))
            }
            if let negative = rawEntry.shape.first(where: { $0 < 0 }) {
                throw fail(.invalidShape(tensor: name, detail: "dimension \(negative) is negative"))
            }
            var elementCount = 1
            for dimension in rawEntry.shape {
                let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= Int(Int32.max) else {
                    throw fail(.invalidShape(tensor: name, detail: "\(rawEntry.shape) has too many elements"))
                }
                elementCount = product
            }
            guard rawEntry.dataOffsets.count == 2 else {
                throw fail(.invalidOffsets(tensor: name, detail: "expected [begin, end], got \(rawEntry.dataOffsets)"))
            }
            let (begin, end) = (rawEntry.dataOffsets[0], rawEntry.dataOffsets[1])
            guard begin >= 0, begin <= end else {
                throw fail(.invalidOffsets(tensor: name, detail: "begin \(begin) and end \(end) are out of order"))
            }
            guard end <= dataLength else {
                throw fail(.invalidOffsets(tensor: name, detail: "end \(end) is past the \(dataLength) data bytes"))
            }
            let expected = elementCount * dataType.byteSize
            guard end - begin == expected else {
                throw fail(.byteCountMismatch(tensor: name, expected: expected, actual: end - begin))
            }
            entries.append(HeaderEntry(name: name, dataType: dataType, shape: rawEntry.shape, begin: begin, end: end))
        }

        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        // The format requires the data section to be exactly the tensors, back to back.
        var covered = 0
        for (index, entry) in entries.enumerated() {
            if entry.begin < covered {
                throw fail(.overlappingRanges(first: entries[index - 1].name, second: entry.name))
            }
            if entry.begin > covered {
                throw fail(.uncoveredBytes(detail: "bytes \(covered)..<\(entry.begin) before tensor '\(entry.name)'"))
            }
            covered = entry.end
        }
        guard covered == dataLength else {
            throw fail(.uncoveredBytes(detail: "bytes \(covered)..<\(dataLength) at the end"))
        }
        return (Header(entries: entries, metadata: raw.metadata), 8 + headerLength)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "\(path): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            return "missing field \(path)"
        default:
            return "\(error)"
        }
    }
}

private struct HeaderDecodingError: Error {
    let reason: SafeTensorsError.Reason
}

private struct DynamicKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The header as JSON states it, before validation against the data.
private struct RawHeader: Decodable {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    var tensors: [(String, Entry)] = []
    var metadata: [String: String] = [:]

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicKey.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                tensors.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
            }
        }
    }
}
