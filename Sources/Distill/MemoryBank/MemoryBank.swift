import FileSystem
import Foundation
import Tensor

/// The synthetic images KD trains on, stored as uint8 in one job-owned file.
///
/// The file is append-only: eviction is logical (`liveSlots` lists which physical slots
/// are in the bank, oldest first). That is what makes resume exact: a crash after an
/// append can never have overwritten an image the last checkpoint still counts on, and
/// on resume the file is truncated to the checkpointed length so replayed appends land
/// where they did the first time. Dead slots are reclaimed by `compactIfWorthwhile`,
/// which writes the live images into a new generation file at checkpoint time.
public final class MemoryBank {
    public struct State: Codable, Equatable, Sendable {
        public var generation: Int
        /// Images physically in the generation file.
        public var physicalCount: Int
        /// Images ever offered to the bank (reservoir sampling needs it).
        public var seenCount: Int

        public init(generation: Int, physicalCount: Int, seenCount: Int) {
            self.generation = generation
            self.physicalCount = physicalCount
            self.seenCount = seenCount
        }
    }

    public let directory: URL
    /// [channels, height, width] of every image.
    public let imageShape: [Int]
    public let capacity: Int
    public let eviction: JobSpec.BankEviction
    public private(set) var state: State
    /// Physical slot of each image in the bank, oldest first.
    public private(set) var liveSlots: [Int32]
    private var file: FileDescriptor

    public var count: Int { liveSlots.count }
    private var imageBytes: Int { imageShape.reduce(1, *) }

    /// A new, empty bank (any bank files already in `directory` are removed).
    public convenience init(directory: URL, imageShape: [Int], capacity: Int, eviction: JobSpec.BankEviction) throws {
        try self.init(directory: directory, imageShape: imageShape, capacity: capacity, eviction: eviction,
                      state: State(generation: 0, physicalCount: 0, seenCount: 0), liveSlots: [])
    }

    /// The bank as a checkpoint recorded it: the generation file is truncated to the
    /// recorded length and files of other generations (an unfinished compaction) removed.
    public init(directory: URL, imageShape: [Int], capacity: Int, eviction: JobSpec.BankEviction,
                state: State, liveSlots: [Int32]) throws {
        precondition(imageShape.count == 3 && capacity > 0, "memory bank needs a [C, H, W] shape and a positive capacity")
        guard liveSlots.count <= capacity, liveSlots.allSatisfy({ $0 >= 0 && Int($0) < state.physicalCount }) else {
            throw SystemError("memory bank state does not fit its file", path: directory.path, code: EINVAL)
        }
        self.directory = directory
        self.imageShape = imageShape
        self.capacity = capacity
        self.eviction = eviction
        self.state = state
        self.liveSlots = liveSlots
        let path = Self.path(directory: directory, generation: state.generation)
        file = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT)
        let bytes = imageShape.reduce(1, *)
        let size = try file.size()
        guard size >= state.physicalCount * bytes else {
            throw SystemError("memory bank file is shorter than its checkpoint says (\(size) bytes)", path: path, code: EIO)
        }
        try file.truncate(to: state.physicalCount * bytes)
        try removeOtherGenerations()
    }

    static func path(directory: URL, generation: Int) -> String {
        directory.appendingPathComponent("bank-\(generation).u8").path
    }

    /// Adds images in [0, 1] ([B, C, H, W]), quantised to 8 bits (round to nearest), and
    /// evicts by the bank's policy. Reservoir eviction draws from `random`.
    public func append(_ images: Tensor, random: inout RandomGenerator) throws {
        precondition(images.rank == 4 && Array(images.shape.dropFirst()) == imageShape,
                     "memory bank holds \(imageShape) images, got a batch of \(images.shape)")
        let batch = images.shape[0]
        let bytesPerImage = imageBytes
        var quantized = [UInt8](repeating: 0, count: batch * bytesPerImage)
        let source = images.storage.pointer
        for i in 0..<quantized.count {
            let value = source[i]
            // NaN maps to 0 rather than trapping in the conversion.
            quantized[i] = value.isNaN ? 0 : UInt8((min(max(value, 0), 1) * 255).rounded())
        }
        try file.write(quantized, at: state.physicalCount * bytesPerImage)
        for image in 0..<batch {
            let slot = Int32(state.physicalCount + image)
            switch eviction {
            case .oldest:
                liveSlots.append(slot)
            case .reservoir:
                if liveSlots.count < capacity {
                    liveSlots.append(slot)
                } else {
                    let position = random.integer(below: state.seenCount + image + 1)
                    if position < capacity { liveSlots[position] = slot }
                }
            }
        }
        if liveSlots.count > capacity { liveSlots.removeFirst(liveSlots.count - capacity) }
        state.physicalCount += batch
        state.seenCount += batch
    }

    /// Images at logical `indices` as floats in [0, 1], [B, C, H, W].
    public func images(at indices: [Int]) throws -> Tensor {
        let bytesPerImage = imageBytes
        var result = Tensor(uninitializedShape: [indices.count] + imageShape)
        var buffer = [UInt8](repeating: 0, count: bytesPerImage)
        try result.withUnsafeMutableBufferPointer { output in
            for (row, index) in indices.enumerated() {
                precondition(index >= 0 && index < liveSlots.count, "memory bank index \(index) out of 0..<\(liveSlots.count)")
                let offset = Int(liveSlots[index]) * bytesPerImage
                try buffer.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: bytesPerImage, at: offset) }
                let destination = output.baseAddress! + row * bytesPerImage
                for i in 0..<bytesPerImage { destination[i] = Float(buffer[i]) * (1.0 / 255.0) }
            }
        }
        return result
    }

    /// Makes every appended image durable; call before writing a checkpoint that counts them.
    public func synchronize() throws {
        try file.synchronize()
    }

    /// When dead slots outnumber live ones, writes the live images to the next
    /// generation's file (durably) and switches to it. Returns the old file's path, to be
    /// deleted once a checkpoint naming the new generation is durable; nil if nothing changed.
    public func compactIfWorthwhile() throws -> String? {
        guard state.physicalCount > 2 * max(liveSlots.count, 1) + 1024 else { return nil }
        let bytesPerImage = imageBytes
        let newGeneration = state.generation + 1
        let newPath = Self.path(directory: directory, generation: newGeneration)
        let newFile = try FileDescriptor(path: newPath, flags: O_RDWR | O_CREAT | O_TRUNC)
        var buffer = [UInt8](repeating: 0, count: bytesPerImage)
        for (index, slot) in liveSlots.enumerated() {
            try buffer.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: bytesPerImage, at: Int(slot) * bytesPerImage) }
            try newFile.write(buffer, at: index * bytesPerImage)
        }
        try newFile.synchronize()
        try DurableFile.synchronizeDirectory(directory.path)
        let oldPath = Self.path(directory: directory, generation: state.generation)
        file = newFile
        liveSlots = (0..<Int32(liveSlots.count)).map { $0 }
        state.generation = newGeneration
        state.physicalCount = liveSlots.count
        return oldPath
    }

    private func removeOtherGenerations() throws {
        let current = "bank-\(state.generation).u8"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix("bank-") && name.hasSuffix(".u8") && name != current {
            let path = directory.appendingPathComponent(name).path
            guard unlink(path) == 0 || errno == ENOENT else { throw SystemError("unlink", path: path) }
        }
    }
}
