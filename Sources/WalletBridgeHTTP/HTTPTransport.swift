/// Sends one HTTP request and returns the response, knowing nothing of partners or signing.
///
/// `WalletBridgeTransport.CurlTransport` is the production implementation (libcurl);
/// `WalletBridgeTesting.MockTransport` answers from a closure for unit tests. A third party's
/// adapter over another client (URLSession, AsyncHTTPClient...) implements this protocol and
/// needs only this module, which links neither libcurl nor OpenSSL.
///
/// Any non-2xx status is a response, not an error: partners put results in error bodies, and
/// only adapters know how to read them.
public protocol HTTPTransport: Sendable {
    /// Sends `request`.
    /// - Throws: ``TransportError`` when no complete response arrived; its
    ///   ``TransportError/mayHaveReachedServer`` says whether the request could have been processed.
    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse
}
