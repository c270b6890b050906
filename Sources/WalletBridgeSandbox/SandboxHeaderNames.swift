import HTTPTypes
import WalletBridgeHTTP

/// The header names the sandbox's wallets read and send, declared once in the spelling each
/// wallet uses; the tests check that each literal is a valid name. Lookups ignore case.
extension HTTPField.Name {
    // Paytm Auto Debit (accounts APIs).

    /// `x-device-identifier` on Send OTP, Validate OTP, Refresh Token and Revoke Access.
    static let paytmDeviceIdentifier = HTTPField.Name.known("x-device-identifier")
    /// `session_token` on Revoke Access.
    static let paytmSessionToken = HTTPField.Name.known("session_token")

    // Alipay+ requests and notifications: `Client-Id`, `Request-Time`, `Signature`.

    /// `Client-Id` on requests and notifications.
    static let alipayClientID = HTTPField.Name.known("Client-Id")
    /// `Request-Time` on requests and notifications.
    static let alipayRequestTime = HTTPField.Name.known("Request-Time")
    /// `Signature` on requests and notifications.
    static let alipaySignature = HTTPField.Name.known("Signature")

    // Alipay+ replies: lower-case names, as the platform sends them (the official SDKs match
    // only those).

    /// `client-id` on replies.
    static let alipayReplyClientID = HTTPField.Name.known("client-id")
    /// `response-time` on replies (and read from acknowledgements).
    static let alipayResponseTime = HTTPField.Name.known("response-time")
    /// `signature` on replies.
    static let alipayReplySignature = HTTPField.Name.known("signature")

    // SNAP, as the standard spells it.

    /// `X-TIMESTAMP`.
    static let snapTimestamp = HTTPField.Name.known("X-TIMESTAMP")
    /// `X-SIGNATURE`.
    static let snapSignature = HTTPField.Name.known("X-SIGNATURE")
    /// `X-PARTNER-ID`.
    static let snapPartnerID = HTTPField.Name.known("X-PARTNER-ID")
    /// `X-EXTERNAL-ID`.
    static let snapExternalID = HTTPField.Name.known("X-EXTERNAL-ID")
    /// `CHANNEL-ID`.
    static let snapChannelID = HTTPField.Name.known("CHANNEL-ID")
    /// `X-CLIENT-KEY`, on access-token requests.
    static let snapClientKey = HTTPField.Name.known("X-CLIENT-KEY")
    /// `Authorization-Customer`.
    static let snapAuthorizationCustomer = HTTPField.Name.known("Authorization-Customer")
}
