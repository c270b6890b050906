/// Sends one HTTP request and returns the response, knowing nothing of partners or signing.
///
/// ``CurlTransport`` is the production implementation; `WalletBridgeTesting.MockTransport`
/// answers from a closure for unit tests. Any non-2xx status is a response, not an error:
/// partners put results in error bodies, and only adapters know how to read them.
public protocol HTTPTransport: Sendable {
    /// Sends `request`.
    /// - Throws: ``TransportError`` when no complete response arrived; its
    ///   ``TransportError/mayHaveReachedServer`` says whether the request could have been processed.
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
