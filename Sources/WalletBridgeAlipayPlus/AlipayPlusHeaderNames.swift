import HTTPTypes
import WalletBridgeHTTP

/// The header names of the Alipay+ signature scheme, declared once; the tests check that each
/// literal is a valid name. Lookups ignore case (the platform answers `client-id`).
extension HTTPField.Name {
    /// `Client-Id`: the client id a request, response or notification is for.
    static let clientID = HTTPField.Name.known("Client-Id")
    /// `Request-Time`: when a request or notification was signed (ISO 8601).
    static let requestTime = HTTPField.Name.known("Request-Time")
    /// `Response-Time`: when a response or acknowledgement was signed (ISO 8601).
    static let responseTime = HTTPField.Name.known("Response-Time")
    /// `Signature`: `algorithm=RSA256,keyVersion=…,signature=…`.
    static let signature = HTTPField.Name.known("Signature")
}
