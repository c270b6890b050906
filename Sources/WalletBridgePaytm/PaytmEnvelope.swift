import WalletBridgeCore

/// Paytm's JSON envelope `{"head":{…},"body":{…}}`, read as received.
///
/// The checksum in `head.signature` covers the exact text of `body`, so the body is cut out
/// of the received bytes, never re-serialised.
public struct PaytmEnvelope: Sendable {
    /// The exact bytes of the `body` value.
    public let bodyText: [UInt8]
    /// `head.signature`, if present.
    public let signature: String?

    /// Splits received envelope bytes.
    /// - Throws: ``PaytmChecksumError`` when the text is not a JSON object with a `body`.
    public init(received bytes: [UInt8]) throws(PaytmChecksumError) {
        do {
            guard let body = try RawJSON.topLevelValue(of: "body", in: bytes) else {
                throw PaytmChecksumError("envelope has no body")
            }
            bodyText = body
            if let head = try RawJSON.topLevelValue(of: "head", in: bytes),
               let signatureToken = try RawJSON.topLevelValue(of: "signature", in: head) {
                guard signatureToken.first == UInt8(ascii: "\""), signatureToken.count >= 2 else {
                    throw PaytmChecksumError("head.signature is not a string")
                }
                signature = String(decoding: signatureToken.dropFirst().dropLast(), as: UTF8.self)
            } else {
                signature = nil
            }
        } catch let error as PaytmChecksumError {
            throw error
        } catch {
            throw PaytmChecksumError("envelope is not valid JSON: \(error)")
        }
    }
}
