import Foundation
import HTTPTypes
import Logging
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP

/// One SNAP call: the body encoded once (minified, sorted keys) and those exact bytes hashed,
/// signed and sent; a fresh X-TIMESTAMP, signature and X-EXTERNAL-ID on every HTTP attempt; the
/// reply's signature verified (required when the profile says responses are signed); in token
/// mode, one retry with a renewed token when the wallet rejects the token.
struct SNAPExchange: Sendable {
    let configuration: SNAPConfiguration
    let transport: any HTTPTransport
    let clock: @Sendable () -> Date
    let tokens: SNAPAccessTokenCache?
    let logger: Logger
    /// Whether any reply (token replies included) has verified with this profile in this run.
    let history: VerificationHistory

    init(
        configuration: SNAPConfiguration, transport: any HTTPTransport, clock: @escaping @Sendable () -> Date,
        logger: Logger = Logger(label: "walletbridge.snap", factory: { _ in SwiftLogNoOpLogHandler() }),
        history: VerificationHistory = VerificationHistory()
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.history = history
        if case .token = configuration.mode {
            let fetcher = SNAPTokenFetcher(configuration: configuration, transport: transport, clock: clock, history: history)
            tokens = SNAPAccessTokenCache(margin: configuration.tokenRefreshMargin, clock: clock) { () async throws(WalletError) in
                try await fetcher.fetch()
            }
        } else {
            tokens = nil
        }
    }

    /// A reply that passed ``SNAPExchange/verify(_:path:)``: its parsed `responseCode` (nil when
    /// absent or malformed) and body.
    struct Reply: Sendable {
        var httpStatus: Int
        var code: SNAPResponseCode?
        var message: String?
        var body: [UInt8]
        /// Whether the wallet's signature over this reply verified. False only for an unsigned
        /// reply under a profile whose responses need not be signed: such a reply may be read,
        /// but it proves nothing about a mutating call (a refusal leaves the outcome open).
        var signed: Bool = true

        /// Decodes the body; ``SNAPExchange/verify(_:path:)`` already refused repeated keys.
        func decode<T: Decodable>(_ type: T.Type) throws(WalletError) -> T {
            do {
                return try JSONDecoder().decode(T.self, from: Data(body))
            } catch {
                throw WalletError(.invalidPartnerResponse, "the verified reply is not the expected JSON: \(error)")
            }
        }
    }

    /// Sends `body` to `path`.
    /// - Throws: `WalletError`: `mayHaveCharged == false` when the request provably never
    ///   reached the wallet; otherwise (timeout, unsigned or tampered reply) `mayHaveCharged ==
    ///   true`, which callers report as unknown.
    func send(
        _ path: String, _ body: some Encodable, customerToken: String? = nil, extraHeaders: HTTPFields = [:]
    ) async throws(WalletError) -> Reply {
        let bytes: [UInt8]
        do {
            bytes = try WireFormat.json(body)
        } catch {
            throw WalletError(.invalidRequest, "could not encode the request: \(error)", mayHaveCharged: false)
        }
        guard let tokens else { return try await attempt(path, bytes, accessToken: nil, customerToken: customerToken, extraHeaders: extraHeaders) }
        var token = try await tokens.token()
        var reply = try await attempt(path, bytes, accessToken: token, customerToken: customerToken, extraHeaders: extraHeaders)
        if reply.code?.isTokenRejection == true {
            // The token expired or was revoked early: one renewal (shared with concurrent
            // callers), then the identical body once more under a new X-EXTERNAL-ID. This is
            // authentication, so it stays here; it is logged and counted.
            logger.notice(
                "SNAP access token rejected; renewing it once and resending the identical body",
                metadata: ["partnerCode": "\(reply.code?.text ?? "")", "path": "\(path)"])
            token = try await tokens.replace(rejected: token)
            reply = try await attempt(path, bytes, accessToken: token, customerToken: customerToken, extraHeaders: extraHeaders)
        }
        return reply
    }

    /// Token requests so far (token mode).
    var tokenFetches: Int {
        get async { await tokens?.fetches ?? 0 }
    }

    /// Token rejections (each followed by one renewal and one resend) so far.
    var tokenRejections: Int {
        get async { await tokens?.rejections ?? 0 }
    }

    private func attempt(
        _ path: String, _ body: [UInt8], accessToken: SecretBytes?, customerToken: String?, extraHeaders: HTTPFields
    ) async throws(WalletError) -> Reply {
        let timestamp = TimestampText.iso8601(clock(), offsetHours: 7)
        let signature: SNAPSignature
        do {
            switch configuration.mode {
            case .rsa:
                signature = try SNAPRSASigner(privateKey: configuration.privateKey).sign(
                    method: "POST", path: path, body: body, timestamp: timestamp, accessToken: nil)
            case .token(let signer):
                signature = try signer.sign(method: "POST", path: path, body: body, timestamp: timestamp, accessToken: accessToken)
            }
        } catch {
            throw WalletError(.invalidRequest, "could not sign the request: \(error.message)", mayHaveCharged: false)
        }
        var headerFields: HTTPFields = [
            .contentType: "application/json",
            .snapTimestamp: timestamp,
            .snapSignature: signature.value,
            .snapPartnerID: configuration.partnerID,
            .snapExternalID: SNAPExchange.externalID(),
            .snapChannelID: configuration.channelID,
        ]
        if let origin = configuration.origin { headerFields.append(HTTPField(name: .snapOrigin, value: origin)) }
        if let accessToken, let token = accessToken.revealUTF8() { headerFields.append(HTTPField(name: .authorization, value: "Bearer " + token)) }
        if let customerToken { headerFields.append(HTTPField(name: .snapAuthorizationCustomer, value: "Bearer " + customerToken)) }
        headerFields.append(contentsOf: extraHeaders)
        return try await exchange(path, body, headerFields)
    }

    /// Sends and verifies; shared by transactions and token requests.
    func exchange(_ path: String, _ body: [UInt8], _ headerFields: HTTPFields) async throws(WalletError) -> Reply {
        let request = TransportRequest(
            method: .post, url: WireFormat.url(configuration.baseURL, path), headerFields: headerFields, body: body,
            timeout: configuration.requestTimeout, connectTimeout: configuration.connectTimeout)
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw WalletError.transport(error)
        }
        return try verify(response, path: path)
    }

    /// Checks the reply's signature (when present, or always when responses are signed) and
    /// reads its `responseCode`.
    func verify(_ response: TransportResponse, path: String) throws(WalletError) -> Reply {
        if response.status == 429, response.headerFields[.snapSignature] == nil, configuration.responsesSigned {
            // An unsigned throttle where replies must be signed (a gateway in front of the
            // wallet): it proves nothing, so a mutating call stays unknown, but its Retry-After
            // is kept for the retry policy.
            throw WalletError(
                .rateLimited, "HTTP 429 (unsigned); the request may have been processed", retryAfter: WireFormat.retryAfter(response.headerFields),
                mayHaveCharged: true)
        }
        let signed = response.headerFields[.snapSignature] != nil
        if let signature = response.headerFields[.snapSignature] {
            guard let timestamp = response.headerFields[.snapTimestamp] else {
                throw WalletError(.invalidPartnerResponse, "the reply has X-SIGNATURE but no X-TIMESTAMP, so it cannot be checked")
            }
            do {
                try configuration.walletKey.verifyTransaction(
                    signature: signature, method: "POST", path: path, body: response.body, timestamp: timestamp)
            } catch {
                if let diagnosis = SNAPConfigurationDiagnosis.unverifiedReply(response.body, history: history, configuration: configuration) {
                    throw WalletError.diagnosed(.invalidPartnerResponse, "the reply's signature is not valid (\(error.kind.rawValue))", diagnosis)
                }
                throw WalletError(.invalidPartnerResponse, "the reply's signature is not valid (\(error.kind.rawValue)): \(error.message)")
            }
        } else if configuration.responsesSigned {
            if let diagnosis = SNAPConfigurationDiagnosis.unverifiedReply(response.body, history: history, configuration: configuration) {
                throw WalletError.diagnosed(
                    .invalidPartnerResponse, "the reply has no X-SIGNATURE, and this profile's responses must be signed", diagnosis)
            }
            throw WalletError(.invalidPartnerResponse, "the reply has no X-SIGNATURE, and this profile's responses must be signed")
        }
        // Only a signature that verified counts as a reply that verified with this profile.
        if signed { history.recordVerified() }
        let head: SNAPWire.Head?
        if response.body.isEmpty {
            head = nil
        } else {
            // A repeated key anywhere makes the reply untrusted; other malformations leave the
            // code absent (and the outcome open).
            do {
                try RawJSON.checkNoDuplicateKeys(response.body)
            } catch {
                throw WalletError(.invalidPartnerResponse, "the reply is not trusted: \(error.message)")
            }
            head = try? JSONDecoder().decode(SNAPWire.Head.self, from: Data(response.body))
        }
        return Reply(
            httpStatus: response.status, code: head?.responseCode.flatMap(SNAPResponseCode.init), message: head?.responseMessage, body: response.body,
            signed: signed)
    }

    /// A fresh message id: 32 hex characters, unique per attempt.
    static func externalID() -> String {
        RandomIdentifier.hex32()
    }
}

/// Requests B2B access tokens with the RSA token signature over `X-CLIENT-KEY|X-TIMESTAMP`.
struct SNAPTokenFetcher: Sendable {
    let configuration: SNAPConfiguration
    let transport: any HTTPTransport
    let clock: @Sendable () -> Date
    let history: VerificationHistory

    func fetch() async throws(WalletError) -> (token: SecretBytes, expiresIn: Duration) {
        let timestamp = TimestampText.iso8601(clock(), offsetHours: 7)
        let signature: SNAPSignature
        let body: [UInt8]
        do {
            signature = try SNAPRSASigner(privateKey: configuration.privateKey).signAccessTokenRequest(
                clientKey: configuration.partnerID, timestamp: timestamp)
            body = try WireFormat.json(SNAPWire.TokenRequest())
        } catch {
            throw WalletError(.invalidRequest, "could not sign the access-token request: \(error)", mayHaveCharged: false)
        }
        let headerFields: HTTPFields = [
            .contentType: "application/json", .snapTimestamp: timestamp, .snapClientKey: configuration.partnerID,
            .snapSignature: signature.value, .snapChannelID: configuration.channelID,
        ]
        let exchange = SNAPExchange(
            configuration: SNAPConfiguration(copyForTokens: configuration), transport: transport, clock: clock, history: history)
        let reply: SNAPExchange.Reply
        do {
            reply = try await exchange.exchange(configuration.paths.accessToken, body, headerFields)
        } catch {
            throw WalletError(
                error.category == .invalidPartnerResponse ? .invalidPartnerResponse : error.category,
                "access token: \(error.message)", mayHaveCharged: false, diagnosis: error.diagnosis)
        }
        guard reply.code?.isSuccess == true else {
            if let diagnosis = SNAPConfigurationDiagnosis.rejection(
                reply.code, message: reply.message, verified: reply.signed, configuration: configuration)
            {
                throw WalletError.diagnosed(
                    .authenticationFailed, "the wallet refused an access token", diagnosis, partnerCode: reply.code?.text,
                    partnerMessage: reply.message, mayHaveCharged: false)
            }
            throw WalletError(
                .authenticationFailed, "the wallet refused an access token", partnerCode: reply.code?.text, partnerMessage: reply.message,
                mayHaveCharged: false)
        }
        let token = try reply.decode(SNAPWire.TokenReply.self)
        guard let value = token.accessToken, !value.isEmpty else {
            throw WalletError(.invalidPartnerResponse, "the access-token reply has no accessToken", mayHaveCharged: false)
        }
        return (SecretBytes(utf8: value), .seconds(token.expiresIn?.value ?? 900))
    }
}

extension SNAPConfiguration {
    /// The same configuration in RSA mode, so token requests never need a token themselves.
    init(copyForTokens configuration: SNAPConfiguration) {
        self = configuration
        mode = .rsa
    }
}
