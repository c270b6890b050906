import Foundation
import WalletBridgeTransport

/// Sends the sandbox's notifications over the SDK's own transport and repeats each one until
/// the merchant answers with an acknowledgement whose signature checks out, as real wallets
/// do, up to a bounded number of attempts.
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

    /// Signs a notification body for a POST to `path`: returns the headers to send.
    typealias Signer = @Sendable (_ path: String, _ body: [UInt8]) -> HTTPHeaders?
    /// Whether `response` to a notification sent to `path` is a valid acknowledgement.
    typealias AcknowledgementCheck = @Sendable (_ path: String, _ response: HTTPResponse) -> Bool

    private let transport: any HTTPTransport
    private let retryInterval: Duration
    private let maxAttempts: Int
    private let lock = NSLock()
    private var records: [Delivery] = []
    private var tasks: [Int: Task<Void, Never>] = [:]

    init(transport: any HTTPTransport, retryInterval: Duration, maxAttempts: Int) {
        self.transport = transport
        self.retryInterval = retryInterval
        self.maxAttempts = maxAttempts
    }

    /// Starts delivering `body` to `url` in the background.
    func deliver(url: String, body: [UInt8], label: String, sign: @escaping Signer, isAcknowledged: @escaping AcknowledgementCheck) {
        guard let path = URLComponents(string: url)?.percentEncodedPath, !path.isEmpty else {
            lock.withLock { records.append(Delivery(id: records.count, url: url, label: label, attempts: 0, acknowledged: false, lastProblem: "not a URL")) }
            return
        }
        let id = lock.withLock { () -> Int in
            records.append(Delivery(id: records.count, url: url, label: label, attempts: 0, acknowledged: false, lastProblem: nil))
            return records.count - 1
        }
        let task = Task { [transport, retryInterval, maxAttempts] in
            for attempt in 1...maxAttempts {
                if Task.isCancelled { break }
                var problem: String?
                if let headers = sign(path, body) {
                    let request = HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: .seconds(5), connectTimeout: .seconds(2))
                    do {
                        let response = try await transport.send(request)
                        if isAcknowledged(path, response) {
                            self.update(id) { $0.attempts = attempt; $0.acknowledged = true; $0.lastProblem = nil }
                            break
                        }
                        problem = "HTTP \(response.status) without a valid signed acknowledgement"
                    } catch {
                        problem = "\(error)"
                    }
                } else {
                    problem = "could not sign the notification"
                }
                self.update(id) { $0.attempts = attempt; $0.lastProblem = problem }
                if attempt < maxAttempts { try? await Task.sleep(for: retryInterval * attempt) }
            }
            _ = self.lock.withLock { self.tasks.removeValue(forKey: id) }
        }
        lock.withLock { if !records[id].acknowledged { tasks[id] = task } }
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
