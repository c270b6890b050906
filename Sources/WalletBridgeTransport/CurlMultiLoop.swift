import CCurl
import Foundation
import WalletBridgeHTTP

/// One thread driving one curl multi handle: every transfer of a ``CurlTransport`` runs here,
/// so a thousand concurrent requests cost a thousand easy handles, not a thousand threads, and
/// they share the multi handle's connection pool.
///
/// Other threads only enqueue work (add, cancel, stop) under a lock, and wake the loop with
/// `curl_multi_wakeup` only when it is asleep in `curl_multi_poll` and nobody woke it yet: a
/// request submitted while the loop is busy costs no system call. The multi and easy handles
/// are used by the loop thread alone; a transfer in the multi handle is found again through
/// `CURLINFO_PRIVATE` (no table).
///
/// The loop is also a `TaskExecutor` (``CurlTransport/taskExecutor``): the jobs of tasks that
/// prefer it run on the loop thread, between two turns of curl, so that a request's completion
/// resumes its task without waking another thread. Once the loop has stopped, jobs go to the
/// global concurrent executor.
final class CurlMultiLoop: @unchecked Sendable {
    private enum Phase { case running, draining, stopped }

    /// What ``submit(_:)`` did with a transfer.
    enum Submission { case accepted, shutDown, cancelled }

    private struct Inbox {
        var additions: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        /// Jobs of tasks that prefer this loop as their executor.
        var jobs: [UnownedJob] = []
        var phase: Phase = .running
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        /// The multi handle has been freed (after `phase` became `.stopped`).
        var freed = false
        /// The loop is in (or about to enter) `curl_multi_poll` with nothing left to do.
        var sleeping = false
        /// A wakeup was sent since it went to sleep.
        var wakeupSent = false

        /// Whether the caller must wake the loop: it sleeps and nobody woke it yet.
        mutating func needsWakeup() -> Bool {
            guard sleeping, !wakeupSent else { return false }
            wakeupSent = true
            return true
        }
    }

    private let multi: UnsafeMutableRawPointer
    /// Counters since start, for ``CurlTransport/statistics``.
    let statistics = Locked(CurlTransportStatistics())
    private let inbox = Locked(Inbox())
    /// The loop thread's id, once it runs.
    private let loopThread = Locked<pthread_t?>(nil)
    /// Transfers in the multi handle (each retained once while there); loop thread only.
    private var activeCount = 0

    init(configuration: CurlTransportConfiguration) throws(TransportError) {
        CurlGlobal.initialise()
        guard let multi = curl_multi_init() else {
            throw TransportError(.other, "curl_multi_init failed", mayHaveReachedServer: false)
        }
        self.multi = multi
        let limits = configuration.poolLimits
        _ = wb_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, limits.perHost)
        _ = wb_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, limits.total)
        // The connection cache holds every connection the caps allow, so none is closed just
        // because more were open at once than the cache could keep.
        _ = wb_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, limits.total)
        let thread = Thread { [self] in self.run() }
        thread.start()
    }

    /// Hands `transfer` to the loop, unless the loop is shutting down or the transfer's task
    /// was cancelled already.
    func submit(_ transfer: CurlTransfer) -> Submission {
        inbox.withLock { inbox -> Submission in
            guard inbox.phase == .running else { return .shutDown }
            guard !transfer.cancellationRequested else { return .cancelled }
            inbox.additions.append(transfer)
            wakeIfAsleep(&inbox)
            return .accepted
        }
    }

    /// Wakes the loop when it sleeps and nobody woke it yet. Called under the inbox lock, which
    /// the loop holds when it marks itself stopped: the multi handle is never woken once freed.
    private func wakeIfAsleep(_ inbox: inout Inbox) {
        if inbox.phase != .stopped, inbox.needsWakeup() { curl_multi_wakeup(multi) }
    }

    /// Asks the loop to abandon `transfer` (a no-op when it already finished; refused by
    /// ``submit(_:)`` when not submitted yet).
    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { inbox in
            transfer.cancellationRequested = true
            guard inbox.phase != .stopped else { return }
            inbox.cancellations.append(transfer)
            wakeIfAsleep(&inbox)
        }
    }

    /// Stops accepting transfers; the loop ends when those in flight have finished.
    func beginShutdown() {
        inbox.withLock { inbox in
            if inbox.phase == .running { inbox.phase = .draining }
            if inbox.phase != .stopped { curl_multi_wakeup(multi) }
        }
    }

    /// Returns once the loop thread has ended and the multi handle is freed.
    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = inbox.withLock { inbox -> Bool in
                if inbox.freed { return true }
                inbox.stopWaiters.append(continuation)
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    var isAcceptingRequests: Bool { inbox.withLock { $0.phase == .running } }

    /// Whether the caller runs on the loop thread.
    var isLoopThread: Bool {
        guard let thread = loopThread.withLock({ $0 }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// Runs `job` on the loop thread, or on the global concurrent executor once the loop has
    /// stopped.
    func schedule(_ job: UnownedJob) {
        let queued = inbox.withLock { inbox -> Bool in
            guard inbox.phase != .stopped else { return false }
            inbox.jobs.append(job)
            wakeIfAsleep(&inbox)
            return true
        }
        if !queued { Self.runElsewhere(job) }
    }

    private static func runElsewhere(_ job: UnownedJob) {
        if #available(macOS 15.0, *) {
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    private func run() {
        // Named from the thread itself, which is when Foundation passes the name to the system
        // (`top -H`, gdb and profilers show it; Linux keeps 15 characters).
        Thread.current.name = "wb.curl"
        loopThread.withLock { $0 = pthread_self() }
        var running: Int32 = 0
        // Swapped with the inbox's, so that neither side allocates once warm.
        var additions: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        var jobs: [UnownedJob] = []
        while true {
            // Tasks that prefer this executor first: what they submit joins this turn. The loop
            // is awake from here on: their submissions need no wakeup.
            inbox.withLock { inbox in
                swap(&jobs, &inbox.jobs)
                inbox.sleeping = false
                inbox.wakeupSent = false
            }
            if !jobs.isEmpty {
                runJobs(jobs)
                jobs.removeAll(keepingCapacity: true)
            }
            let draining = inbox.withLock { inbox -> Bool in
                swap(&additions, &inbox.additions)
                swap(&cancellations, &inbox.cancellations)
                inbox.sleeping = false
                inbox.wakeupSent = false
                return inbox.phase == .draining
            }
            for transfer in additions { add(transfer) }
            additions.removeAll(keepingCapacity: true)
            for transfer in cancellations where transfer.inMulti {
                let sent = transfer.requestWasSent
                detach(transfer, code: nil)
                transfer.finish(.failure(TransportError(.cancelled, "the request was cancelled", mayHaveReachedServer: sent)))
            }
            cancellations.removeAll(keepingCapacity: true)
            // Jobs that arrive from here on run elsewhere (see below): they never hold the loop.
            if draining && activeCount == 0 && inbox.withLock({ $0.additions.isEmpty }) { break }

            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                var pointer: UnsafeMutableRawPointer?
                guard wb_curl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { continue }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue()
                guard transfer.inMulti else { continue }
                let code = wb_curl_msg_result(message)
                let outcome = transfer.outcome(code: code)
                detach(transfer, code: code)
                transfer.finish(outcome)
            }
            // Sleep only when nothing came in meanwhile; from here on, submitters wake us.
            let idle = inbox.withLock { inbox -> Bool in
                guard inbox.additions.isEmpty, inbox.cancellations.isEmpty, inbox.jobs.isEmpty else { return false }
                inbox.sleeping = true
                return true
            }
            if idle { curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        // Stopped under the lock first: from then on nobody wakes the multi handle, and jobs go
        // elsewhere.
        let leftJobs = inbox.withLock { inbox -> [UnownedJob] in
            inbox.phase = .stopped
            defer { inbox.jobs.removeAll() }
            return inbox.jobs
        }
        curl_multi_cleanup(multi)
        loopThread.withLock { $0 = nil }
        let waiters = inbox.withLock { inbox -> [CheckedContinuation<Void, Never>] in
            inbox.freed = true
            defer { inbox.stopWaiters.removeAll() }
            return inbox.stopWaiters
        }
        // Jobs that arrived after the last turn run elsewhere; nothing is lost.
        leftJobs.forEach(Self.runElsewhere)
        waiters.forEach { $0.resume() }
    }

    /// Runs the jobs of tasks that prefer this loop as their executor, on this thread.
    private func runJobs(_ jobs: [UnownedJob]) {
        if #available(macOS 15.0, *) {
            let executor = asUnownedTaskExecutor()
            for job in jobs { job.runSynchronously(on: executor) }
        }
    }

    private func add(_ transfer: CurlTransfer) {
        let code = curl_multi_add_handle(multi, transfer.easy.handle)
        guard code == CURLM_OK else {
            let text = String(cString: curl_multi_strerror(code))
            transfer.finish(.failure(TransportError(.other, "curl_multi_add_handle: \(text)", mayHaveReachedServer: false)))
            return
        }
        _ = Unmanaged.passRetained(transfer)
        transfer.inMulti = true
        activeCount += 1
    }

    /// Takes `transfer` out of the multi handle and counts it; `code` is curl's result when it
    /// ended on its own, nil when it was cancelled.
    private func detach(_ transfer: CurlTransfer, code: CURLcode?) {
        let opened = transfer.connectionsOpened
        let reused = opened == 0 && (code == CURLE_OK || transfer.requestWasSent)
        statistics.withLock {
            $0.transfers += 1
            $0.connectionsOpened += opened
            if reused { $0.connectionsReused += 1 }
        }
        curl_multi_remove_handle(multi, transfer.easy.handle)
        transfer.inMulti = false
        activeCount -= 1
        Unmanaged.passUnretained(transfer).release()
    }
}

/// `curl_global_init` exactly once per process, before the first handle.
enum CurlGlobal {
    private static let done: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static func initialise() { _ = done }

    /// The linked libcurl's version text, e.g. `libcurl/7.88.1 OpenSSL/3.0.19`.
    static var versionText: String {
        initialise()
        return String(cString: curl_version())
    }
}

@available(macOS 15.0, *)
extension CurlMultiLoop: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        schedule(UnownedJob(job))
    }
}
