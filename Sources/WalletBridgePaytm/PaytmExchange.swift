import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeHTTP

/// One checksummed request and its verified reply.
///
/// The body is encoded once; the envelope is assembled around those exact bytes
/// (`{"head":…,"body":<bytes>}`), so what the checksum covers is what is sent. A reply is
/// trusted only when its `head.signature` verifies over the `body` text cut from the received
/// bytes; anything else after sending is an unknown outcome.
struct PaytmExchange: Sendable {
    let configuration: PaytmConfiguration
    let transport: any HTTPTransport
    let clock: @Sendable () -> Date
    /// Whether any reply has verified with this key in this run (shared by copies).
    let history = VerificationHistory()

    /// Sends `body` to `path` (with `query` appended) and returns the decoded reply once its
    /// checksum and HTTP status check out.
    ///
    /// - Throws: `WalletError`: `mayHaveCharged == false` when the request provably never
    ///   reached Paytm; otherwise (timeout, 5xx, unsigned or tampered reply) `mayHaveCharged ==
    ///   true`, which callers report as unknown.
    func send<Reply: Decodable>(_ path: String, query: String? = nil, _ body: some Encodable, as: Reply.Type) async throws(WalletError) -> Reply {
        let envelope = try seal(body)
        let request = TransportRequest(
            method: .post,
            url: WireFormat.url(configuration.baseURL, path) + (query.map { "?" + $0 } ?? ""),
            headerFields: [.contentType: "application/json", .requestID: RandomIdentifier.uuid()],
            body: envelope,
            timeout: configuration.requestTimeout,
            connectTimeout: configuration.connectTimeout
        )
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw WalletError.transport(error)
        }
        return try open(response, as: Reply.self)
    }

    /// The request envelope: the body encoded once, its checksum in `head.signature`.
    func seal(_ body: some Encodable) throws(WalletError) -> [UInt8] {
        let bodyBytes: [UInt8]
        let headBytes: [UInt8]
        do {
            bodyBytes = try WireFormat.json(body)
            let signature = try configuration.checksum.generate(for: bodyBytes).checksum
            let millis = Int64((clock().timeIntervalSince1970 * 1000).rounded(.down))
            let head = PaytmWire.RequestHead(
                version: configuration.version, channelId: configuration.channelID,
                requestTimestamp: String(millis), clientId: configuration.clientID, signature: signature)
            headBytes = try WireFormat.json(head)
        } catch {
            throw WalletError(.invalidRequest, "could not build the checksummed request: \(error)", mayHaveCharged: false)
        }
        return Array(#"{"head":"#.utf8) + headBytes + Array(#","body":"#.utf8) + bodyBytes + [UInt8(ascii: "}")]
    }

    /// Checks a reply: HTTP 200, an envelope, a `head.signature` that verifies over the body
    /// text as received; then decodes the body.
    func open<Reply: Decodable>(_ response: TransportResponse, as: Reply.Type) throws(WalletError) -> Reply {
        if response.status == 429 {
            // Unsigned, so not proof that nothing happened: a mutating call stays unknown.
            throw WalletError(
                .rateLimited, "Paytm throttled the request (HTTP 429, unsigned)", retryAfter: WireFormat.retryAfter(response.headerFields),
                mayHaveCharged: true)
        }
        guard response.status == 200 else {
            throw WalletError(.unknownOutcome, "Paytm answered HTTP \(response.status); the request may have been processed")
        }
        let envelope: PaytmEnvelope
        do {
            envelope = try PaytmEnvelope(received: response.body)
        } catch {
            throw WalletError(.invalidPartnerResponse, "the reply is not a Paytm envelope: \(error.message)")
        }
        guard let signature = envelope.signature, !signature.isEmpty else {
            if let diagnosis = PaytmConfigurationDiagnosis.unverifiedReply(envelope.bodyText, history: history, configuration: configuration) {
                throw WalletError.diagnosed(.invalidPartnerResponse, "the reply has no head.signature", diagnosis)
            }
            throw WalletError(.invalidPartnerResponse, "the reply has no head.signature; an unsigned reply is never trusted")
        }
        guard configuration.checksum.verify(signature, for: envelope.bodyText) else {
            if let diagnosis = PaytmConfigurationDiagnosis.unverifiedReply(envelope.bodyText, history: history, configuration: configuration) {
                throw WalletError.diagnosed(.invalidPartnerResponse, "the reply's checksum does not verify", diagnosis)
            }
            throw WalletError(
                .invalidPartnerResponse, "the reply's checksum does not verify over its body as received (tampered, or another merchant key)")
        }
        history.recordVerified()
        return try StrictJSON.decode(Reply.self, from: envelope.bodyText, what: "the checksummed reply body")
    }
}
