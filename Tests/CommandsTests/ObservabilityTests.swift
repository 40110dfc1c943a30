import TestSupport
import Foundation
import Glibc
import Testing

/// The metrics file as Prometheus tooling sees it.
enum Metrics {
    /// `promtool check metrics` (lint included), then a real node_exporter serving the
    /// file through its textfile collector over HTTP.
    static func check(_ file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        let promtool = Process()
        promtool.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        promtool.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        promtool.standardInput = input
        promtool.standardOutput = output
        promtool.standardError = output
        try promtool.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let complaints = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        promtool.waitUntilExit()
        #expect(promtool.terminationStatus == 0, "promtool: \(complaints)\n\(text)")

        let port = try freePort()
        let exporter = try RunningProcess(
            ["--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.textfile",
             "--collector.textfile.directory=\(file.deletingLastPathComponent().path)"],
            executable: URL(fileURLWithPath: "/usr/bin/prometheus-node-exporter"))
        defer {
            exporter.signal(SIGTERM)
            _ = try? exporter.wait(timeoutSeconds: 10)
        }
        var served = ""
        try waitUntil("node_exporter on port \(port)", timeoutSeconds: 30, pollSeconds: 0.1, log: exporter.standardError()) {
            served = (try? fetch("http://127.0.0.1:\(port)/metrics")) ?? ""
            return served.contains("nayer_")
        }
        #expect(served.contains("nayer_build_info{version="))
        #expect(served.contains("nayer_jobs_completed_total"))
        #expect(served.contains("node_textfile_scrape_error 0"), "the collector could not parse the file")
    }

    static func fetch(_ address: String) throws -> String {
        let result = try RunningProcess(["-sf", "--max-time", "5", address], executable: URL(fileURLWithPath: "/usr/bin/curl"))
        guard try result.wait(timeoutSeconds: 10) == 0 else { return "" }
        return result.standardOutput()
    }

    /// A TCP port nobody listens on right now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A datagram socket in the role of systemd's notify socket, collecting what arrives.
final class NotifyListener {
    let descriptor: Int32
    let address: String
    private(set) var received: [String] = []

    /// `name` starting with "@" binds in the abstract namespace; otherwise it is a path.
    init(_ name: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        address = name
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        let abstract = name.hasPrefix("@")
        let bytes = Array((abstract ? String(name.dropFirst()) : name).utf8)
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { path in
            // The abstract namespace is marked by a leading zero byte.
            path.copyBytes(from: (abstract ? [0] : []) + bytes)
        }
        let base = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let length = socklen_t(abstract ? base + 1 + bytes.count : MemoryLayout<sockaddr_un>.size)
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit {
        close(descriptor)
        if !address.hasPrefix("@") { unlink(address) }
    }

    /// Collects datagrams until `condition` holds for everything received so far.
    func collect(until what: String, timeoutSeconds: Double = 30, _ condition: ([String]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !condition(received) {
            guard Date() < deadline else { throw TimedOut(what: what, seconds: timeoutSeconds, log: received.joined(separator: "\n")) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            var buffer = [UInt8](repeating: 0, count: 8192)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 { received += String(decoding: buffer.prefix(count), as: UTF8.self).split(separator: "\n").map(String.init) }
        }
    }
}

extension Integration {
    @Suite struct Notify {
        @Test(arguments: ["path", "abstract"])
        func daemonTalksToTheNotifySocket(form: String) throws {
            let spool = try SpoolDirectories(label: "notify-\(form)")
            let name = form == "path" ? spool.root.appendingPathComponent("notify.sock").path
                : "@nayerd-test-\(UUID().uuidString.prefix(8))"
            let listener = try NotifyListener(name)
            let daemon = try Daemon(spool, environment: ["NOTIFY_SOCKET": name, "WATCHDOG_USEC": "400000"])
            try listener.collect(until: "READY=1, STATUS= and two WATCHDOG=1") { lines in
                lines.contains("READY=1") && lines.contains { $0.hasPrefix("STATUS=") }
                    && lines.filter { $0 == "WATCHDOG=1" }.count >= 2
            }
            let status = try #require(listener.received.first { $0.hasPrefix("STATUS=") })
            #expect(status.contains("idle"), "\(status)")
            daemon.process.signal(SIGTERM)
            try listener.collect(until: "STOPPING=1") { $0.contains("STOPPING=1") }
            #expect(try daemon.process.wait(timeoutSeconds: 10) == 0)
            #expect(listener.received.contains { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") })
            #expect(listener.received.firstIndex(of: "READY=1")! < listener.received.firstIndex(of: "STOPPING=1")!)
        }
    }
}
