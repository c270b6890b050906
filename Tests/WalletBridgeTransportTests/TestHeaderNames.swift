import HTTPTypes
import WalletBridgeHTTP

/// The header names these tests send and read.
extension HTTPField.Name {
    static let signature = HTTPField.Name.known("Signature")
    static let responseTime = HTTPField.Name.known("Response-Time")
    static let xSignature = HTTPField.Name.known("X-SIGNATURE")
    static let xTest = HTTPField.Name.known("X-Test")
}
