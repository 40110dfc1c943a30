/// Why a safetensors file was refused. Every case names the file (`source`) and, where
/// one is at fault, the tensor, so a user can tell which weights to regenerate.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        case unreadable(errno: Int32)
        case tooShort(bytes: Int)
        case headerLengthOutOfRange(declared: UInt64, available: Int)
        case headerNotJSON(detail: String)
        case unsupportedDataType(tensor: String, dataType: String)
        case invalidShape(tensor: String, detail: String)
        case invalidOffsets(tensor: String, detail: String)
        case byteCountMismatch(tensor: String, expected: Int, actual: Int)
        case overlappingRanges(first: String, second: String)
        case uncoveredBytes(detail: String)
        case duplicateTensor(String)
        case missingTensor(String)
        case writeFailed(errno: Int32, step: String)
    }

    public let source: String
    public let reason: Reason

    public init(source: String, reason: Reason) {
        self.source = source
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .unreadable(let code):
            what = "cannot be read: \(String(cString: strerror(code)))"
        case .tooShort(let bytes):
            what = "is \(bytes) bytes long, too short for the 8-byte header length"
        case .headerLengthOutOfRange(let declared, let available):
            what = "declares a \(declared)-byte header but only \(available) bytes follow"
        case .headerNotJSON(let detail):
            what = "has a header that is not a valid safetensors JSON object: \(detail)"
        case .unsupportedDataType(let tensor, let dataType):
            what = "tensor '\(tensor)' has data type \(dataType); supported: F32, F16, BF16, F64, I64"
        case .invalidShape(let tensor, let detail):
            what = "tensor '\(tensor)' has an invalid shape: \(detail)"
        case .invalidOffsets(let tensor, let detail):
            what = "tensor '\(tensor)' has invalid data_offsets: \(detail)"
        case .byteCountMismatch(let tensor, let expected, let actual):
            what = "tensor '\(tensor)' needs \(expected) bytes for its shape and data type but its data_offsets span \(actual)"
        case .overlappingRanges(let first, let second):
            what = "tensors '\(first)' and '\(second)' have overlapping byte ranges"
        case .uncoveredBytes(let detail):
            what = "has data bytes that belong to no tensor: \(detail)"
        case .duplicateTensor(let name):
            what = "names tensor '\(name)' twice"
        case .missingTensor(let name):
            what = "has no tensor named '\(name)'"
        case .writeFailed(let code, let step):
            what = "could not be written (\(step)): \(String(cString: strerror(code)))"
        }
        return "\(source) \(what)"
    }
}

import Foundation
