import FileSystem
import Foundation

/// STATUS=, metrics, per-epoch journal lines and the watchdog.
extension Supervisor {
    func report() {
        refreshProgress()
        let line = statusLine()
        if line != lastStatusLine {
            send([.status(line)])
            lastStatusLine = line
        }
        guard let metricsFile = configuration.metricsFile else { return }
        do {
            try PrometheusTextWriter.write(metricsSnapshot().registry(), to: metricsFile)
        } catch {
            logger.error("cannot write metrics: \(error)")
        }
    }

    func metricsSnapshot() -> ServiceMetricsSnapshot {
        var counts: [String: Int] = [:]
        for job in jobs { counts[job.phase.rawValue, default: 0] += 1 }
        return ServiceMetricsSnapshot(version: configuration.version, jobsByState: counts,
                                      completedTotal: completedTotal, failedTotal: failedTotal,
                                      running: jobs.filter { $0.phase == .running }.compactMap(\.progress))
    }

    func statusLine() -> String {
        var parts = jobs.filter { $0.phase == .running }.map { job -> String in
            guard let record = job.progress else { return "\(job.identifier) starting" }
            return StatusLine.describe(job: job.identifier.rawValue, epoch: record.epoch, epochs: record.epochs,
                                       accuracy: record.accuracy, etaSeconds: record.etaSeconds)
        }
        let queued = jobs.filter { $0.phase == .queued }.count
        let retrying = jobs.filter { $0.phase == .retrying }.count
        if queued > 0 { parts.append("\(queued) queued") }
        if retrying > 0 { parts.append("\(retrying) waiting to retry") }
        return parts.isEmpty ? "idle, watching \(configuration.layout.incoming.path)" : parts.joined(separator: "; ")
    }

    /// Reads each running worker's progress record; a new epoch gets a journal line.
    func refreshProgress() {
        for job in jobs where job.phase == .running {
            refreshHeartbeat(job)
            let record: ProgressRecord?
            do {
                record = try ProgressRecord.read(from: job.directory.progress)
            } catch {
                logger.warning("\(error)", job: job.identifier.rawValue)
                continue
            }
            guard let record else { continue }
            if record.epoch != job.progress?.epoch {
                logger.log(priority: .info,
                           message: StatusLine.describe(job: job.identifier.rawValue, epoch: record.epoch,
                                                        epochs: record.epochs, accuracy: record.accuracy,
                                                        etaSeconds: record.etaSeconds),
                           job: job.identifier.rawValue, epoch: record.epoch)
            }
            job.progress = record
        }
    }

    private func refreshHeartbeat(_ job: SupervisedJob) {
        if let status = try? FileStatus.of(job.directory.progress.path) {
            job.lastHeartbeat = max(job.startedAt, status.modificationUnixSeconds)
        }
    }

    /// WATCHDOG=1 only while the loop turns (we are here) and every worker has
    /// written progress recently, so a hung worker gets the service restarted.
    func pingWatchdogIfDue() {
        guard let interval = configuration.watchdogIntervalSeconds else { return }
        let now = clock.unixSeconds()
        guard now >= nextWatchdogPing else { return }
        nextWatchdogPing = now + interval
        for job in jobs where job.phase == .running {
            refreshHeartbeat(job)
            let silence = now - job.lastHeartbeat
            if silence > configuration.stallTimeoutSeconds {
                logger.warning("no progress for \(Int(silence)) s; withholding the watchdog ping",
                               job: job.identifier.rawValue)
                return
            }
        }
        send([.watchdog])
    }
}
