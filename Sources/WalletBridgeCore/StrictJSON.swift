import Foundation

/// Decodes a wallet's JSON reply strictly: a repeated key at any depth makes the reply
/// untrusted before any value is read (Foundation's decoder silently keeps one of the two).
///
/// WalletBridge's own decoder in the sense of the rule "use or write a strict decoder": the
/// duplicate-key check is ``RawJSON/checkNoDuplicateKeys(_:)``, a structural scan of the bytes as
/// received; values are then read by `JSONDecoder`.
public enum StrictJSON {
    /// Decodes `T` from `bytes` after the duplicate-key check.
    /// - Throws: ``WalletError`` `invalidPartnerResponse` (may have charged: the reply is not
    ///   trusted, so nothing is known) for a repeated key, malformed JSON or the wrong shape.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String = "the reply") throws(WalletError) -> T {
        // The fast decoder's answer when it is sure to be JSONDecoder's (it refuses repeated
        // keys too, so the reply is scanned once); otherwise the full check, then JSONDecoder.
        if let value = try? StrictJSONDecoder.decode(T.self, from: bytes) { return value }
        do {
            try RawJSON.checkNoDuplicateKeys(bytes)
        } catch {
            throw WalletError(.invalidPartnerResponse, "\(what) is not trusted: \(error.message)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw WalletError(.invalidPartnerResponse, "\(what) is not the expected JSON: \(error)")
        }
    }
}
