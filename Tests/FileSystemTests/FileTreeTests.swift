import FileSystem
import Foundation
import Testing
import TestSupport

@Suite struct FileTreeTests {
    /// source/{top.txt, samples/0.png (0600), samples/latest -> 0.png}
    private func makeTree(in directory: String) throws -> String {
        let source = "\(directory)/source"
        try FileOperations.makeDirectories("\(source)/samples")
        try DurableFile.write(Array("top".utf8), to: "\(source)/top.txt")
        try DurableFile.write(Array(repeating: 7, count: 3_000_000), to: "\(source)/samples/0.png", permissions: 0o600)
        try FileOperations.makeSymbolicLink(at: "\(source)/samples/latest", pointingTo: "0.png")
        return source
    }

    private func expectCopy(at destination: String) throws {
        #expect(try DurableFile.read("\(destination)/top.txt") == Array("top".utf8))
        #expect(try DurableFile.read("\(destination)/samples/0.png") == Array(repeating: 7, count: 3_000_000))
        #expect(try FileStatus.of("\(destination)/samples/0.png")?.permissions == 0o600)
        #expect(try FileStatus.of("\(destination)/samples/latest")?.kind == .symbolicLink)
        #expect(try FileOperations.readLink("\(destination)/samples/latest") == "0.png")
    }

    @Test func copyTreeThenRenameLeavesOnlyTheFinishedCopy() throws {
        let directory = try Fixtures.temporaryDirectory("tree-copy").path
        let source = try makeTree(in: directory)
        try FileOperations.copyTreeThenRename(source, to: "\(directory)/published")
        try expectCopy(at: "\(directory)/published")
        #expect(try FileOperations.listDirectory(directory) == ["published", "source"])
        #expect(try FileStatus.isRegularFile("\(source)/top.txt"), "a copy leaves the source alone")
    }

    @Test func copyRefusesAnExistingDestinationAndSpecialFiles() throws {
        let directory = try Fixtures.temporaryDirectory("tree-refuse").path
        let source = try makeTree(in: directory)
        try FileOperations.makeDirectory("\(directory)/taken")
        #expect { try FileOperations.copyTree(source, to: "\(directory)/taken") } throws: {
            ($0 as? SystemError)?.code == EEXIST
        }
        try SystemError.check(mkfifo("\(source)/pipe", 0o600), "mkfifo", path: "\(source)/pipe")
        #expect { try FileOperations.copyTreeThenRename(source, to: "\(directory)/published") } throws: {
            ($0 as? SystemError)?.code == EINVAL && "\($0)".contains("\(source)/pipe")
        }
        #expect(try FileOperations.listDirectory(directory) == ["source", "taken"], "no half-made staging copy remains")
    }

    @Test func removeTreeRemovesLinksNotTheirTargets() throws {
        let directory = try Fixtures.temporaryDirectory("tree-remove").path
        let source = try makeTree(in: directory)
        try DurableFile.write([1], to: "\(directory)/outside")
        try FileOperations.makeSymbolicLink(at: "\(source)/escape", pointingTo: directory)
        try FileOperations.removeTree(source)
        #expect(try FileOperations.listDirectory(directory) == ["outside"])
        try FileOperations.removeTree(source)   // already gone: not an error
        try FileOperations.removeTree("\(directory)/outside")
        #expect(try FileOperations.listDirectory(directory).isEmpty)
    }

    @Test func moveTreeWithinOneFileSystemRenames() throws {
        let directory = try Fixtures.temporaryDirectory("tree-move").path
        let source = try makeTree(in: directory)
        let before = try #require(try FileStatus.of("\(source)/samples/0.png", followingLinks: true))
        try FileOperations.moveTree(source, to: "\(directory)/moved")
        try expectCopy(at: "\(directory)/moved")
        #expect(try !FileStatus.exists(source))
        #expect(try FileStatus.of("\(directory)/moved/samples/0.png")?.modificationUnixSeconds
                == before.modificationUnixSeconds, "a rename, not a copy")
    }

    /// /tmp and /dev/shm are different file systems on the machines this runs on, which is
    /// where rename fails with EXDEV and the copy fallback has to work.
    @Test(.enabled(if: FileTreeTests.onDifferentFileSystems(NSTemporaryDirectory(), "/dev/shm")))
    func moveTreeAcrossFileSystemsCopiesThenRemovesTheSource() throws {
        let directory = try Fixtures.temporaryDirectory("tree-exdev").path
        let source = try makeTree(in: directory)
        let destination = "/dev/shm/nayerd-move-\(UUID().uuidString)"
        defer { try? FileOperations.removeTree(destination) }
        try FileOperations.moveTree(source, to: destination)
        try expectCopy(at: destination)
        #expect(try !FileStatus.exists(source))
        #expect(try FileOperations.listDirectory("/dev/shm").allSatisfy { !$0.contains(".partial-") })
    }

    static func onDifferentFileSystems(_ first: String, _ second: String) -> Bool {
        var one = stat(), two = stat()
        return stat(first, &one) == 0 && stat(second, &two) == 0 && one.st_dev != two.st_dev
    }
}
