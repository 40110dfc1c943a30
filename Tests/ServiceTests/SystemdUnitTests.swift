import Foundation
import Glibc
import Testing
import TestSupport

/// The files in systemd/ and scripts/install-service, checked with the programs that
/// consume them: systemd-analyze, systemd-sysusers and systemd-tmpfiles running into a
/// scratch root, and promtool for the dashboard's queries.
@Suite struct SystemdUnitTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let unit = file("nayerd.service")
    static let sysusers = file("nayerd.sysusers.conf")
    static let tmpfiles = file("nayerd.tmpfiles.conf")
    static let dashboard = file("grafana-dashboard.json")
    static let installScript = repository.appendingPathComponent("scripts/install-service")

    /// The metric names DESIGN.md promises; the dashboard must chart every one.
    static let metricNames = [
        "nayer_jobs", "nayer_jobs_completed_total", "nayer_jobs_failed_total", "nayer_job_epoch",
        "nayer_job_progress_ratio", "nayer_job_accuracy_ratio", "nayer_job_agreement_ratio",
        "nayer_job_loss", "nayer_job_images_per_second", "nayer_job_eta_seconds",
        "nayer_checkpoint_last_success_timestamp_seconds", "nayer_build_info",
    ]

    static func file(_ name: String) -> URL {
        repository.appendingPathComponent("systemd").appendingPathComponent(name)
    }

    // MARK: unit

    /// `verify` refuses an ExecStart whose binary does not exist, and a build machine has
    /// no /usr/local/bin/nayerd. So this verifies a copy in which only the executable
    /// path is swapped for /bin/true; its arguments and every other line are as written.
    static func verifiableCopy(in directory: URL, extraServiceLine: String? = nil) throws -> URL {
        var text = try String(contentsOf: unit, encoding: .utf8)
        let installed = "\nExecStart=/usr/local/bin/nayerd serve "
        guard text.contains(installed) else {
            throw UnitFileError(description: "\(unit.path) has no line starting \(installed.dropFirst())")
        }
        text = text.replacingOccurrences(of: installed, with: "\nExecStart=/bin/true serve ")
        if let extraServiceLine {
            text = text.replacingOccurrences(of: "[Service]\n", with: "[Service]\n\(extraServiceLine)\n")
        }
        let copy = directory.appendingPathComponent("nayerd.service")
        try text.write(to: copy, atomically: true, encoding: .utf8)
        return copy
    }

    @Test func unitPassesVerify() throws {
        let analyze = try requiredTool("systemd-analyze", package: "systemd")
        let directory = try Fixtures.temporaryDirectory("verify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = try Self.verifiableCopy(in: directory)
        let result = try run(analyze, ["verify", "--recursive-errors=no", copy.path])
        #expect(result.status == 0, "systemd-analyze verify failed:\n\(result.output)")
        let complaints = result.lines.filter { $0.contains("nayerd.service") }
        #expect(complaints.isEmpty, "systemd-analyze verify complains:\n\(complaints.joined(separator: "\n"))")
    }

    /// The check above relies on verify naming the unit in what it prints; a misspelt
    /// directive shows that it does.
    @Test func verifyNamesTheUnitInItsComplaints() throws {
        let analyze = try requiredTool("systemd-analyze", package: "systemd")
        let directory = try Fixtures.temporaryDirectory("verify-typo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = try Self.verifiableCopy(in: directory, extraServiceLine: "Nicenes=10")
        let result = try run(analyze, ["verify", "--recursive-errors=no", copy.path])
        #expect(result.lines.contains { $0.contains("nayerd.service") && $0.contains("Nicenes") },
                "no complaint about Nicenes= in:\n\(result.output)")
    }

    /// systemd 252's --threshold takes an integer on a 0-100 scale, ten times the
    /// exposure it prints ("2.0" is refused as unparsable), and exits non-zero above it.
    @Test func securityExposureIsAtMostTwo() throws {
        let analyze = try requiredTool("systemd-analyze", package: "systemd")
        let result = try run(analyze, ["security", "--offline=yes", "--threshold=20", Self.unit.path])
        #expect(result.status == 0, "exposure above 2.0 or analysis failed:\n\(result.output)")
        let exposure = try #require(overallExposure(in: result.output),
                                    "no 'Overall exposure level' line in:\n\(result.output)")
        #expect(exposure <= 2.0)
    }

    @Test func unitRunsTheDocumentedCommandLine() throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        let directives = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let required = [
            "Type=notify", "NotifyAccess=main", "KillMode=mixed", "Restart=on-failure",
            "User=nayerd", "StateDirectory=nayerd", "ProtectSystem=strict", "NoNewPrivileges=yes",
            "RestrictAddressFamilies=AF_UNIX", "SystemCallFilter=@system-service",
            "CPUSchedulingPolicy=batch",
            "ExecStart=/usr/local/bin/nayerd serve --spool /var/lib/nayerd/spool --output /var/lib/nayerd/output --metrics /var/lib/prometheus/node-exporter/nayerd.prom",
        ]
        let missing = required.filter { !directives.contains($0) }
        #expect(missing.isEmpty, "nayerd.service lacks \(missing)")
    }

    // MARK: account and spool

    @Test func sysusersCreatesASystemAccount() throws {
        let tool = try requiredTool("systemd-sysusers", package: "systemd")
        let root = try Fixtures.temporaryDirectory("sysusers")
        defer { try? FileManager.default.removeItem(at: root) }
        let account = try createAccount(with: tool, in: root)
        #expect(account.uid > 0 && account.uid < 1000, "not a system uid: \(account.uid)")
        #expect(account.home == "/var/lib/nayerd")
        #expect(account.shell.hasSuffix("nologin"))
        let groups = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        #expect(groups.split(separator: "\n").contains { $0.hasPrefix("nayerd:x:\(account.gid):") })
    }

    @Test(.enabled(if: getuid() == 0, "chowning the spool to nayerd needs root"))
    func tmpfilesCreatesTheSpoolAndMetricsDirectory() throws {
        let sysusersTool = try requiredTool("systemd-sysusers", package: "systemd")
        let tmpfilesTool = try requiredTool("systemd-tmpfiles", package: "systemd")
        let scratch = try Fixtures.temporaryDirectory("tmpfiles")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root")
        let account = try createAccount(with: sysusersTool, in: root)

        // tmpfiles resolves the User and Group columns inside --root, but libacl resolves
        // the names in an ACL through the host. Where the host has no nayerd group (a build
        // machine), the ACL's syntax and effect are checked with the host's root group.
        var configuration = try String(contentsOf: Self.tmpfiles, encoding: .utf8)
        if getgrnam("nayerd") == nil {
            configuration = configuration.replacingOccurrences(of: "group:nayerd:", with: "group:root:")
        }
        let configurationFile = scratch.appendingPathComponent("nayerd.conf")
        try configuration.write(to: configurationFile, atomically: true, encoding: .utf8)
        let result = try run(tmpfilesTool, ["--root=\(root.path)", "--create", configurationFile.path])
        #expect(result.status == 0 && result.output.isEmpty, "systemd-tmpfiles:\n\(result.output)")

        let expectedModes: [(String, mode_t)] = [
            ("var/lib/nayerd", 0o2750), ("var/lib/nayerd/spool", 0o2750),
            ("var/lib/nayerd/spool/incoming", 0o3770), ("var/lib/nayerd/spool/active", 0o2750),
            ("var/lib/nayerd/spool/rejected", 0o2750), ("var/lib/nayerd/spool/failed", 0o2750),
            ("var/lib/nayerd/output", 0o2750),
        ]
        for (path, mode) in expectedModes {
            let info = try fileStatus(root.appendingPathComponent(path))
            #expect(info.st_mode & S_IFMT == S_IFDIR, "\(path) is not a directory")
            #expect(info.st_mode & 0o7777 == mode, "\(path) has mode \(String(info.st_mode & 0o7777, radix: 8))")
            #expect(info.st_uid == account.uid && info.st_gid == account.gid, "\(path) has the wrong owner")
        }

        let metrics = root.appendingPathComponent("var/lib/prometheus/node-exporter")
        // A named group entry with rwx shows up as a group-class mask of rwx.
        #expect(try fileStatus(metrics).st_mode & 0o070 == 0o070, "no rwx ACL entry on \(metrics.path)")
        // The daemon runs with UMask=0027, yet node-exporter (another user) must read its file.
        let probe = metrics.appendingPathComponent("probe.prom")
        let shell = try requiredTool("sh", package: "dash")
        let created = try run(shell, ["-c", "umask 027 && : > \"$1\"", "sh", probe.path])
        #expect(created.status == 0, "\(created.output)")
        #expect(try fileStatus(probe).st_mode & 0o777 == 0o644)
    }

    // MARK: install script

    @Test func installScriptExplainsItselfAndRejectsUnknownArguments() throws {
        let help = try run(Self.installScript, ["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("Usage: scripts/install-service"))
        let wrong = try run(Self.installScript, ["--no-such-option"])
        #expect(wrong.status == 2)
        #expect(wrong.output.contains("--no-such-option"))
    }

    @Test(.enabled(if: getuid() == 0, "creating the account and chowning the spool needs root"))
    func installScriptIsIdempotent() throws {
        let root = try Fixtures.temporaryDirectory("install")
        defer { try? FileManager.default.removeItem(at: root) }
        for attempt in 1...2 {
            let result = try run(Self.installScript, ["--root", root.path, "--binary", "/bin/true"])
            #expect(result.status == 0, "run \(attempt):\n\(result.output)")
        }
        let installedUnit = root.appendingPathComponent("etc/systemd/system/nayerd.service")
        #expect(try Data(contentsOf: installedUnit) == Data(contentsOf: Self.unit))
        #expect(FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("usr/local/bin/nayerd").path))
        for configuration in ["etc/sysusers.d/nayerd.conf", "etc/tmpfiles.d/nayerd.conf", "usr/local/share/doc/nayerd/README.md"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(configuration).path), "\(configuration) missing")
        }
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        #expect(passwd.split(separator: "\n").filter { $0.hasPrefix("nayerd:") }.count == 1)
        #expect(try fileStatus(root.appendingPathComponent("var/lib/nayerd/spool/incoming")).st_mode & 0o7777 == 0o3770)
    }

    // MARK: dashboard

    @Test func dashboardChartsEveryMetric() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any])
        #expect((object["schemaVersion"] as? Int ?? 0) >= 36)
        let inputs = object["__inputs"] as? [[String: Any]] ?? []
        #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" })

        let panels = allPanels(in: object["panels"])
        let queryPanels = panels.filter { $0["type"] as? String != "row" }
        #expect(!queryPanels.isEmpty)
        var expressions: [String] = []
        for panel in queryPanels {
            let title = panel["title"] as? String ?? "?"
            #expect(datasourceUID(panel) == "${DS_PROMETHEUS}", "panel \(title) does not use the DS_PROMETHEUS input")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "panel \(title) has no query")
            for target in targets {
                #expect(datasourceUID(target) == "${DS_PROMETHEUS}", "a query of \(title) has another datasource")
                expressions.append(target["expr"] as? String ?? "")
            }
        }
        for name in Self.metricNames {
            #expect(expressions.contains { mentions($0, metric: name) }, "no panel queries \(name)")
        }
        #expect(expressions.contains { $0.contains("time() - nayer_checkpoint_last_success_timestamp_seconds") })
        #expect(expressions.contains { mentions($0, metric: "nayer_jobs") && $0.contains("by (state)") })
    }

    /// promtool checks PromQL only inside rule files, so every query becomes a recording
    /// rule, with Grafana's variables replaced by values they could take.
    @Test func dashboardQueriesAreValidPromQL() throws {
        let promtool = try requiredTool("promtool", package: "prometheus")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any])
        let expressions = allPanels(in: object["panels"])
            .flatMap { $0["targets"] as? [[String: Any]] ?? [] }
            .compactMap { $0["expr"] as? String }
        #expect(!expressions.isEmpty)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        var rules = "groups:\n- name: dashboard\n  rules:\n"
        for (index, expression) in expressions.enumerated() {
            let concrete = expression.replacingOccurrences(of: "$instance", with: ".*")
                .replacingOccurrences(of: "$job_id", with: ".*")
                .replacingOccurrences(of: "$__range", with: "1h")
            // A JSON string is a valid YAML double-quoted scalar.
            let quoted = String(decoding: try encoder.encode(concrete), as: UTF8.self)
            rules += "  - record: dashboard_query_\(index)\n    expr: \(quoted)\n"
        }
        let directory = try Fixtures.temporaryDirectory("promql")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("rules.yml")
        try rules.write(to: file, atomically: true, encoding: .utf8)
        let result = try run(promtool, ["check", "rules", file.path])
        #expect(result.status == 0, "promtool rejects a dashboard query:\n\(result.output)")
    }
}

// MARK: helpers

private struct UnitFileError: Error, CustomStringConvertible {
    let description: String
}

private struct ToolRun {
    let status: Int32
    /// Standard output and standard error, interleaved as written.
    let output: String
    var lines: [String] { output.split(separator: "\n").map(String.init) }
}

private struct Account {
    let uid: uid_t
    let gid: gid_t
    let home: String
    let shell: String
}

/// The tools come from Debian packages that scripts/bootstrap installs; a missing one
/// fails the test rather than skipping it, so a CI machine cannot pass by lacking it.
private func requiredTool(_ name: String, package: String) throws -> URL {
    let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    for directory in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] + searchPath {
        let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw UnitFileError(description: "\(name) not found: run scripts/bootstrap (it installs the Debian package \(package))")
}

private func run(_ executable: URL, _ arguments: [String]) throws -> ToolRun {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["SYSTEMD_COLORS"] = "0"
    environment["SYSTEMD_PAGER"] = ""
    process.environment = environment
    // One pipe for both streams, read to the end before waiting: no deadlock on a full pipe.
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// Runs sysusers into `root` and reads back the account it wrote.
private func createAccount(with sysusers: URL, in root: URL) throws -> Account {
    try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
    let result = try run(sysusers, ["--root=\(root.path)", SystemdUnitTests.sysusers.path])
    guard result.status == 0 else {
        throw UnitFileError(description: "systemd-sysusers exited \(result.status):\n\(result.output)")
    }
    let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
    for line in passwd.split(separator: "\n") {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, fields[0] == "nayerd" else { continue }
        guard let uid = uid_t(fields[2]), let gid = gid_t(fields[3]) else { break }
        return Account(uid: uid, gid: gid, home: fields[5], shell: fields[6])
    }
    throw UnitFileError(description: "systemd-sysusers wrote no valid nayerd entry:\n\(passwd)")
}

private func fileStatus(_ url: URL) throws -> stat {
    var info = stat()
    guard lstat(url.path, &info) == 0 else {
        throw UnitFileError(description: "lstat \(url.path): \(String(cString: strerror(errno)))")
    }
    return info
}

/// "→ Overall exposure level for nayerd.service: 0.2 SAFE 😀" gives 0.2.
private func overallExposure(in output: String) -> Double? {
    for line in output.split(separator: "\n") {
        guard let marker = line.range(of: "Overall exposure level for nayerd.service:") else { continue }
        return line[marker.upperBound...].split(separator: " ").first.flatMap { Double($0) }
    }
    return nil
}

/// Panels, including those nested in collapsed rows.
private func allPanels(in value: Any?) -> [[String: Any]] {
    let panels = value as? [[String: Any]] ?? []
    return panels.flatMap { [$0] + allPanels(in: $0["panels"]) }
}

private func datasourceUID(_ object: [String: Any]) -> String? {
    (object["datasource"] as? [String: Any])?["uid"] as? String
}

/// Whether `expression` names `metric` as a whole identifier, so that `nayer_jobs`
/// is not satisfied by `nayer_jobs_failed_total`.
private func mentions(_ expression: String, metric: String) -> Bool {
    func isIdentifier(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == ":"
    }
    var searchStart = expression.startIndex
    while let found = expression.range(of: metric, range: searchStart..<expression.endIndex) {
        let before = found.lowerBound == expression.startIndex ? nil : expression[expression.index(before: found.lowerBound)]
        let after = found.upperBound == expression.endIndex ? nil : expression[found.upperBound]
        if !(before.map(isIdentifier) ?? false) && !(after.map(isIdentifier) ?? false) { return true }
        searchStart = found.upperBound
    }
    return false
}
