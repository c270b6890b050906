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
    /// `head.clientId`, if present: names the merchant key when a merchant has several.
    public let clientId: String?

    /// Splits received envelope bytes.
    /// - Throws: ``PaytmChecksumError`` when the text is not a JSON object with a `body`.
    public init(received bytes: [UInt8]) throws(PaytmChecksumError) {
        do {
            // One scan each of the envelope and of its head (each member checked unique).
            let members = try RawJSON.topLevelValues(of: Self.envelopeKeys, in: bytes)
            guard let body = members["body"] else {
                throw PaytmChecksumError("envelope has no body")
            }
            bodyText = Array(body)
            let head = try members["head"].map { try RawJSON.topLevelValues(of: Self.headKeys, in: Array($0)) }
            signature = try head?["signature"].flatMap { try PaytmEnvelope.stringMember("signature", $0) }
            clientId = try head?["clientId"].flatMap { try PaytmEnvelope.stringMember("clientId", $0) }
        } catch let error as PaytmChecksumError {
            throw error
        } catch {
            throw PaytmChecksumError("envelope is not valid JSON: \(error)")
        }
    }

    /// The members read, built once rather than for every reply.
    private static let envelopeKeys: Set<String> = ["body", "head"]
    private static let headKeys: Set<String> = ["signature", "clientId"]

    /// A string member of `head` (base64 checksums and ids hold no escapes worth decoding).
    private static func stringMember(_ name: String, _ token: ArraySlice<UInt8>) throws -> String? {
        guard token.first == UInt8(ascii: "\""), token.count >= 2 else {
            throw PaytmChecksumError("head.\(name) is not a string")
        }
        return String(decoding: token.dropFirst().dropLast(), as: UTF8.self)
    }
}
