import CZlib

/// In-memory gzip decoding through zlib. Dataset files are read whole and inflated in
/// one pass, which is far faster than gzread's small reads.
enum Gzip {
    /// Refuses to inflate beyond this many bytes, so a corrupt or hostile file cannot
    /// exhaust memory; the largest supported dataset file is under 200 MB.
    static let maximumInflatedSize = 1 << 31

    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates every gzip member of `bytes` (concatenated members are legal gzip).
    static func inflate(_ bytes: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
        guard bytes.count <= Int(UInt32.max) else {
            throw DatasetError(path: path, kind: .invalidArgument, reason: "compressed file too large")
        }
        var output = [UInt8](repeating: 0, count: initialCapacity(for: bytes))
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer rather than a zlib one.
        var status = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw corrupt(path, "zlib inflateInit2 failed (\(status))") }
        defer { inflateEnd(&stream) }

        var produced = 0
        var consumed = 0
        while true {
            if produced == output.count {
                guard output.count < maximumInflatedSize else {
                    throw DatasetError(path: path, kind: .invalidArgument,
                                       reason: "inflates to more than \(maximumInflatedSize) bytes")
                }
                output.append(contentsOf: repeatElement(0, count: min(output.count, maximumInflatedSize - output.count)))
            }
            let outputSpace = output.count - produced
            status = bytes.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = UInt32(input.count - consumed)
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(min(outputSpace, Int(UInt32.max)))
                    let before = (stream.avail_in, stream.avail_out)
                    let result = CZlib.inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(before.0 - stream.avail_in)
                    produced += Int(before.1 - stream.avail_out)
                    return result
                }
            }
            switch status {
            case Z_STREAM_END:
                guard consumed < bytes.count else {
                    output.removeLast(output.count - produced)
                    return output
                }
                // Another member follows, unless what remains is padding of zeros.
                if bytes[consumed...].allSatisfy({ $0 == 0 }) {
                    output.removeLast(output.count - produced)
                    return output
                }
                guard inflateReset(&stream) == Z_OK else { throw corrupt(path, "zlib inflateReset failed") }
            case Z_OK:
                if consumed == bytes.count && produced < output.count { throw truncated(path) }
            case Z_BUF_ERROR:
                // No progress possible: either the output is full (grown above) or the
                // input ended before the stream did.
                if produced < output.count { throw truncated(path) }
            case Z_DATA_ERROR:
                throw corrupt(path, "corrupt gzip data (\(message(stream)))")
            case Z_MEM_ERROR:
                throw corrupt(path, "zlib ran out of memory")
            default:
                throw corrupt(path, "zlib inflate failed (\(status): \(message(stream)))")
            }
        }
    }

    /// The gzip trailer stores the last member's size modulo 2^32: a good first guess,
    /// but bounded by a generous ratio, since a truncated file's last four bytes are noise.
    private static func initialCapacity(for bytes: [UInt8]) -> Int {
        guard bytes.count >= 4 else { return 1 << 16 }
        let tail = bytes.suffix(4).reversed().reduce(0) { ($0 << 8) | Int($1) }
        return min(max(tail, 1 << 16), 16 * bytes.count + (1 << 16), maximumInflatedSize)
    }

    private static func message(_ stream: z_stream) -> String {
        stream.msg.map { String(cString: $0) } ?? "no detail"
    }

    private static func corrupt(_ path: String, _ reason: String) -> DatasetError {
        DatasetError(path: path, kind: .corruptCompression, reason: reason)
    }

    private static func truncated(_ path: String) -> DatasetError {
        DatasetError(path: path, kind: .truncated, reason: "gzip stream ends early (file truncated)")
    }
}
