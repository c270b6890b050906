import HTTPTypes
import WalletBridgeHTTP

/// The header names Paytm requests carry beside swift-http-types' own (`.contentType`),
/// declared once; the tests check that each literal is a valid name.
extension HTTPField.Name {
    /// `X-Request-ID`: a fresh id per request, for tracing.
    static let requestID = HTTPField.Name.known("X-Request-ID")
}
