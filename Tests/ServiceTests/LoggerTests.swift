import Foundation
import Glibc
import Testing
@testable import Service

@Suite struct LoggerTests {
    @Test func stderrFallbackPrefixesPriority() throws {
        #expect(StderrLogger.format(priority: .error, message: "message", job: nil, epoch: nil) == "<3>message\n")
        #expect(StderrLogger.format(priority: .info, message: "epoch done", job: "j1", epoch: 4)
                == "<6>[j1] epoch 4: epoch done\n")
        #expect(StderrLogger.format(priority: .warning, message: "a\nb", job: nil, epoch: nil) == "<4>a\n<4>b\n")
    }

    @Test func stderrLoggerWritesToItsDescriptor() throws {
        var descriptors: [Int32] = [-1, -1]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        let logger = StderrLogger(fileDescriptor: descriptors[1])
        logger.error("message")
        logger.notice("claimed", job: "job-7")
        close(descriptors[1])
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(descriptors[0], &buffer, buffer.count)
        #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) == "<3>message\n<5>[job-7] claimed\n")
    }

    @Test func journalIsUsedOnlyWhenStderrIsTheJournalStream() throws {
        var info = stat()
        #expect(fstat(STDERR_FILENO, &info) == 0)
        let matching = "\(info.st_dev):\(info.st_ino)"
        #expect(JournalLogger.isStandardErrorConnectedToJournal(environment: ["JOURNAL_STREAM": matching]))
        #expect(!JournalLogger.isStandardErrorConnectedToJournal(environment: ["JOURNAL_STREAM": "1:2"]))
        #expect(!JournalLogger.isStandardErrorConnectedToJournal(environment: [:]))
        #expect(StandardLogger.make(environment: [:]) is StderrLogger)
        #expect(StandardLogger.make(environment: ["JOURNAL_STREAM": matching]) is JournalLogger)
    }
}
