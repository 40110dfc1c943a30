import FileSystem
import Foundation
import Glibc

/// Job lifecycle: claim, start, reap, retry, publish, fail, cancel.
extension Supervisor {
    /// Jobs left in active/ by a previous run (stopped or crashed daemon) start
    /// again; the worker resumes from the job's last checkpoint.
    func resumeActiveJobs() {
        do {
            for identifier in try configuration.layout.activeJobIdentifiers() {
                jobs.append(SupervisedJob(identifier: identifier,
                                          directory: configuration.layout.activeJob(identifier)))
                logger.info("resuming job from its last checkpoint", job: identifier.rawValue)
            }
        } catch {
            logger.error("cannot list active jobs: \(error)")
        }
    }

    /// Applies the pick-up rules to incoming/; returns true if anything changed.
    func scanIncoming() -> Bool {
        let scanner = SpoolScanner(incoming: configuration.layout.incoming,
                                   maximumManifestBytes: configuration.maximumManifestBytes)
        let entries: [IncomingEntry]
        do {
            entries = try scanner.scan()
        } catch {
            logger.error("cannot scan incoming manifests: \(error)")
            return false
        }
        var changed = false
        for entry in entries {
            do {
                switch try claimer.process(entry) {
                case .claimed(let identifier):
                    jobs.append(SupervisedJob(identifier: identifier,
                                              directory: configuration.layout.activeJob(identifier)))
                    logger.info("claimed \(entry.url.lastPathComponent)", job: identifier.rawValue)
                    changed = true
                case .rejected(let name, let reason):
                    logger.warning("rejected \(entry.url.lastPathComponent): \(reason)", job: name)
                    changed = true
                case .skipped:
                    break
                }
            } catch {
                logger.error("cannot process \(entry.url.path): \(error)")
            }
        }
        return changed
    }

    func startRunnableJobs() -> Bool {
        let now = clock.unixSeconds()
        var runningCount = jobs.filter { $0.phase == .running }.count
        var waiting = jobs.filter { $0.phase != .running && !$0.cancelling && $0.notBefore <= now }
        var changed = false
        while runningCount < configuration.maximumJobs, !waiting.isEmpty {
            let job = waiting.removeFirst()
            let threads = threadBudget.threadsPerJob(concurrentJobs: runningCount + 1 + waiting.count)
            do {
                job.worker = try runner.start(job: job.identifier, directory: job.directory, threads: threads)
                job.phase = .running
                job.startedAt = now
                job.lastHeartbeat = now
                job.progress = nil
                runningCount += 1
                logger.info("started worker \(job.worker?.processIdentifier ?? 0) with \(threads) thread(s), "
                            + "attempt \(job.crashes + 1)", job: job.identifier.rawValue)
            } catch {
                recordCrash(job, description: "could not be started: \(error)")
            }
            changed = true
        }
        return changed
    }

    func reapWorkers(shuttingDown: Bool) -> Bool {
        var changed = false
        for job in jobs where job.phase == .running {
            changed = reap(job, shuttingDown: shuttingDown) || changed
        }
        return changed
    }

    /// Returns true if the job's worker had ended and was handled.
    func reap(_ job: SupervisedJob, shuttingDown: Bool) -> Bool {
        let termination: WorkerTermination
        do {
            guard let ended = try job.worker?.pollTermination() else { return false }
            termination = ended
        } catch {
            logger.error("lost track of the worker: \(error)", job: job.identifier.rawValue)
            termination = .exited(code: -1)
        }
        job.worker = nil
        job.phase = .queued
        handle(termination, of: job, shuttingDown: shuttingDown)
        return true
    }

    private func handle(_ termination: WorkerTermination, of job: SupervisedJob, shuttingDown: Bool) {
        if job.cancelling {
            fail(job, reason: "cancelled")
            return
        }
        switch termination {
        case .exited(code: WorkerExit.success.rawValue):
            publish(job)
        case .exited(code: WorkerExit.permanentFailure.rawValue):
            fail(job, reason: workerMessage(of: job)
                 ?? "worker exited with status \(WorkerExit.permanentFailure.rawValue) (permanent failure) without writing error.txt")
        default:
            if shuttingDown {
                logger.info("worker \(termination); the job resumes at the next start", job: job.identifier.rawValue)
            } else {
                recordCrash(job, description: "\(termination)")
            }
        }
    }

    private func publish(_ job: SupervisedJob) {
        do {
            let destination = try transitions.finish(job.identifier)
            completedTotal += 1
            remove(job)
            log(.notice, "finished; results in \(destination.path)", job)
        } catch {
            fail(job, reason: "the worker finished but its output could not be published: \(error)")
        }
    }

    /// A crash (signal, unexpected exit code, failed start) is retried from the last
    /// checkpoint after a growing delay, until the retry budget is spent.
    func recordCrash(_ job: SupervisedJob, description: String) {
        job.crashes += 1
        job.phase = .retrying
        if let delay = configuration.retryPolicy.delayAfter(crashes: job.crashes) {
            job.notBefore = clock.unixSeconds() + delay
            logger.warning("worker \(description); retry \(job.crashes) of \(configuration.retryPolicy.maximumRetries) "
                           + "in \(delay) s from the last checkpoint", job: job.identifier.rawValue)
            return
        }
        var reason = "worker \(description); gave up after \(job.crashes) crash(es)"
        if let message = workerMessage(of: job) { reason += "\nlast message from the worker: \(message)" }
        fail(job, reason: reason)
    }

    func fail(_ job: SupervisedJob, reason: String) {
        do {
            let destination = try transitions.fail(job.identifier, reason: reason)
            log(.error, "failed (\(reason.split(separator: "\n").first ?? "")); see \(destination.path)", job)
        } catch {
            logger.error("failed (\(reason)) but could not be moved to failed/: \(error)", job: job.identifier.rawValue)
        }
        failedTotal += 1
        remove(job)
    }

    /// `nayerd cancel` leaves a marker in the job directory; a running worker is
    /// asked to stop and the job fails with reason "cancelled" once it has exited.
    func handleCancelRequests() -> Bool {
        var changed = false
        for job in jobs where !job.cancelling {
            guard (try? FileStatus.exists(job.directory.cancelRequest.path)) == true else { continue }
            job.cancelling = true
            changed = true
            logger.notice("cancel requested", job: job.identifier.rawValue)
            if job.phase == .running {
                signal(job, SIGTERM)
            } else {
                fail(job, reason: "cancelled")
            }
        }
        return changed
    }

    private func workerMessage(of job: SupervisedJob) -> String? {
        guard let data = try? DurableFile.read(job.directory.error.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    private func remove(_ job: SupervisedJob) {
        jobs.removeAll { $0 === job }
    }

    private func log(_ priority: LogPriority, _ message: String, _ job: SupervisedJob) {
        logger.log(priority: priority, message: message, job: job.identifier.rawValue, epoch: job.progress?.epoch)
    }
}
