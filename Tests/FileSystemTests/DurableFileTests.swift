import FileSystem
import Foundation
import Testing
import TestSupport

@Suite struct DurableFileTests {
    @Test func writeReplacesContentsAndLeavesNoTemporaryFile() throws {
        let directory = try Fixtures.temporaryDirectory("durable")
        let path = directory.appendingPathComponent("state.json").path
        try DurableFile.write(Array("first".utf8), to: path)
        try DurableFile.write(Array("second, longer".utf8), to: path)
        #expect(try DurableFile.read(path) == Array("second, longer".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["state.json"])
    }

    @Test func failedFillLeavesTheOldFileAndNoTemporary() throws {
        let directory = try Fixtures.temporaryDirectory("durable-fail")
        let path = directory.appendingPathComponent("bank").path
        try DurableFile.write([1, 2, 3], to: path)
        #expect(throws: SystemError.self) {
            try DurableFile.write(to: path) { _ in throw SystemError("simulated", path: path, code: EIO) }
        }
        #expect(try DurableFile.read(path) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["bank"])
    }

    @Test func errorsNameTheOperationPathAndReason() {
        #expect {
            try DurableFile.read("/nonexistent/dir/file")
        } throws: { error in
            "\(error)" == "open /nonexistent/dir/file: No such file or directory"
        }
        #expect { try DurableFile.read("/tmp") } throws: { "\($0)".contains("Is a directory") }
    }

    @Test func positionedReadsAndWritesAndTruncation() throws {
        let directory = try Fixtures.temporaryDirectory("descriptor")
        let path = directory.appendingPathComponent("data").path
        let file = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT)
        try file.write([10, 20, 30, 40], at: 0)
        try file.write([99], at: 6)
        #expect(try file.size() == 7)
        var buffer = [UInt8](repeating: 0, count: 2)
        try buffer.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: 2, at: 2) }
        #expect(buffer == [30, 40])
        try file.truncate(to: 3)
        #expect(try file.size() == 3)
        #expect(throws: SystemError.self) {
            try buffer.withUnsafeMutableBytes { try file.read(into: $0.baseAddress!, count: 2, at: 2) }
        }
    }

    @Test func pathHelpers() {
        #expect(DurableFile.directoryPath(of: "/a/b/c.json") == "/a/b")
        #expect(DurableFile.directoryPath(of: "/c.json") == "/")
        #expect(DurableFile.directoryPath(of: "c.json") == ".")
        #expect(DurableFile.fileName(of: "/a/b/c.json") == "c.json")
        #expect(DurableFile.temporaryPath(for: "/a/b/c.json").hasPrefix("/a/b/.c.json."))
    }
}

@Suite struct SafeNameTests {
    @Test func rules() {
        #expect(SafeName.isValid("fmnist-resnet20_to.wrn"))
        #expect(SafeName.problem(with: "") == "it is empty")
        #expect(SafeName.problem(with: ".x") == "it starts with a dot")
        #expect(!SafeName.isValid("a/b"))
        #expect(!SafeName.isValid("../x"))
        #expect(!SafeName.isValid("über"))
        #expect(!SafeName.isValid(String(repeating: "a", count: 65)))
    }

    @Test func sanitizedNamesAreAlwaysValid() {
        for text in ["../etc/passwd", ".hidden", "", "ünïcode", String(repeating: "x", count: 100)] {
            #expect(SafeName.isValid(SafeName.sanitized(text)), "\(text)")
        }
    }
}
