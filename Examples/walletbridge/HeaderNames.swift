import HTTPTypes
import WalletBridgeHTTP

/// The signature headers the `--trace` transcript shows, declared once; the tests check that
/// each literal is a valid name. Lookups ignore case.
extension HTTPField.Name {
    /// `Signature`: Alipay+.
    static let signature = HTTPField.Name.known("Signature")
    /// `X-SIGNATURE`: SNAP.
    static let snapSignature = HTTPField.Name.known("X-SIGNATURE")
}
