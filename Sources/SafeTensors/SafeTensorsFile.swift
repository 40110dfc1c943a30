import FileSystem
import Foundation
import Tensor

/// A safetensors file held in memory as Float32 tensors.
public struct SafeTensorsFile {
    /// Tensors by name, converted to Float32.
    public var tensors: [String: Tensor]
    /// Each tensor's data type in the file it came from (all F32 for files built here).
    public var dataTypes: [String: SafeTensorsDataType]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.dataTypes = tensors.mapValues { _ in .float32 }
        self.metadata = metadata
    }

    /// Tensor names in sorted order.
    public var names: [String] { tensors.keys.sorted() }

    public func tensor(_ name: String, source: String = "safetensors file") throws -> Tensor {
        guard let tensor = tensors[name] else {
            throw SafeTensorsError(source: source, reason: .missingTensor(name))
        }
        return tensor
    }

    public static func read(contentsOf url: URL) throws -> SafeTensorsFile {
        let bytes: [UInt8]
        do {
            bytes = try DurableFile.read(url.path)
        } catch let error as SystemError {
            throw SafeTensorsError(source: url.path, reason: .unreadable(errno: error.code))
        }
        return try decode(Data(bytes), source: url.path)
    }

    /// Parses and validates `data`; `source` names it in errors.
    public static func decode(_ data: Data, source: String) throws -> SafeTensorsFile {
        try data.withUnsafeBytes { bytes in
            let (header, dataStart) = try Header.parse(bytes, source: source)
            var tensors: [String: Tensor] = [:]
            var dataTypes: [String: SafeTensorsDataType] = [:]
            for entry in header.entries {
                let tensor = Tensor(uninitializedShape: entry.shape)
                let count = entry.shape.reduce(1, *)
                if count > 0, let base = bytes.baseAddress {
                    entry.dataType.convert(base + dataStart + entry.begin, count: count,
                                           into: tensor.storage.pointer)
                }
                tensors[entry.name] = tensor
                dataTypes[entry.name] = entry.dataType
            }
            return SafeTensorsFile(tensors: tensors, dataTypes: dataTypes, metadata: header.metadata)
        }
    }

    private init(tensors: [String: Tensor], dataTypes: [String: SafeTensorsDataType], metadata: [String: String]) {
        self.tensors = tensors
        self.dataTypes = dataTypes
        self.metadata = metadata
    }

    /// The file's bytes: tensors as F32 in name order, header padded with spaces to a
    /// multiple of 8 bytes as the reference writer does.
    public func encoded() -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        let ordered = names
        for name in ordered {
            let tensor = tensors[name]!
            let length = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + length]]
            offset += length
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        // Sorted keys make the bytes reproducible, so checkpoints of equal state are equal files.
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }

        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for name in ordered {
            tensors[name]!.withUnsafeBufferPointer { buffer in
                #if _endian(big)
                for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                #else
                data.append(UnsafeBufferPointer(start: buffer.baseAddress, count: buffer.count))
                #endif
            }
        }
        return data
    }

    /// Writes the file durably: temp file in the same directory, fsync, rename, fsync of
    /// the directory. A crash leaves either the old file or the new one, never a torn one.
    public func write(to url: URL) throws {
        do {
            try DurableFile.write([UInt8](encoded()), to: url.path)
        } catch let error as SystemError {
            throw SafeTensorsError(source: url.path, reason: .writeFailed(errno: error.code, step: error.operation))
        }
    }
}
