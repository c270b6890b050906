import Foundation
import WalletBridgeTransport

/// An ``HTTPTransport`` that answers from a closure and records every request, for unit tests
/// of adapters and of code built on `WalletClient`, without a network or a sandbox.
///
/// ```swift
/// let transport = MockTransport { request in
///     HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"ok":true}"#.utf8))
/// }
/// ```
public final class MockTransport: HTTPTransport, @unchecked Sendable {
    /// Produces the response (or a transport error) for one request.
    public typealias Handler = @Sendable (HTTPRequest) async throws(TransportError) -> HTTPResponse

    private let lock = NSLock()
    private var recorded: [HTTPRequest] = []
    private let handler: Handler

    /// Creates a transport answering with `handler`.
    public init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// A transport that always returns `response`.
    public static func replying(_ response: HTTPResponse) -> MockTransport {
        MockTransport { _ in response }
    }

    /// A transport that always fails with `error` (a timeout, a refused connection...).
    public static func failing(_ error: TransportError) -> MockTransport {
        MockTransport { (_) throws(TransportError) -> HTTPResponse in throw error }
    }

    /// A transport that answers with each of `responses` in turn, then fails with `.other`.
    public static func sequence(_ responses: [Result<HTTPResponse, TransportError>]) -> MockTransport {
        let queue = Queue(responses)
        return MockTransport { (_) throws(TransportError) -> HTTPResponse in
            guard let next = queue.next() else {
                throw TransportError(.other, "MockTransport: no more scripted responses", mayHaveReachedServer: false)
            }
            return try next.get()
        }
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        lock.withLock { recorded.append(request) }
        return try await handler(request)
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    private final class Queue: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Result<HTTPResponse, TransportError>]
        init(_ items: [Result<HTTPResponse, TransportError>]) { self.items = items }
        func next() -> Result<HTTPResponse, TransportError>? {
            lock.lock()
            defer { lock.unlock() }
            return items.isEmpty ? nil : items.removeFirst()
        }
    }
}
