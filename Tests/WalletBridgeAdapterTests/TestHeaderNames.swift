import HTTPTypes
import WalletBridgeHTTP

/// The header names these tests send and read (the modules' own constants are internal).
extension HTTPField.Name {
    static let clientID = HTTPField.Name.known("Client-Id")
    static let requestTime = HTTPField.Name.known("Request-Time")
    static let responseTime = HTTPField.Name.known("Response-Time")
    static let signature = HTTPField.Name.known("Signature")
    static let xTimestamp = HTTPField.Name.known("X-TIMESTAMP")
    static let xSignature = HTTPField.Name.known("X-SIGNATURE")
    static let xPartnerID = HTTPField.Name.known("X-PARTNER-ID")
    static let xExternalID = HTTPField.Name.known("X-EXTERNAL-ID")
    static let channelID = HTTPField.Name.known("CHANNEL-ID")
    static let xClientKey = HTTPField.Name.known("X-CLIENT-KEY")
    static let authorizationCustomer = HTTPField.Name.known("Authorization-Customer")
}
