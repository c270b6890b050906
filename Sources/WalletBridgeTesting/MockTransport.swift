import Foundation
import WalletBridgeHTTP

/// An `HTTPTransport` that answers from a closure and records every request, for unit tests
/// of adapters and of code built on `WalletClient`, without a network or a sandbox.
///
/// ```swift
/// let transport = MockTransport { request in
///     TransportResponse(status: 200, headerFields: [.contentType: "application/json"], body: Array(#"{"ok":true}"#.utf8))
/// }
/// ```
public final class MockTransport: HTTPTransport, @unchecked Sendable {
    /// Produces the response (or a transport error) for one request.
    public typealias Handler = @Sendable (TransportRequest) async throws(TransportError) -> TransportResponse

    private let lock = NSLock()
    private var recorded: [TransportRequest] = []
    private let handler: Handler

    /// Creates a transport answering with `handler`.
    public init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// A transport that always returns `response`.
    public static func replying(_ response: TransportResponse) -> MockTransport {
        MockTransport { _ in response }
    }

    /// A transport that always fails with `error` (a timeout, a refused connection...).
    public static func failing(_ error: TransportError) -> MockTransport {
        MockTransport { (_) throws(TransportError) -> TransportResponse in throw error }
    }

    /// A transport that answers with each of `responses` in turn, then fails with `.other`.
    public static func sequence(_ responses: [Result<TransportResponse, TransportError>]) -> MockTransport {
        let queue = Queue(responses)
        return MockTransport { (_) throws(TransportError) -> TransportResponse in
            guard let next = queue.next() else {
                throw TransportError(.other, "MockTransport: no more scripted responses", mayHaveReachedServer: false)
            }
            return try next.get()
        }
    }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        lock.withLock { recorded.append(request) }
        return try await handler(request)
    }

    /// Every request sent so far, in order.
    public var requests: [TransportRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    private final class Queue: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Result<TransportResponse, TransportError>]
        init(_ items: [Result<TransportResponse, TransportError>]) { self.items = items }
        func next() -> Result<TransportResponse, TransportError>? {
            lock.lock()
            defer { lock.unlock() }
            return items.isEmpty ? nil : items.removeFirst()
        }
    }
}
