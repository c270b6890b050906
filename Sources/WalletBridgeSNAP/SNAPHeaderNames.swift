import HTTPTypes
import WalletBridgeHTTP

/// The header names of the SNAP scheme, declared once in the spelling the standard uses; the
/// tests check that each literal is a valid name. Lookups ignore case.
extension HTTPField.Name {
    /// `X-TIMESTAMP`: when a request, reply or notification was signed (`+07:00`).
    static let snapTimestamp = HTTPField.Name.known("X-TIMESTAMP")
    /// `X-SIGNATURE`: the RSA or HMAC signature.
    static let snapSignature = HTTPField.Name.known("X-SIGNATURE")
    /// `X-PARTNER-ID`: our client id.
    static let snapPartnerID = HTTPField.Name.known("X-PARTNER-ID")
    /// `X-EXTERNAL-ID`: a fresh message id per attempt.
    static let snapExternalID = HTTPField.Name.known("X-EXTERNAL-ID")
    /// `CHANNEL-ID`: the channel the wallet assigned.
    static let snapChannelID = HTTPField.Name.known("CHANNEL-ID")
    /// `X-CLIENT-KEY`: our client id, in access-token requests.
    static let snapClientKey = HTTPField.Name.known("X-CLIENT-KEY")
    /// `ORIGIN`, spelled as SNAP spells it (the same field as swift-http-types' `.origin`).
    static let snapOrigin = HTTPField.Name.known("ORIGIN")
    /// `Authorization-Customer`: the customer's token, for customer-bound calls.
    static let snapAuthorizationCustomer = HTTPField.Name.known("Authorization-Customer")
    /// `X-DEVICE-ID`: the device of an account unbinding.
    static let snapDeviceID = HTTPField.Name.known("X-DEVICE-ID")
}
