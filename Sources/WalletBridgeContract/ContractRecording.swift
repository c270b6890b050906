import Foundation
import WalletBridgeCore
import WalletBridgeSandbox
import WalletBridgeTesting
import HTTPTypes
import WalletBridgeHTTP

/// One scenario's run as the wallet answered it, for replay without a network
/// (``ContractTarget/scripted(recordings:)``): the wallet's replies in the order they came, the
/// notifications it sent, and what the run used (reference, amount, the wallet's clock).
///
/// Our requests are kept as method, path and operation only (their bodies and headers carry
/// credentials and signatures); the wallet's replies are kept byte for byte, so their
/// signatures verify on replay. Written to `DIRECTORY/WALLET/ID.json`.
public struct ContractRecording: Codable, Sendable, Equatable {
    /// One reply (or transport failure) of the wallet.
    public struct Exchange: Codable, Sendable, Equatable {
        /// Our request's method.
        public var method: String
        /// Our request's path (no query).
        public var path: String
        /// The operation the client was doing (`pay`, `inquire`, `token`...).
        public var operation: String?
        /// The reply's status; nil when no reply came.
        public var status: Int?
        /// The reply's headers, as `[name, value]` pairs in order.
        public var headers: [[String]]?
        /// The reply's body, base64.
        public var body: String?
        /// The transport failure's kind (`timeout`...), when no reply came.
        public var error: String?
        /// Whether that failed request may have reached the wallet.
        public var mayHaveReachedServer: Bool?
    }

    /// One notification the wallet sent to the harness, as received.
    public struct Notification: Codable, Sendable, Equatable {
        /// The method.
        public var method: String
        /// The path our webhook received.
        public var path: String
        /// The headers, as `[name, value]` pairs.
        public var headers: [[String]]
        /// The body, base64.
        public var body: String
    }

    /// The scenario id.
    public var scenario: String
    /// The wallet.
    public var wallet: String
    /// The merchant reference the run used.
    public var reference: String
    /// The wallet's clock when the scenario began, in milliseconds since 1970.
    public var startedAtMillis: Int64
    /// Wallet seconds per second during the run.
    public var timeScale: Double
    /// The wallet's replies, in order.
    public var exchanges: [Exchange]
    /// The notifications the wallet sent.
    public var notifications: [Notification]

    /// Where the recording of scenario `id` for `wallet` lives under `directory`.
    public static func path(directory: String, wallet: String, scenario id: String) -> String {
        "\(directory)/\(wallet)/\(id).json"
    }

    /// Reads a recording.
    /// - Throws: ``ContractError`` naming the file.
    public static func load(_ path: String) throws -> ContractRecording {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ContractError("no recording at \(path) (write one with a recording run: --record DIRECTORY)")
        }
        do {
            return try JSONDecoder().decode(ContractRecording.self, from: data)
        } catch {
            throw ContractError("\(path) is not a contract recording: \(error)")
        }
    }

    /// Writes the recording, creating its folder.
    public func write(to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func pairs(_ fields: HTTPFields) -> [[String]] { fields.map { [$0.name.rawName, $0.value] } }

    /// The fields of `pairs`; a pair whose name is not a valid field name is left out.
    static func headerFields(_ pairs: [[String]]) -> HTTPFields {
        var fields = HTTPFields()
        for pair in pairs where pair.count == 2 {
            if let name = HTTPField.Name(pair[0]) { fields.append(HTTPField(name: name, value: pair[1])) }
        }
        return fields
    }

    var inboundNotifications: [InboundNotification] {
        notifications.map {
            InboundNotification(
                method: $0.method, path: $0.path, headerFields: Self.headerFields($0.headers), body: Array(Data(base64Encoded: $0.body) ?? Data()))
        }
    }

    static func notification(_ inbound: InboundNotification) -> Notification {
        Notification(method: inbound.method, path: inbound.path, headers: pairs(inbound.headerFields), body: Data(inbound.body).base64EncodedString())
    }
}

/// Collects the wallet's replies while a scenario runs, for a ``ContractRecording``.
final class ExchangeRecorder: @unchecked Sendable {
    private let captured = Captured<ContractRecording.Exchange>()
    var exchanges: [ContractRecording.Exchange] { captured.items }

    func record(_ request: TransportRequest, _ outcome: Result<TransportResponse, TransportError>) {
        var exchange = ContractRecording.Exchange(
            method: request.method.rawValue, path: FaultInjectingTransport.path(of: request.url),
            operation: RequestContext.current?.operation)
        switch outcome {
        case .success(let response):
            exchange.status = response.status
            exchange.headers = ContractRecording.pairs(response.head.headerFields)
            exchange.body = Data(response.body).base64EncodedString()
        case .failure(let error):
            exchange.error = error.kind.rawValue
            exchange.mayHaveReachedServer = error.mayHaveReachedServer
        }
        captured.append(exchange)
    }
}

/// Answers from a recording: each request gets the next recorded reply for its method and
/// path. Once a path's replies are used up, its last reply is given again (a client may poll
/// a little more or less than when recorded), and the repeat is noted; a path never recorded
/// is a transport failure that did not reach the wallet, and is noted as unscripted.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var queues: [String: [ContractRecording.Exchange]] = [:]
    private var last: [String: ContractRecording.Exchange] = [:]
    private var repeatedKeys: [String] = []
    private var repeatedMutations: [String] = []
    private var unscriptedKeys: [String] = []
    /// Operations that change the wallet: a repeat or a skip of one is never a matter of timing.
    static let mutating: Set<String> = ["pay", "cancel", "refund"]

    init(_ recording: ContractRecording) {
        for exchange in recording.exchanges { queues["\(exchange.method) \(exchange.path)", default: []].append(exchange) }
    }

    /// Requests answered again with a path's last reply.
    var repeated: [String] { lock.withLock { repeatedKeys } }
    /// Requests the recording has no reply for.
    var unscripted: [String] { lock.withLock { unscriptedKeys } }
    /// Pay, cancel or refund requests sent more often than recorded (a second charge the
    /// recording never saw, or a resend the recorded run did not make).
    var extraMutations: [String] { lock.withLock { repeatedMutations } }
    /// Recorded pay, cancel or refund replies no request asked for (a call the adapter skipped).
    var unusedMutations: [String] {
        lock.withLock {
            queues.flatMap { key, queue in queue.filter { Self.mutating.contains($0.operation ?? "") }.map { _ in key } }.sorted()
        }
    }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let key = "\(request.method.rawValue) \(FaultInjectingTransport.path(of: request.url))"
        let exchange = lock.withLock { () -> ContractRecording.Exchange? in
            if var queue = queues[key], !queue.isEmpty {
                let next = queue.removeFirst()
                queues[key] = queue
                last[key] = next
                return next
            }
            if let again = last[key] {
                if Self.mutating.contains(again.operation ?? "") {
                    repeatedMutations.append(key)
                } else {
                    repeatedKeys.append(key)
                }
                return again
            }
            unscriptedKeys.append(key)
            return nil
        }
        guard let exchange else {
            throw TransportError(.couldNotConnect, "scripted: the recording has no reply for \(key)", mayHaveReachedServer: false)
        }
        if let error = exchange.error {
            throw TransportError(
                TransportError.Kind(rawValue: error) ?? .other, "scripted: recorded \(error)",
                mayHaveReachedServer: exchange.mayHaveReachedServer ?? true)
        }
        return TransportResponse(
            status: exchange.status ?? 599, headerFields: ContractRecording.headerFields(exchange.headers ?? []),
            body: Array(Data(base64Encoded: exchange.body ?? "") ?? Data()))
    }
}

/// The wallet as a recording remembers it.
struct ScriptedWalletSide: ContractWalletSide {
    let recording: ContractRecording
    let profile: PartnerProfile
    let clock: @Sendable () -> Date

    init(recording: ContractRecording, profile: PartnerProfile) {
        self.recording = recording
        self.profile = profile
        let origin = Date(timeIntervalSince1970: Double(recording.startedAtMillis) / 1000), started = Date(), scale = recording.timeScale
        clock = { origin.addingTimeInterval(Date().timeIntervalSince(started) * scale) }
    }

    var timeScale: Double { recording.timeScale }
    var noFaults: String? { nil }
    var noLedger: String? { "scripted: the ledger is the recording's, not this run's" }
    var noNotifications: String? { nil }

    /// Faults are in the recorded replies already.
    func injectFault(_ name: String, operation: String, count: Int) async throws {}

    func ledger() async throws -> [SandboxLedgerEntry] { throw ContractError(noLedger ?? "") }

    func stop() async {}
}
