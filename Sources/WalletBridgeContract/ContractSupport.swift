import Foundation
import Logging
import WalletBridgeHTTP
import WalletBridgeTesting

/// A thread-safe list that a webhook or a log handler appends to.
final class Captured<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Item] = []

    func append(_ item: Item) { lock.withLock { stored.append(item) } }
    var items: [Item] { lock.withLock { stored } }
}

/// Keeps every log line (message and metadata, rendered) so the run can be scanned for secrets.
struct CapturingLogHandler: LogHandler {
    let label: String
    let lines: Captured<String>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let error = event.error.map { " error=\($0)" } ?? ""
        lines.append(
            "\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))\(error)")
    }
}

/// The exchanges of a run, redacted: method, path, status and the signature header's first
/// characters (never bodies, which carry customer credentials).
final class Transcript: @unchecked Sendable {
    private let captured = Captured<String>()
    func add(_ line: String) { captured.append(line) }
    var lines: [String] { captured.items }
}

/// Records each exchange in a ``Transcript`` (and, for a recording run, the wallet's replies
/// in an ``ExchangeRecorder``).
struct RecordingTransport: HTTPTransport {
    let base: any HTTPTransport
    let transcript: Transcript
    var recorder: ExchangeRecorder?

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let path = FaultInjectingTransport.path(of: request.url)
        let operation = RequestContext.current.map { " (\($0.operation))" } ?? ""
        do {
            let response = try await base.send(request)
            recorder?.record(request, .success(response))
            transcript.add("\(request.method) \(path)\(operation) -> HTTP \(response.status), \(response.body.count) bytes")
            return response
        } catch {
            recorder?.record(request, .failure(error))
            transcript.add("\(request.method) \(path)\(operation) -> \(error.kind.rawValue)")
            throw error
        }
    }
}

/// Applies one client-side fault to the first request of one operation, then gets out of
/// the way (a focused, one-shot version of `FaultInjectingTransport`).
final class OnceFaultTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let faulty: FaultInjectingTransport
    private let operation: String
    private let lock = NSLock()
    private var used = false

    init(base: any HTTPTransport, fault: FaultInjectingTransport.Fault, operation: String) throws {
        self.base = base
        self.operation = operation
        // A rate of 1 for this fault only: every request it sees is faulted, and it sees one.
        faulty = FaultInjectingTransport(
            wrapping: base, configuration: try FaultInjectingTransport.Configuration(seed: 1, rates: [fault: 1], delay: .milliseconds(50)))
    }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let first = lock.withLock { () -> Bool in
            guard !used, RequestContext.current?.operation == operation else { return false }
            used = true
            return true
        }
        return first ? try await faulty.send(request) : try await base.send(request)
    }
}
