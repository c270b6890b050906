import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP

/// DANA-style account binding ("bind once, pay in one step") on the SNAP standard.
///
/// - start: no wire call. The consent URL is built locally, as dana-python's
///   `Util.generate_oauth_url` does: `<oauthURL>/v1.0/get-auth-code?partnerId=…&timestamp=…
///   &externalId=…&channelId=…&merchantId=…&scopes=…&redirectUrl=…&state=…&isSnapBI=true`.
/// - complete and refresh: Apply Token (B2B2C, service 74), signed like the B2B token request
///   (SHA256withRSA over `X-CLIENT-KEY|X-TIMESTAMP`), grant `AUTHORIZATION_CODE` or
///   `REFRESH_TOKEN`.
/// - revoke: Account Unbinding (service 09), signed like every transaction, with
///   `Authorization-Customer: Bearer <token>`; a token the wallet no longer knows
///   (`4010902`, `401xx04`) counts as revoked.
/// - pay: the direct debit sends the customer token as `Authorization-Customer`; a verified
///   `401xx02` or `401xx04` refusal names the `WalletError/AuthorizationProblem`.
///
/// Replies verify as every SNAP reply does; an unsigned refusal (possible only when the profile
/// does not require signed responses) never names an authorization problem.
extension SNAPAdapter: AuthorizationAdapter {
    /// The scopes asked for when a request names none: dana-python's default outside
    /// production (`Util.generate_oauth_url`), which includes `AGREEMENT_PAY`.
    public static let defaultAuthorizationScopes = ["CASHIER", "AGREEMENT_PAY", "QUERY_BALANCE", "DEFAULT_BASIC_PROFILE", "MINI_DANA"]

    /// DANA's scopes, refresh tokens, and unbind notifications.
    public var authorizationCapabilities: AuthorizationCapabilities {
        AuthorizationCapabilities(defaultScopes: Self.defaultAuthorizationScopes, refreshes: true, notifies: true)
    }

    /// Builds the consent URL (no wire call): the customer opens it, grants the binding, and
    /// comes back to the redirect URL with `authCode` and `state`.
    public func startAuthorization(_ request: AuthorizationRequest) async throws(WalletError) -> AuthorizationStart {
        let scopes = request.scopes ?? Self.defaultAuthorizationScopes
        guard !scopes.isEmpty, scopes.allSatisfy({ !$0.isEmpty && !$0.contains(",") }) else {
            throw WalletError(.invalidRequest, "scopes must be non-empty names without commas", mayHaveCharged: false)
        }
        let state = request.state ?? AuthorizationRequest.newState()
        let redirect = request.redirectURL ?? configuration.authorizationRedirectURL ?? configuration.returnURL
        let base = configuration.oauthURL.hasSuffix("/") ? String(configuration.oauthURL.dropLast()) : configuration.oauthURL
        let parameters: [(String, String)] = [
            ("partnerId", configuration.partnerID),
            ("timestamp", TimestampText.iso8601(clock(), offsetHours: 7)),
            ("externalId", SNAPExchange.externalID()),
            ("channelId", configuration.channelID),
            ("merchantId", configuration.merchantID),
            ("scopes", scopes.joined(separator: ",")),
            ("redirectUrl", redirect),
            ("state", state),
            ("isSnapBI", "true"),
        ]
        let query = parameters.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        let url = base + "/v1.0/get-auth-code?" + query
        guard URL(string: url) != nil else {
            throw WalletError(.invalidRequest, "the profile's oauthURL does not make a valid consent URL", mayHaveCharged: false)
        }
        return AuthorizationStart(wallet: walletName, customerID: request.customerID, action: .redirect(url: url), state: state, scopes: scopes)
    }

    /// Apply Token with `AUTHORIZATION_CODE`: the customer token, its refresh token and the
    /// wallet's `publicUserId` (kept as `CustomerAuthorization/walletReference`).
    /// - Throws: `WalletError` `invalidRequest` with `WalletError/AuthorizationProblem/invalidCode`
    ///   for a code the wallet refuses (`4017400` "… Auth Code …").
    public func completeAuthorization(_ grant: AuthorizationGrant, start: AuthorizationStart) async throws(WalletError) -> CustomerAuthorization {
        let body = SNAPWire.ApplyTokenRequest(grantType: "AUTHORIZATION_CODE", authCode: grant.code.value, refreshToken: nil)
        let reply = try await exchange.sendTokenRequest(configuration.paths.applyToken, body)
        return try authorization(from: reply, customerID: start.customerID, scopes: start.scopes)
    }

    /// Apply Token with `REFRESH_TOKEN`: new tokens (DANA rotates the refresh token).
    /// - Throws: `WalletError` `authenticationFailed` with `WalletError/AuthorizationProblem/expired`
    ///   (`401xx02`) or `WalletError/AuthorizationProblem/revoked` (`401xx04`).
    public func refreshAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) -> CustomerAuthorization {
        guard let refreshToken = authorization.refreshToken else {
            throw WalletError(.authenticationFailed, "the authorization has no refresh token; ask the customer to bind again", mayHaveCharged: false)
                .with(authorization: .expired)
        }
        let body = SNAPWire.ApplyTokenRequest(grantType: "REFRESH_TOKEN", authCode: nil, refreshToken: refreshToken.value)
        let reply = try await exchange.sendTokenRequest(configuration.paths.applyToken, body)
        return try self.authorization(from: reply, customerID: authorization.customerID, scopes: authorization.scopes)
    }

    /// Account Unbinding (service 09). A token the wallet no longer knows (`4010902`,
    /// `401xx04`) counts as revoked: no error.
    public func revokeAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) {
        let token = authorization.accessToken.value
        let body = SNAPWire.UnbindingRequest(
            merchantId: configuration.merchantID, partnerReferenceNo: SNAPExchange.externalID(),
            additionalInfo: .init(accessToken: token, deviceId: configuration.deviceID))
        let reply = try await exchange.send(
            configuration.paths.accountUnbinding, body, customerToken: token, extraHeaders: [.snapDeviceID: configuration.deviceID])
        if reply.signed, let code = reply.code, code.httpStatus == 401, code.caseCode == "02" || code.caseCode == "04" {
            // The wallet proves it no longer knows the token: the binding is gone already.
            return
        }
        switch outcome(reply, call: .settle) {
        case .success:
            return
        case .inProgress:
            throw WalletError(
                .unknownOutcome, "the unbinding is not confirmed by a signed reply; revoke again", partnerCode: reply.code?.text,
                partnerMessage: reply.message, mayHaveCharged: false)
        case .refused(let error):
            throw WalletError(
                error.category, "the wallet refused the unbinding" + (error.diagnosis.map { ": \($0)" } ?? ""), partnerCode: error.partnerCode,
                partnerMessage: error.partnerMessage, mayHaveCharged: false, diagnosis: error.diagnosis)
        case .open(let error):
            throw WalletError(
                error.category, "the unbinding is undecided: \(error.message)", partnerCode: error.partnerCode, partnerMessage: error.partnerMessage,
                mayHaveCharged: false, diagnosis: error.diagnosis)
        }
    }

    /// Verifies the SNAP-style unbind notification (the sandbox's design: DANA's real Unbind
    /// Notify uses the DANA Open API envelope, not implemented): signed by the wallet with
    /// SHA256withRSA over `POST:path:sha256hex(body):X-TIMESTAMP`, checked against the clock
    /// tolerance, body `{"unbindAccessToken":[…],"unbindTime":…,"partnerReferenceNo":…}`.
    /// The acknowledgement is HTTP 200 with `{"responseCode":"2006500","responseMessage":"Successful"}`.
    public func verifyAuthorizationNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedAuthorizationNotification {
        guard let signature = notification.headerFields[.snapSignature], let timestamp = notification.headerFields[.snapTimestamp] else {
            throw WalletError(.authenticationFailed, "the notification lacks X-SIGNATURE or X-TIMESTAMP", mayHaveCharged: false)
        }
        do {
            try configuration.walletKey.verifyTransaction(
                signature: signature, method: notification.method, path: notification.path, body: notification.body, timestamp: timestamp)
        } catch {
            throw WalletError(
                .authenticationFailed, "the notification's signature is not valid (\(error.kind.rawValue)): \(error.message)", mayHaveCharged: false)
        }
        if let tolerance = configuration.notificationClockTolerance {
            try NotificationFreshness.check(timestamp, header: "X-TIMESTAMP", now: clock(), tolerance: tolerance)
        }
        let body: SNAPWire.UnbindNotify
        do throws(WalletError) {
            body = try StrictJSON.decode(SNAPWire.UnbindNotify.self, from: notification.body, what: "the signed notification")
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
        guard let token = body.unbindAccessToken?.first, !token.isEmpty else {
            throw WalletError(.invalidRequest, "the unbind notification names no unbindAccessToken", mayHaveCharged: false)
        }
        if let merchant = body.merchantId, merchant != configuration.merchantID {
            throw WalletError(.invalidRequest, "the notification is for merchantId \(merchant), not ours", mayHaveCharged: false)
        }
        let key = "snap-unbind|" + (body.partnerReferenceNo ?? Digest.sha256Hex(Array(token.utf8)))
        let event = AuthorizationNotification(
            event: .revoked, accessToken: CustomerCredential(token),
            reason: body.unbindTime.map { "unbound in the wallet at \($0)" } ?? "unbound in the wallet", deduplicationKey: key)
        let acknowledgement = NotificationAcknowledgement(
            status: 200, headerFields: [.contentType: "application/json"],
            body: Array(#"{"responseCode":"2006500","responseMessage":"Successful"}"#.utf8))
        return VerifiedAuthorizationNotification(notification: event, acknowledgement: acknowledgement)
    }

    // MARK: Helpers

    /// Reads an Apply Token reply into an authorization.
    func authorization(from reply: SNAPExchange.Reply, customerID: String, scopes: [String]) throws(WalletError) -> CustomerAuthorization {
        if let problem = Self.applyTokenProblem(reply) { throw problem }
        switch outcome(reply, call: .create) {
        case .success:
            break
        case .inProgress:
            throw WalletError(
                .unknownOutcome, "the token request is in progress; try again", partnerCode: reply.code?.text, partnerMessage: reply.message,
                mayHaveCharged: false)
        case .refused(let error):
            throw WalletError(
                error.category, "the wallet refused the token request" + (error.diagnosis.map { ": \($0)" } ?? ""), partnerCode: error.partnerCode,
                partnerMessage: error.partnerMessage, mayHaveCharged: false, diagnosis: error.diagnosis)
        case .open(let error):
            throw WalletError(
                error.category, "the token request is undecided: \(error.message)", partnerCode: error.partnerCode,
                partnerMessage: error.partnerMessage, mayHaveCharged: false, diagnosis: error.diagnosis)
        }
        let decoded = try reply.decode(SNAPWire.ApplyTokenReply.self)
        guard let access = decoded.accessToken, !access.isEmpty else {
            throw WalletError(.invalidPartnerResponse, "the token reply has no accessToken", mayHaveCharged: false)
        }
        let refresh = decoded.refreshToken.flatMap { $0.isEmpty ? nil : CustomerCredential($0) }
        return CustomerAuthorization(
            wallet: walletName, customerID: customerID, accessToken: CustomerCredential(access),
            accessTokenExpiresAt: decoded.accessTokenExpiryTime.flatMap(TimestampText.parse), refreshToken: refresh,
            refreshTokenExpiresAt: refresh == nil ? nil : decoded.refreshTokenExpiryTime.flatMap(TimestampText.parse), scopes: scopes,
            walletReference: decoded.additionalInfo?.userInfo?.publicUserId, grantedAt: clock())
    }

    /// The authorization problem a signed Apply Token refusal proves, if any: `4017400` with a
    /// message about the auth code → invalid code; `401xx02` → expired; `401xx04` → revoked.
    /// Any other `4017400` is left to ``outcome(_:call:)`` (authentication, configuration
    /// diagnosis).
    static func applyTokenProblem(_ reply: SNAPExchange.Reply) -> WalletError? {
        guard reply.signed, let code = reply.code, code.httpStatus == 401, (400...499).contains(reply.httpStatus) else { return nil }
        let message = reply.message ?? ""
        switch code.caseCode {
        case "00" where message.range(of: "auth code", options: .caseInsensitive) != nil:
            return WalletError(
                .invalidRequest, "the wallet refused the authorization code (invalid, used or expired); ask the customer to bind again",
                partnerCode: code.text, partnerMessage: reply.message, mayHaveCharged: false
            ).with(authorization: .invalidCode)
        case "02":
            return WalletError(
                .authenticationFailed, "the wallet refused the customer token as invalid or expired", partnerCode: code.text,
                partnerMessage: reply.message, mayHaveCharged: false
            ).with(authorization: .expired)
        case "04":
            return WalletError(
                .authenticationFailed, "the wallet no longer knows the customer token", partnerCode: code.text, partnerMessage: reply.message,
                mayHaveCharged: false
            ).with(authorization: .revoked)
        default:
            return nil
        }
    }

    /// A verified pay refusal about the customer token: `401xx02` (Invalid Customer Token) is
    /// expired when the message says so, revoked otherwise; `401xx04` (Customer Token Not
    /// Found) is revoked. Other refusals are returned unchanged.
    static func customerTokenRefusal(_ error: WalletError) -> WalletError {
        guard let text = error.partnerCode, let code = SNAPResponseCode(text), code.httpStatus == 401 else { return error }
        switch code.caseCode {
        case "02":
            let message = error.partnerMessage ?? ""
            let expired = message.range(of: "expir(ed|y)", options: [.regularExpression, .caseInsensitive]) != nil
            return error.with(authorization: expired ? .expired : .revoked)
        case "04":
            return error.with(authorization: .revoked)
        default:
            return error
        }
    }

    /// `application/x-www-form-urlencoded` value encoding (as Python's `urlencode`): unreserved
    /// characters stay, everything else (`+`, `:`, `/`, `,` included) is percent-encoded.
    static func formEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: "\u{0}"..."\u{7F}"))
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension SNAPExchange {
    /// Sends an Apply Token (B2B2C) request: `X-CLIENT-KEY`, `X-TIMESTAMP` and `X-SIGNATURE`
    /// over `clientKey|X-TIMESTAMP`, exactly as the B2B token request; the reply verifies as
    /// every reply does.
    func sendTokenRequest(_ path: String, _ body: some Encodable) async throws(WalletError) -> Reply {
        let timestamp = TimestampText.iso8601(clock(), offsetHours: 7)
        let signature: SNAPSignature
        let bytes: [UInt8]
        do {
            signature = try SNAPRSASigner(privateKey: configuration.privateKey).signAccessTokenRequest(
                clientKey: configuration.partnerID, timestamp: timestamp)
        } catch {
            throw WalletError(.invalidRequest, "could not sign the token request: \(error.message)", mayHaveCharged: false)
        }
        do {
            bytes = try WireFormat.json(body)
        } catch {
            throw WalletError(.invalidRequest, "could not encode the token request", mayHaveCharged: false)
        }
        var headerFields: HTTPFields = [
            .contentType: "application/json", .snapTimestamp: timestamp, .snapClientKey: configuration.partnerID,
            .snapSignature: signature.value, .snapPartnerID: configuration.partnerID, .snapExternalID: SNAPExchange.externalID(),
            .snapChannelID: configuration.channelID,
        ]
        if let origin = configuration.origin { headerFields.append(HTTPField(name: .snapOrigin, value: origin)) }
        do {
            return try await exchange(path, bytes, headerFields)
        } catch {
            throw WalletError(
                error.category, "token request: \(error.message)", partnerCode: error.partnerCode, partnerMessage: error.partnerMessage,
                mayHaveCharged: false, diagnosis: error.diagnosis)
        }
    }
}
