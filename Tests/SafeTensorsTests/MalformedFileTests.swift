import Foundation
import SafeTensors
import Testing

/// A file of [u64 header length][header][data] built by hand, so each test can break
/// exactly one rule of the format.
private func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    var bytes = Data()
    let headerBytes = Data(header.utf8)
    withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(headerBytes)
    bytes.append(contentsOf: data)
    return bytes
}

private let eightBytes = [UInt8](repeating: 0, count: 8)

private struct Malformed: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: Data
    let expectedPhrase: String
    var testDescription: String { name }
}

private let malformedFiles: [Malformed] = [
    Malformed(name: "empty file", bytes: Data(), expectedPhrase: "too short"),
    Malformed(name: "shorter than the length prefix", bytes: Data([1, 0, 0]), expectedPhrase: "too short"),
    Malformed(name: "header length past the end", bytes: file(header: "{}", declaredLength: 4096),
              expectedPhrase: "declares a 4096-byte header"),
    Malformed(name: "absurd header length", bytes: file(header: "{}", declaredLength: UInt64.max),
              expectedPhrase: "header but only"),
    Malformed(name: "header not JSON", bytes: file(header: "{not json"), expectedPhrase: "not a valid safetensors JSON"),
    Malformed(name: "header is a JSON array", bytes: file(header: "[1, 2]"), expectedPhrase: "does not start with '{'"),
    Malformed(name: "entry missing dtype",
              bytes: file(header: #"{"w":{"shape":[2],"data_offsets":[0,8]}}"#, data: eightBytes),
              expectedPhrase: "missing field w.dtype"),
    Malformed(name: "unknown dtype",
              bytes: file(header: #"{"w":{"dtype":"Q8","shape":[2],"data_offsets":[0,8]}}"#, data: eightBytes),
              expectedPhrase: "tensor 'w' has data type Q8"),
    Malformed(name: "negative dimension",
              bytes: file(header: #"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eightBytes),
              expectedPhrase: "tensor 'w' has an invalid shape"),
    Malformed(name: "fractional dimension",
              bytes: file(header: #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}"#, data: eightBytes),
              expectedPhrase: "not a valid safetensors JSON"),
    Malformed(name: "overflowing element count",
              bytes: file(header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: eightBytes),
              expectedPhrase: "too many elements"),
    Malformed(name: "three offsets",
              bytes: file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}"#, data: eightBytes),
              expectedPhrase: "expected [begin, end]"),
    Malformed(name: "offsets out of order",
              bytes: file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: eightBytes),
              expectedPhrase: "out of order"),
    Malformed(name: "range past the data",
              bytes: file(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: eightBytes),
              expectedPhrase: "past the 8 data bytes"),
    Malformed(name: "shape does not match byte range",
              bytes: file(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eightBytes),
              expectedPhrase: "needs 12 bytes"),
    Malformed(name: "overlapping tensors",
              bytes: file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eightBytes),
              expectedPhrase: "overlapping byte ranges"),
    Malformed(name: "hole between tensors",
              bytes: file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eightBytes),
              expectedPhrase: "belong to no tensor"),
    Malformed(name: "trailing bytes after the last tensor",
              bytes: file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: eightBytes),
              expectedPhrase: "bytes 4..<8 at the end"),
    Malformed(name: "metadata that is not strings",
              bytes: file(header: #"{"__metadata__":{"epoch":3}}"#),
              expectedPhrase: "not a valid safetensors JSON"),
    Malformed(name: "truncated data section",
              bytes: file(header: #"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#, data: eightBytes),
              expectedPhrase: "past the 8 data bytes"),
]

@Suite struct MalformedFileTests {
    @Test(arguments: malformedFiles)
    fileprivate func malformedFileIsRejectedWithAClearReason(_ malformed: Malformed) {
        #expect {
            try SafeTensorsFile.decode(malformed.bytes, source: "bad.safetensors")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("bad.safetensors ") && message.contains(malformed.expectedPhrase)
        }
    }

    @Test func atLeastFifteenMalformedCases() {
        #expect(malformedFiles.count >= 15)
    }

    @Test func wellFormedHandBuiltFileIsAccepted() throws {
        let bytes = file(header: #"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                         data: [0, 0, 128, 63, 0, 0, 0, 64])
        let decoded = try SafeTensorsFile.decode(bytes, source: "ok")
        #expect(decoded.tensors["w"]?.scalars == [1, 2])
        #expect(decoded.metadata == ["k": "v"])
    }
}
