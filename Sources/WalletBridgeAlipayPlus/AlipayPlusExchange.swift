import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeHTTP

/// One signed request and its verified reply. Signing happens per attempt, so Request-Time
/// is always fresh; the body is encoded once and those exact bytes are signed and sent.
struct AlipayPlusExchange: Sendable {
    let configuration: AlipayPlusConfiguration
    let transport: any HTTPTransport
    let clock: @Sendable () -> Date
    /// Whether any reply has verified with this profile in this run (shared by copies).
    let history = VerificationHistory()

    /// Sends `body` to `path` and returns the decoded reply once its signature, client id and
    /// HTTP status check out.
    ///
    /// - Throws: `WalletError`. When the request provably never reached the platform the
    ///   error has `mayHaveCharged == false`; anything after sending (a timeout, a 5xx, an
    ///   unsigned or tampered reply) has `mayHaveCharged == true`, and callers report it as
    ///   an unknown outcome.
    func send<Reply: Decodable>(_ path: String, _ body: some Encodable, as: Reply.Type) async throws(WalletError) -> Reply {
        let bodyBytes: [UInt8]
        do {
            bodyBytes = try WireFormat.json(body)
        } catch {
            throw WalletError(.invalidRequest, "could not encode the request: \(error)", mayHaveCharged: false)
        }
        let requestTime = TimestampText.iso8601(clock())
        let message = AlipayPlusSignedMessage.request(path: path, clientId: configuration.clientID, requestTime: requestTime, body: bodyBytes)
        let signature: AlipayPlusSignatureHeader
        do {
            signature = try configuration.signer.sign(message)
        } catch {
            throw WalletError(.invalidRequest, "could not sign the request: \(error.message)", mayHaveCharged: false)
        }
        let request = TransportRequest(
            method: .post,
            url: WireFormat.url(configuration.baseURL, path),
            headerFields: [
                .contentType: "application/json; charset=UTF-8",
                .clientID: configuration.clientID,
                .requestTime: requestTime,
                .signature: signature.headerValue,
            ],
            body: bodyBytes,
            timeout: configuration.requestTimeout,
            connectTimeout: configuration.connectTimeout
        )
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw WalletError.transport(error)
        }
        return try verify(response, requestPath: path, as: Reply.self)
    }

    func verify<Reply: Decodable>(_ response: TransportResponse, requestPath: String, as: Reply.Type) throws(WalletError) -> Reply {
        if response.status == 429 {
            // Unsigned, so not proof that nothing happened: a mutating call stays unknown.
            throw WalletError(
                .rateLimited, "the platform throttled the request (HTTP 429, unsigned)", retryAfter: WireFormat.retryAfter(response.headerFields),
                mayHaveCharged: true)
        }
        guard response.status == 200 else {
            throw WalletError(.unknownOutcome, "the platform answered HTTP \(response.status); the request may have been processed")
        }
        guard let signatureHeader = response.headerFields[.signature] else {
            throw WalletError(.invalidPartnerResponse, "the response has no Signature header; an unsigned reply is never trusted")
        }
        guard let responseTime = response.headerFields[.responseTime] else {
            throw WalletError(.invalidPartnerResponse, "the response has no Response-Time header, so its signature cannot be checked")
        }
        let clientID = response.headerFields[.clientID] ?? configuration.clientID
        guard clientID == configuration.clientID else {
            if let diagnosis = AlipayPlusConfigurationDiagnosis.otherClient(
                clientID, body: response.body, history: history, configuration: configuration)
            {
                throw WalletError.diagnosed(.invalidPartnerResponse, "the response is for client id \(clientID), not ours", diagnosis)
            }
            throw WalletError(.invalidPartnerResponse, "the response is for client id \(clientID), not ours")
        }
        let message = AlipayPlusSignedMessage.response(requestPath: requestPath, clientId: clientID, responseTime: responseTime, body: response.body)
        do {
            try configuration.verifier.verify(message, signatureHeader: signatureHeader)
        } catch {
            if let diagnosis = AlipayPlusConfigurationDiagnosis.unverifiedRefusal(response.body, history: history) {
                throw WalletError.diagnosed(.invalidPartnerResponse, "the response signature is not valid (\(error.kind.rawValue))", diagnosis)
            }
            throw WalletError(.invalidPartnerResponse, "the response signature is not valid (\(error.kind.rawValue)): \(error.message)")
        }
        history.recordVerified()
        return try StrictJSON.decode(Reply.self, from: response.body, what: "the signed response")
    }
}
