/// Why a request got no complete response.
///
/// Payments care most about one question: could the server have acted on the request? A
/// refused connection never reached it (safe to resend); a timeout after the request was
/// written may have been processed, so the outcome is unknown.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of failure.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The connect or whole-request deadline passed.
        case timeout
        /// The host could not be resolved or refused the connection.
        case couldNotConnect
        /// The TLS handshake or certificate verification failed.
        case tls
        /// The calling task was cancelled, or the transport shut down.
        case cancelled
        /// Anything else: a malformed request, a broken connection, an oversized response.
        case other
    }

    /// The category of failure.
    public let kind: Kind
    /// curl's own message (or ours for failures before curl), free of secrets.
    public let message: String
    /// Whether any byte of the request may have reached the server.
    public let mayHaveReachedServer: Bool
    /// libcurl's `CURLcode`, when curl reported the failure.
    public let curlCode: Int?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, mayHaveReachedServer: Bool, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.mayHaveReachedServer = mayHaveReachedServer
        self.curlCode = curlCode
    }

    public var description: String {
        let code = curlCode.map { " (curl \($0))" } ?? ""
        let reached = mayHaveReachedServer ? "request may have reached the server" : "request did not reach the server"
        return "\(kind.rawValue): \(message)\(code); \(reached)"
    }
}
