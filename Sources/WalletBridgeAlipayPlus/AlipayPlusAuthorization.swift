import Foundation
import WalletBridgeCore
import WalletBridgeCrypto

/// Customer authorization on the Antom-family authorization API ("bind once, pay in one
/// step"): `consult`, `applyToken` (code and refresh), `revoke`, and `notifyAuthorization`.
/// Each method is one signed call through the same exchange as payments: the reply must carry a
/// valid platform signature and no duplicate keys, or it is not trusted.
extension AlipayPlusAdapter: AuthorizationAdapter {
    /// `AGREEMENT_PAY` by default; refresh tokens and notifications.
    public var authorizationCapabilities: AuthorizationCapabilities {
        AuthorizationCapabilities(defaultScopes: ["AGREEMENT_PAY"], refreshes: true, notifies: true)
    }

    /// `consult`: asks where the customer grants the authorization. The consent step is
    /// `normalUrl` (else `authUrl`) as a redirect, else `applinkUrl` (else `schemeUrl`) as a
    /// deeplink.
    /// - Throws: `WalletError` `invalidRequest` when neither the request nor the
    ///   configuration names a redirect URL (nothing is sent); the wallet's refusal otherwise.
    public func startAuthorization(_ request: AuthorizationRequest) async throws(WalletError) -> AuthorizationStart {
        guard let redirect = request.redirectURL ?? configuration.authorizationRedirectURL, !redirect.isEmpty else {
            throw WalletError(
                .invalidRequest, "an authorization needs a redirect URL (AuthorizationRequest.redirectURL or the authRedirectUrl setting)",
                mayHaveCharged: false)
        }
        let scopes = request.scopes ?? authorizationCapabilities.defaultScopes
        let state = request.state ?? AuthorizationRequest.newState()
        let body = AlipayPlusWire.ConsultRequest(
            customerBelongsTo: configuration.paymentMethodType, authRedirectUrl: redirect, scopes: scopes, authState: state,
            terminalType: configuration.terminalType, authNotifyUrl: configuration.notifyURL)
        let reply = try await exchange.send(configuration.paths.consultAuthorization, body, as: AlipayPlusWire.ConsultReply.self)
        try requireSuccess(reply.result, operation: "consult")
        let action: NextAction
        if let url = reply.normalUrl ?? reply.authUrl {
            action = .redirect(url: url)
        } else if let url = reply.applinkUrl ?? reply.schemeUrl {
            action = .deeplink(url: url)
        } else {
            throw WalletError(.invalidPartnerResponse, "the consult reply names no consent URL (normalUrl, authUrl, applinkUrl, schemeUrl)")
        }
        return AuthorizationStart(wallet: walletName, customerID: request.customerID, action: action, state: state, scopes: scopes)
    }

    /// `applyToken` with `AUTHORIZATION_CODE`.
    /// - Throws: `WalletError` `invalidRequest` with `WalletError/AuthorizationProblem/invalidCode`
    ///   for a code the wallet refuses (invalid, used, expired, another client's).
    public func completeAuthorization(_ grant: AuthorizationGrant, start: AuthorizationStart) async throws(WalletError) -> CustomerAuthorization {
        let body = AlipayPlusWire.ApplyTokenRequest(
            grantType: "AUTHORIZATION_CODE", customerBelongsTo: configuration.paymentMethodType, authCode: grant.code.value)
        let tokens = try await applyToken(body)
        return try authorization(
            from: tokens, wallet: walletName, customerID: start.customerID, scopes: start.scopes, grantedAt: exchange.clock())
    }

    /// `applyToken` with `REFRESH_TOKEN`: the new access token and (rotated) refresh token.
    /// - Throws: `WalletError` `authenticationFailed` with `WalletError/AuthorizationProblem/expired`
    ///   when the wallet refuses the refresh token (bind again).
    public func refreshAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) -> CustomerAuthorization {
        guard let refreshToken = authorization.refreshToken else {
            throw WalletError(.authenticationFailed, "the authorization has no refresh token; bind again", mayHaveCharged: false)
                .with(authorization: .expired)
        }
        let body = AlipayPlusWire.ApplyTokenRequest(
            grantType: "REFRESH_TOKEN", customerBelongsTo: configuration.paymentMethodType, refreshToken: refreshToken.value)
        let tokens = try await applyToken(body)
        return try self.authorization(
            from: tokens, wallet: walletName, customerID: authorization.customerID, scopes: [], grantedAt: authorization.grantedAt)
    }

    /// `revoke`. A token the wallet says is invalid or expired counts as revoked.
    public func revokeAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) {
        let body = AlipayPlusWire.RevokeRequest(accessToken: authorization.accessToken.value)
        let reply = try await exchange.send(configuration.paths.revokeToken, body, as: AlipayPlusWire.ResultReply.self)
        if let result = reply.result, result.resultStatus == "F", AlipayPlusResultMapping.payAuthorizationProblem(result.resultCode) != nil {
            return
        }
        try requireSuccess(reply.result, operation: "revoke")
    }

    /// Verifies a `notifyAuthorization` from its raw bytes exactly as a payment notification
    /// (signature, client id, `Request-Time` within ``AlipayPlusConfiguration/notificationClockTolerance``):
    /// `AUTHCODE_CREATED` is `AuthorizationNotification/Event/granted` (with the code and
    /// state), `TOKEN_CANCELED` is `AuthorizationNotification/Event/revoked` (with the access
    /// token). Its deduplication key holds a SHA-256 of the code or token, never the secret.
    public func verifyAuthorizationNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedAuthorizationNotification {
        try checkNotificationSignature(notification)
        let body: AlipayPlusWire.AuthorizationNotify
        do throws(WalletError) {
            body = try StrictJSON.decode(AlipayPlusWire.AuthorizationNotify.self, from: notification.body, what: "the signed notification")
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
        guard let type = body.authorizationNotifyType else {
            throw WalletError(.invalidRequest, "the notification lacks authorizationNotifyType", mayHaveCharged: false)
        }
        let event: AuthorizationNotification
        switch type {
        case "AUTHCODE_CREATED":
            guard let code = body.authCode, let state = body.authState else {
                throw WalletError(.invalidRequest, "an AUTHCODE_CREATED notification lacks authCode or authState", mayHaveCharged: false)
            }
            event = AuthorizationNotification(
                event: .granted, grant: AuthorizationGrant(code: code, state: state), deduplicationKey: deduplicationKey(type, secret: code))
        case "TOKEN_CANCELED":
            guard let token = body.accessToken else {
                throw WalletError(.invalidRequest, "a TOKEN_CANCELED notification lacks accessToken", mayHaveCharged: false)
            }
            event = AuthorizationNotification(
                event: .revoked, accessToken: CustomerCredential(token), reason: body.reason, deduplicationKey: deduplicationKey(type, secret: token))
        default:
            throw WalletError(.invalidRequest, "unsupported authorizationNotifyType \(type)", mayHaveCharged: false)
        }
        return VerifiedAuthorizationNotification(
            notification: event, acknowledgement: try acknowledgement(path: notification.path, method: notification.method))
    }

    // MARK: Helpers

    /// `WALLET:auth:TYPE:` and the SHA-256 (hex) of the code or token.
    func deduplicationKey(_ type: String, secret: String) -> String {
        "\(walletName):auth:\(type):\(Digest.sha256Hex(Array(secret.utf8)))"
    }

    /// Sends an `applyToken` and returns its successful reply, or throws the refusal with its
    /// authorization problem.
    func applyToken(_ body: AlipayPlusWire.ApplyTokenRequest) async throws(WalletError) -> AlipayPlusWire.ApplyTokenReply {
        let reply = try await exchange.send(configuration.paths.applyToken, body, as: AlipayPlusWire.ApplyTokenReply.self)
        guard let result = reply.result else {
            throw WalletError(.invalidPartnerResponse, "the applyToken reply has no result")
        }
        if result.resultStatus == "F" {
            let byCode = body.grantType == "AUTHORIZATION_CODE"
            if let (category, problem) = AlipayPlusResultMapping.applyTokenProblem(result.resultCode) {
                let what = byCode ? "the wallet refused the authorization code" : "the wallet refused the refresh token; bind again"
                throw WalletError(category, what, partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: false)
                    .with(authorization: problem)
            }
        }
        try requireSuccess(result, operation: "applyToken")
        return reply
    }

    /// An `S` result, or the refusal (`F`) or undecided outcome (`U`) as an error. Nothing is
    /// ever charged by an authorization call.
    func requireSuccess(_ result: AlipayPlusWire.Result?, operation: String) throws(WalletError) {
        guard let result else { throw WalletError(.invalidPartnerResponse, "the \(operation) reply has no result") }
        switch result.resultStatus {
        case "S":
            return
        case "F":
            throw WalletError(
                mapping.category(of: result.resultCode), "the wallet refused the \(operation)", partnerCode: result.resultCode,
                partnerMessage: result.resultMessage, mayHaveCharged: false)
        default:
            let category = mapping.category(of: result.resultCode)
            throw WalletError(
                category == .rateLimited ? .rateLimited : .unknownOutcome,
                "the \(operation) is undecided (\(result.resultStatus)/\(result.resultCode)); retry it", partnerCode: result.resultCode,
                partnerMessage: result.resultMessage, mayHaveCharged: false)
        }
    }

    /// The authorization an `applyToken` reply describes.
    func authorization(
        from reply: AlipayPlusWire.ApplyTokenReply, wallet: String, customerID: String, scopes: [String], grantedAt: Date
    ) throws(WalletError) -> CustomerAuthorization {
        guard let accessToken = reply.accessToken, !accessToken.isEmpty else {
            throw WalletError(.invalidPartnerResponse, "the applyToken reply has no accessToken")
        }
        func time(_ text: String?, _ field: String) throws(WalletError) -> Date? {
            guard let text else { return nil }
            guard let date = TimestampText.parse(text) else {
                throw WalletError(.invalidPartnerResponse, "the applyToken reply's \(field) is not an ISO 8601 time with an offset")
            }
            return date
        }
        return CustomerAuthorization(
            wallet: wallet, customerID: customerID, accessToken: CustomerCredential(accessToken),
            accessTokenExpiresAt: try time(reply.accessTokenExpiryTime, "accessTokenExpiryTime"),
            refreshToken: reply.refreshToken.map(CustomerCredential.init),
            refreshTokenExpiresAt: try time(reply.refreshTokenExpiryTime, "refreshTokenExpiryTime"), scopes: scopes,
            walletReference: reply.userLoginId.map(Self.maskedLoginID), grantedAt: grantedAt)
    }

    /// `userLoginId` as kept: a phone number (digits, `+`, `-`, spaces; 7 digits or more)
    /// shows its first 3 and last 3 digits; an e-mail address its first character and domain.
    static func maskedLoginID(_ id: String) -> String {
        let digits = id.filter(\.isNumber)
        if digits.count >= 7, id.allSatisfy({ $0.isNumber || $0 == "+" || $0 == "-" || $0 == " " }) {
            let prefix = id.hasPrefix("+") ? "+" : ""
            return prefix + digits.prefix(3) + String(repeating: "*", count: digits.count - 6) + digits.suffix(3)
        }
        if let at = id.firstIndex(of: "@"), at > id.startIndex {
            return String(id[id.startIndex]) + "***" + id[at...]
        }
        return id
    }
}

extension AlipayPlusWire {
    /// A reply that is only a result (`revoke`).
    struct ResultReply: Codable, Sendable {
        var result: Result?
    }
}
