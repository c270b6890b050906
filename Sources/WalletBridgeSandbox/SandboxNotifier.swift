import Foundation
import HTTPTypes
import WalletBridgeHTTP

/// Sends the sandbox's notifications over the SDK's own transport and repeats each one until
/// the merchant answers with an acknowledgement whose signature checks out, as real wallets
/// do, up to a bounded number of attempts. With ``WebhookTargets``, each attempt goes to a
/// target drawn from the pool, and some notifications are delivered twice at once.
final class SandboxNotifier: @unchecked Sendable {
    /// One notification and how its delivery went.
    struct Delivery: Sendable, Equatable {
        var id: Int
        var url: String
        var label: String
        var attempts: Int
        var acknowledged: Bool
        var lastProblem: String?
    }

    /// Signs a notification body for a POST to `path`: returns the header fields to send.
    typealias Signer = @Sendable (_ path: String, _ body: [UInt8]) -> HTTPFields?
    /// Whether `response` to a notification sent to `path` is a valid acknowledgement.
    typealias AcknowledgementCheck = @Sendable (_ path: String, _ response: TransportResponse) -> Bool

    private let transport: any HTTPTransport
    private let retryInterval: Duration
    private let maxAttempts: Int
    private let plan: FaultPlanState?
    private let timeScale: Double
    private let targets: WebhookTargets
    private let lock = NSLock()
    private var records: [Delivery] = []
    private var tasks: [Int: Task<Void, Never>] = [:]

    /// - Parameters:
    ///   - plan: Draws notification faults (duplicated, delayed, out of order, never sent).
    ///   - timeScale: Divides the plan's delays (``WalletSandbox/Configuration/timeScale``).
    ///   - targets: Where notifications go instead of the payment's notify URL (drawn from the
    ///     plan's seed), and how many are delivered twice.
    init(
        transport: any HTTPTransport, retryInterval: Duration, maxAttempts: Int, plan: FaultPlanState? = nil, timeScale: Double = 1,
        targets: WebhookTargets = WebhookTargets()
    ) {
        self.targets = targets
        self.transport = transport
        self.retryInterval = retryInterval
        self.maxAttempts = maxAttempts
        self.plan = plan
        self.timeScale = timeScale
    }

    /// Starts delivering `body` to `url` in the background, unless the fault plan drops it.
    func deliver(wallet: String, url: String, body: [UInt8], label: String, sign: @escaping Signer, isAcknowledged: @escaping AcknowledgementCheck) {
        guard Self.path(of: url) != nil else {
            lock.withLock {
                records.append(Delivery(id: records.count, url: url, label: label, attempts: 0, acknowledged: false, lastProblem: "not a URL"))
            }
            return
        }
        let fault = plan?.plan.notificationFault(wallet: wallet, label: label)
        if let fault { plan?.countNotification(fault) }
        let id = lock.withLock { () -> Int in
            let problem = fault == .notificationNeverSent ? "never sent (fault plan)" : nil
            records.append(Delivery(id: records.count, url: url, label: label, attempts: 0, acknowledged: false, lastProblem: problem))
            return records.count - 1
        }
        guard fault != .notificationNeverSent else { return }
        let seed = plan?.plan.seed ?? 0
        // A second copy, at once, to another target (WebhookTargets.duplicateRate).
        let copyID: Int? =
            targets.isDuplicated(seed: seed, wallet: wallet, label: label)
            ? lock.withLock {
                records.append(Delivery(id: records.count, url: url, label: label + " (duplicate)", attempts: 0, acknowledged: false))
                return records.count - 1
            } : nil
        let route = Route(notifyURL: url, seed: seed, wallet: wallet, label: label, targets: targets)
        let delay = (plan?.plan.notificationDelay ?? .zero) / timeScale
        let task = Task { [transport, retryInterval, maxAttempts] in
            switch fault {
            case .notificationDelayed?:
                try? await Task.sleep(for: delay)
            case .notificationOutOfOrder?:
                // Held back until a later notification has started (or twice the delay).
                let deadline = ContinuousClock.now + delay * 2
                let last = copyID ?? id
                while ContinuousClock.now < deadline, !Task.isCancelled, self.lock.withLock({ self.records.count <= last + 1 }) {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                try? await Task.sleep(for: .milliseconds(20))
            default:
                break
            }
            let sends = fault == .notificationDuplicated ? 2 : 1
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for _ in 0..<sends {
                        await self.attempts(
                            id: id, route: route, copy: 1, body: body, sign: sign, isAcknowledged: isAcknowledged,
                            transport: transport, retryInterval: retryInterval, maxAttempts: maxAttempts)
                    }
                }
                if let copyID {
                    group.addTask {
                        await self.attempts(
                            id: copyID, route: route, copy: 2, body: body, sign: sign, isAcknowledged: isAcknowledged,
                            transport: transport, retryInterval: retryInterval, maxAttempts: maxAttempts)
                    }
                }
            }
            _ = self.lock.withLock { self.tasks.removeValue(forKey: id) }
        }
        lock.withLock { if !records[id].acknowledged { tasks[id] = task } }
    }

    /// Where one notification goes: the payment's notify URL, or a target drawn per attempt.
    struct Route: Sendable {
        var notifyURL: String
        var seed: UInt64
        var wallet: String
        var label: String
        var targets: WebhookTargets

        func url(copy: Int, attempt: Int) -> String {
            targets.url(for: notifyURL, seed: seed, wallet: wallet, label: label, copy: copy, attempt: attempt)
        }
    }

    /// The path a notification to `url` is signed for.
    static func path(of url: String) -> String? {
        guard let path = URLComponents(string: url)?.percentEncodedPath, !path.isEmpty else { return nil }
        return path
    }

    /// Sends one notification until it is acknowledged or the attempts run out.
    private func attempts(
        id: Int, route: Route, copy: Int, body: [UInt8], sign: @escaping Signer, isAcknowledged: @escaping AcknowledgementCheck,
        transport: any HTTPTransport, retryInterval: Duration, maxAttempts: Int
    ) async {
        let already = lock.withLock { records[id].attempts }
        for attempt in (already + 1)...(already + maxAttempts) {
            if Task.isCancelled { break }
            var problem: String?
            let url = route.url(copy: copy, attempt: attempt)
            self.update(id) { $0.url = url }
            if let path = Self.path(of: url), let headerFields = sign(path, body) {
                let request = TransportRequest(
                    method: .post, url: url, headerFields: headerFields, body: body, timeout: .seconds(5), connectTimeout: .seconds(2))
                do {
                    let response = try await transport.send(request)
                    if isAcknowledged(path, response) {
                        self.update(id) {
                            $0.attempts = attempt; $0.acknowledged = true; $0.lastProblem = nil
                        }
                        break
                    }
                    problem = "HTTP \(response.status) without a valid signed acknowledgement"
                } catch {
                    problem = "\(error)"
                }
            } else {
                problem = "could not sign the notification"
            }
            self.update(id) {
                $0.attempts = attempt; $0.lastProblem = problem
            }
            if attempt < already + maxAttempts { try? await Task.sleep(for: retryInterval * (attempt - already)) }
        }
    }

    private func update(_ id: Int, _ body: (inout Delivery) -> Void) {
        lock.withLock { body(&records[id]) }
    }

    /// Every delivery so far.
    var deliveries: [Delivery] { lock.withLock { records } }

    /// Stops retrying.
    func cancelAll() {
        let running = lock.withLock { () -> [Task<Void, Never>] in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        running.forEach { $0.cancel() }
    }
}
