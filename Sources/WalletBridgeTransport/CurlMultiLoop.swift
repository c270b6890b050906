import CCurl
import Foundation
import WalletBridgeHTTP

/// One thread driving one curl multi handle: every transfer of a ``CurlTransport`` runs here,
/// so a thousand concurrent requests cost a thousand easy handles, not a thousand threads, and
/// they share the multi handle's connection cache.
///
/// Other threads only enqueue work (add, cancel, stop) under a lock and wake the loop with
/// `curl_multi_wakeup`; the multi and easy handles are used by the loop thread alone.
final class CurlMultiLoop: @unchecked Sendable {
    private enum Phase { case running, draining, stopped }

    private struct Inbox {
        var additions: [CurlTransfer] = []
        var cancellations: [UInt64] = []
        var phase: Phase = .running
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let multi: UnsafeMutableRawPointer
    /// Counters since start, for ``CurlTransport/statistics``.
    let statistics = Locked(CurlTransportStatistics())
    private let inbox = Locked(Inbox())
    private var active: [UInt64: CurlTransfer] = [:]
    private var byHandle: [UnsafeMutableRawPointer: UInt64] = [:]

    init(maxIdleConnections: Int) throws(TransportError) {
        CurlGlobal.initialise()
        guard let multi = curl_multi_init() else {
            throw TransportError(.other, "curl_multi_init failed", mayHaveReachedServer: false)
        }
        self.multi = multi
        _ = wb_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, maxIdleConnections))
        let thread = Thread { [self] in self.run() }
        thread.name = "walletbridge.curl"
        thread.start()
    }

    /// Hands `transfer` to the loop; false once the loop is shutting down.
    func submit(_ transfer: CurlTransfer) -> Bool {
        let accepted = inbox.withLock { inbox -> Bool in
            guard inbox.phase == .running else { return false }
            inbox.additions.append(transfer)
            return true
        }
        if accepted { curl_multi_wakeup(multi) }
        return accepted
    }

    /// Asks the loop to abandon transfer `id` (a no-op when it already finished).
    func cancel(_ id: UInt64) {
        inbox.withLock { $0.cancellations.append(id) }
        curl_multi_wakeup(multi)
    }

    /// Stops accepting transfers; the loop ends when those in flight have finished.
    func beginShutdown() {
        inbox.withLock { inbox in
            if inbox.phase == .running { inbox.phase = .draining }
        }
        curl_multi_wakeup(multi)
    }

    /// Returns once the loop thread has ended and the multi handle is freed.
    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = inbox.withLock { inbox -> Bool in
                if inbox.phase == .stopped { return true }
                inbox.stopWaiters.append(continuation)
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    var isAcceptingRequests: Bool { inbox.withLock { $0.phase == .running } }

    private func run() {
        var running: Int32 = 0
        while true {
            let (additions, cancellations, draining) = inbox.withLock { inbox in
                defer {
                    inbox.additions.removeAll()
                    inbox.cancellations.removeAll()
                }
                return (inbox.additions, inbox.cancellations, inbox.phase == .draining)
            }
            for transfer in additions {
                if transfer.cancellationRequested.withLock({ $0 }) {
                    complete(transfer, .failure(TransportError(.cancelled, "the request was cancelled", mayHaveReachedServer: false)))
                    continue
                }
                let code = curl_multi_add_handle(multi, transfer.easy)
                if code == CURLM_OK {
                    active[transfer.id] = transfer
                    byHandle[transfer.easy] = transfer.id
                } else {
                    let text = String(cString: curl_multi_strerror(code))
                    complete(transfer, .failure(TransportError(.other, "curl_multi_add_handle: \(text)", mayHaveReachedServer: false)))
                }
            }
            for id in cancellations {
                guard let transfer = active[id] else { continue }
                let sent = transfer.requestWasSent
                detach(transfer)
                complete(transfer, .failure(TransportError(.cancelled, "the request was cancelled", mayHaveReachedServer: sent)))
            }
            if draining && active.isEmpty && inbox.withLock({ $0.additions.isEmpty }) { break }

            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = wb_curl_msg_result(message)
                guard let id = byHandle[easy], let transfer = active[id] else { continue }
                let outcome = transfer.outcome(code: code)
                detach(transfer)
                complete(transfer, outcome)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        curl_multi_cleanup(multi)
        let waiters = inbox.withLock { inbox -> [CheckedContinuation<Void, Never>] in
            inbox.phase = .stopped
            defer { inbox.stopWaiters.removeAll() }
            return inbox.stopWaiters
        }
        waiters.forEach { $0.resume() }
    }

    private func detach(_ transfer: CurlTransfer) {
        let opened = transfer.connectionsOpened
        statistics.withLock {
            $0.transfers += 1
            $0.connectionsOpened += opened
        }
        curl_multi_remove_handle(multi, transfer.easy)
        active[transfer.id] = nil
        byHandle[transfer.easy] = nil
    }

    private func complete(_ transfer: CurlTransfer, _ result: Result<TransportResponse, TransportError>) {
        transfer.finish(result)
    }

    private func complete(_ transfer: CurlTransfer, _ completion: CurlCompletion) {
        transfer.finish(completion)
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
