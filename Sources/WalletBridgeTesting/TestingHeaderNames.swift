import HTTPTypes
import WalletBridgeHTTP

/// The header names this module uses, declared once; the tests check that each literal is a
/// valid name.
extension HTTPField.Name {
    /// `signature`: the Alipay+ signature header.
    static let signature = HTTPField.Name.known("signature")
    /// `x-signature`: the SNAP signature header.
    static let xSignature = HTTPField.Name.known("x-signature")
}
