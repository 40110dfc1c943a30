import FileSystem
import Foundation
import Testing
import TestSupport

@Suite struct FileOperationsTests {
    @Test func renameReplacesButLinkRefusesToOverwrite() throws {
        let directory = try Fixtures.temporaryDirectory("rename").path
        try DurableFile.write(Array("new".utf8), to: "\(directory)/new")
        try DurableFile.write(Array("old".utf8), to: "\(directory)/target")
        #expect {
            try FileOperations.link("\(directory)/new", to: "\(directory)/target")
        } throws: { ($0 as? SystemError)?.code == EEXIST }
        #expect(try DurableFile.read("\(directory)/target") == Array("old".utf8))
        try FileOperations.rename("\(directory)/new", to: "\(directory)/target")
        #expect(try DurableFile.read("\(directory)/target") == Array("new".utf8))
        try FileOperations.link("\(directory)/target", to: "\(directory)/second")
        try FileOperations.removeFile("\(directory)/target")
        #expect(try FileOperations.listDirectory(directory) == ["second"])
    }

    @Test func errorsNameTheCallPathAndReason() throws {
        let directory = try Fixtures.temporaryDirectory("errors").path
        #expect {
            try FileOperations.rename("\(directory)/missing", to: "\(directory)/other")
        } throws: { "\($0)" == "rename \(directory)/missing to \(directory)/other: No such file or directory" }
        #expect {
            try FileOperations.listDirectory("\(directory)/missing")
        } throws: { "\($0)" == "opendir \(directory)/missing: No such file or directory" }
        #expect { try FileOperations.removeFile(directory) } throws: { ($0 as? SystemError)?.code == EISDIR }
    }

    @Test func makeDirectoriesCreatesParentsAndRefusesAFileInTheWay() throws {
        let directory = try Fixtures.temporaryDirectory("mkdir").path
        try FileOperations.makeDirectories("\(directory)/a/b/c/")
        #expect(try FileStatus.isDirectory("\(directory)/a/b/c"))
        try FileOperations.makeDirectories("\(directory)/a/b/c")   // already there: fine
        #expect(try FileOperations.makeDirectory("\(directory)/a") == false)
        #expect(try FileOperations.makeDirectory("\(directory)/d", permissions: 0o700))
        #expect(try FileStatus.of("\(directory)/d")?.permissions == 0o700)

        try FileOperations.makeSymbolicLink(at: "\(directory)/linked", pointingTo: "\(directory)/a")
        try FileOperations.makeDirectories("\(directory)/linked")   // a link to a directory will do

        try DurableFile.write(Array("x".utf8), to: "\(directory)/file")
        #expect { try FileOperations.makeDirectories("\(directory)/file") } throws: {
            ($0 as? SystemError)?.code == ENOTDIR
        }
    }

    @Test func listDirectorySkipsDotEntriesAndSorts() throws {
        let directory = try Fixtures.temporaryDirectory("list").path
        for name in ["b", ".hidden", "a", "c.json"] { try DurableFile.write([1], to: "\(directory)/\(name)") }
        #expect(try FileOperations.listDirectory(directory) == [".hidden", "a", "b", "c.json"])
    }

    @Test func statusReportsLinksWithoutFollowingThem() throws {
        let directory = try Fixtures.temporaryDirectory("status").path
        try DurableFile.write([1, 2, 3], to: "\(directory)/file", permissions: 0o600)
        try FileOperations.makeSymbolicLink(at: "\(directory)/link", pointingTo: "\(directory)/file")
        try FileOperations.makeSymbolicLink(at: "\(directory)/dangling", pointingTo: "\(directory)/nothing")

        let file = try #require(try FileStatus.of("\(directory)/file"))
        #expect(file.kind == .regular && file.size == 3 && file.permissions == 0o600)
        #expect(try FileStatus.of("\(directory)/link")?.kind == .symbolicLink)
        #expect(try FileStatus.of("\(directory)/link", followingLinks: true)?.kind == .regular)
        #expect(try FileStatus.exists("\(directory)/dangling"))
        #expect(try FileStatus.of("\(directory)/dangling", followingLinks: true) == nil)
        #expect(try FileStatus.of("\(directory)/missing") == nil)
        #expect(try FileStatus.isDirectory(directory) && !FileStatus.isRegularFile(directory))
        #expect(try FileOperations.readLink("\(directory)/link") == "\(directory)/file")
        // Anything but "not there" is an error, so a broken path is never taken for a free name.
        #expect { try FileStatus.of("\(directory)/file/child") } throws: { ($0 as? SystemError)?.code == ENOTDIR }
    }

    @Test func checkPassesResultsThroughAndThrowsErrno() throws {
        #expect(try SystemError.check(Int32(7), "call", path: "p") == 7)
        let error = #expect(throws: SystemError.self) {
            try SystemError.check(open("/nonexistent/x", O_RDONLY), "open", path: "/nonexistent/x")
        }
        #expect(error == SystemError("open", path: "/nonexistent/x", code: ENOENT))
    }

    @Test func writeAllDeliversEverythingToAPipe() throws {
        var ends: [Int32] = [-1, -1]
        try SystemError.check(pipe(&ends), "pipe", path: "test pipe")
        defer { close(ends[0]) }
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0) }
        try FileDescriptor.writeAll(bytes, toDescriptor: ends[1], named: "test pipe")   // fits the 64 KiB pipe buffer
        close(ends[1])
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = read(ends[0], &buffer, buffer.count), count > 0 { received += buffer.prefix(count) }
        #expect(received == bytes)
        #expect { try FileDescriptor.writeAll([1], toDescriptor: -1, named: "closed") } throws: {
            "\($0)" == "write closed: Bad file descriptor"
        }
    }

    @Test func durableWritesTakeAnyByteCollectionAndPermissions() throws {
        let directory = try Fixtures.temporaryDirectory("durable-bytes").path
        try DurableFile.write(Data("data".utf8), to: "\(directory)/a")
        try DurableFile.write("text\n".utf8, to: "\(directory)/b", permissions: 0o640)
        try DurableFile.write([UInt8]("x".utf8)[...], to: "\(directory)/c")
        #expect(try DurableFile.read("\(directory)/a") == Array("data".utf8))
        #expect(try DurableFile.read("\(directory)/b") == Array("text\n".utf8))
        #expect(try DurableFile.read("\(directory)/c") == [UInt8(ascii: "x")])
        #expect(try FileStatus.of("\(directory)/b")?.permissions == 0o640)
    }
}
