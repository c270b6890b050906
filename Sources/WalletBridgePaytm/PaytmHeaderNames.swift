import HTTPTypes
import WalletBridgeHTTP

/// The header names Paytm requests carry beside swift-http-types' own (`.contentType`),
/// declared once; the tests check that each literal is a valid name.
extension HTTPField.Name {
    /// `X-Request-ID`: a fresh id per request, for tracing.
    static let requestID = HTTPField.Name.known("X-Request-ID")
}

extension HTTPField.Name {
    /// `x-device-identifier`: the device id Paytm's accounts APIs tie an OTP and token to.
    static let paytmDeviceIdentifier = HTTPField.Name.known("x-device-identifier")
    /// `session_token`: the SSO token a Revoke Access names.
    static let paytmSessionToken = HTTPField.Name.known("session_token")
}
