import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP

/// Paytm Auto Debit ("account linking", "bind once, pay in one step"), enabled by the
/// profile's Auto Debit settings (``PaytmAutoDebit``):
///
/// - start: Send OTP to the customer's mobile number. `AuthorizationRequest/customerID` is
///   sent as the `phone`: for Paytm the merchant's id for the customer must be the mobile
///   number (the sandbox also takes its test customer ids). Paytm's `state_token` stays
///   inside the adapter, keyed by our state, for 5 minutes; the action is a redirect to the
///   page that collects the OTP (`otpPageURL?state=…&redirectUrl=…`). A real merchant shows
///   its own OTP form and completes with `AuthorizationGrant(code: otp, state: state)`.
/// - complete: Validate OTP (the grant's code is the OTP) → the SSO (access) token, the refresh
///   token and the expiry (epoch milliseconds).
/// - refresh: Refresh Token, `grantType=refresh_token`.
/// - revoke: Revoke Access, `DELETE` with `session_token`; a 4xx "token not found" or
///   "invalid token" counts as revoked.
/// - pay: a payment that names a stored authorization is a withdraw (`ReqType=WITHDRAW`,
///   `SSOToken`, `PaymentMode=PPI`, checksum in `CheckSum`) settled only by a reply whose
///   `CheckSum` verifies.
///
/// The accounts APIs authenticate the client with HTTP Basic (`clientId:clientSecret`) and
/// sign nothing: their answers are taken as TLS delivers them. None of them moves money.
extension PaytmAdapter: AuthorizationAdapter {
    /// `paytm,wallet` (or the profile's `scopes`); refresh tokens; no authorization
    /// notifications.
    public var authorizationCapabilities: AuthorizationCapabilities {
        AuthorizationCapabilities(defaultScopes: configuration.autoDebit?.scopes ?? ["paytm", "wallet"], refreshes: true, notifies: false)
    }

    /// How long a sent OTP (and its `state_token`) may be validated.
    static let otpLifetime: TimeInterval = 300

    /// Send OTP. The action is the OTP page (`otpPageURL`, else the redirect URL) with
    /// `state` and `redirectUrl` in its query.
    /// - Throws: `WalletError` `invalidRequest` when Auto Debit is not configured, the
    ///   customer id is empty, or no page is known; the wallet's refusal otherwise.
    public func startAuthorization(_ request: AuthorizationRequest) async throws(WalletError) -> AuthorizationStart {
        let linking = try requireAutoDebit()
        guard !request.customerID.isEmpty else {
            throw WalletError(.invalidRequest, "Paytm Auto Debit needs the customer's mobile number as the customer id", mayHaveCharged: false)
        }
        let scopes = request.scopes ?? linking.scopes
        let state = request.state ?? AuthorizationRequest.newState()
        let redirect = request.redirectURL ?? configuration.callbackURL
        guard let page = linking.otpPageURL ?? redirect, !page.isEmpty else {
            throw WalletError(
                .invalidRequest, "a Paytm binding needs a page that collects the OTP (setting otpPageURL, or a redirect URL)", mayHaveCharged: false)
        }
        let body = PaytmAuthorizationWire.SendOTPRequest(phone: request.customerID, scopes: scopes)
        let (status, bytes) = try await accounts(.post, configuration.paths.sendOTP, body: try encode(body), query: "locale=en-IN")
        let reply = try decodeOTPReply(status, bytes, operation: "Send OTP")
        guard let stateToken = reply.stateToken, !stateToken.isEmpty else {
            throw WalletError(.invalidPartnerResponse, "the Send OTP reply has no state_token", mayHaveCharged: false)
        }
        await otpSessions.put(state: state, stateToken: stateToken, expiresAt: exchange.clock().addingTimeInterval(Self.otpLifetime))
        var query = "state=" + Self.queryEscaped(state)
        if let redirect { query += "&redirectUrl=" + Self.queryEscaped(redirect) }
        let url = page + (page.contains("?") ? "&" : "?") + query
        return AuthorizationStart(wallet: walletName, customerID: request.customerID, action: .redirect(url: url), state: state, scopes: scopes)
    }

    /// Validate OTP: the grant's code is the OTP the customer typed.
    /// - Throws: `WalletError` `invalidRequest` with `WalletError/AuthorizationProblem/invalidCode`
    ///   for a wrong or expired OTP, or a state whose OTP was not sent by this adapter (start
    ///   again).
    public func completeAuthorization(_ grant: AuthorizationGrant, start: AuthorizationStart) async throws(WalletError) -> CustomerAuthorization {
        _ = try requireAutoDebit()
        guard let stateToken = await otpSessions.stateToken(for: start.state, now: exchange.clock()) else {
            throw WalletError(
                .invalidRequest, "no OTP of this adapter is waiting for this state (expired, or sent by another process); start again",
                mayHaveCharged: false
            ).with(authorization: .invalidCode)
        }
        let body = PaytmAuthorizationWire.ValidateOTPRequest(otp: grant.code.value, stateToken: stateToken)
        let (status, bytes) = try await accounts(.post, configuration.paths.validateOTP, body: try encode(body), query: "locale=en-IN")
        let reply = try decodeOTPReply(status, bytes, operation: "Validate OTP")
        await otpSessions.remove(state: start.state)
        guard let tokens = reply.tokens, let access = tokens.accessToken, !access.isEmpty else {
            throw WalletError(.invalidPartnerResponse, "the Validate OTP reply has no tokens.accessToken", mayHaveCharged: false)
        }
        let refresh = tokens.refreshToken.flatMap { $0.isEmpty ? nil : CustomerCredential($0) }
        return CustomerAuthorization(
            wallet: walletName, customerID: start.customerID, accessToken: CustomerCredential(access),
            accessTokenExpiresAt: tokens.expires.map(Self.epochMillis), refreshToken: refresh,
            refreshTokenExpiresAt: refresh == nil ? nil : tokens.refreshTokenExpires.map(Self.epochMillis),
            scopes: tokens.scope.map { $0.split(separator: ",").map(String.init) } ?? start.scopes,
            walletReference: Self.maskedPhone(start.customerID), grantedAt: exchange.clock())
    }

    /// Refresh Token (`grantType=refresh_token`).
    /// - Throws: `WalletError` `authenticationFailed` with `WalletError/AuthorizationProblem/expired`
    ///   when Paytm refuses the refresh token (bind again); `authenticationFailed` alone for
    ///   HTTP 401 (wrong client id or secret).
    public func refreshAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) -> CustomerAuthorization {
        let linking = try requireAutoDebit()
        guard let refreshToken = authorization.refreshToken else {
            throw WalletError(.authenticationFailed, "the authorization has no refresh token; bind again", mayHaveCharged: false)
                .with(authorization: .expired)
        }
        let body = PaytmAuthorizationWire.RefreshRequest(deviceId: linking.deviceID, refreshToken: refreshToken.value)
        let (status, bytes) = try await accounts(.post, configuration.paths.refreshToken, body: try encode(body))
        if status == 401 {
            throw WalletError(.authenticationFailed, "Paytm refused the client credentials (HTTP 401) on Refresh Token", mayHaveCharged: false)
        }
        let reply = try StrictJSON.decode(PaytmAuthorizationWire.RefreshReply.self, from: bytes, what: "the Refresh Token reply")
        if (400...499).contains(status) || reply.error != nil {
            throw WalletError(
                .authenticationFailed, "Paytm refused the refresh token; bind again", partnerCode: reply.error ?? String(status),
                partnerMessage: reply.errorDescription, mayHaveCharged: false
            ).with(authorization: .expired)
        }
        guard status == 200, let access = reply.accessToken, !access.isEmpty else {
            throw WalletError(.invalidPartnerResponse, "the Refresh Token reply (HTTP \(status)) has no accessToken", mayHaveCharged: false)
        }
        let rotated = reply.refreshToken.flatMap { $0.isEmpty ? nil : CustomerCredential($0) }
        return CustomerAuthorization(
            wallet: walletName, customerID: authorization.customerID, accessToken: CustomerCredential(access),
            accessTokenExpiresAt: reply.expiresIn.map(Self.epochMillis), refreshToken: rotated,
            refreshTokenExpiresAt: rotated == nil ? nil : reply.refreshTokenExpiresIn.map(Self.epochMillis),
            scopes: reply.scope.map { $0.split(separator: ",").map(String.init) } ?? [], grantedAt: authorization.grantedAt)
    }

    /// Revoke Access: `DELETE` with `session_token`. HTTP 2xx is revoked; a 400 that says the
    /// token is not found or invalid counts as revoked too.
    /// - Throws: `WalletError` `authenticationFailed` for HTTP 401; `invalidRequest` for
    ///   another 4xx; `partnerUnavailable` otherwise.
    public func revokeAuthorization(_ authorization: CustomerAuthorization) async throws(WalletError) {
        _ = try requireAutoDebit()
        let (status, bytes) = try await accounts(
            .delete, configuration.paths.revokeToken, body: [], extra: [.paytmSessionToken: authorization.accessToken.value])
        if (200...299).contains(status) { return }
        let text = String(decoding: bytes.prefix(300), as: UTF8.self)
        let gone = text.range(of: "not found|invalid token|expired", options: [.regularExpression, .caseInsensitive]) != nil
        if (400...499).contains(status), status != 401, gone { return }
        switch status {
        case 401:
            throw WalletError(.authenticationFailed, "Paytm refused the client credentials (HTTP 401) on Revoke Access", mayHaveCharged: false)
        case 400...499:
            throw WalletError(.invalidRequest, "Paytm refused the Revoke Access (HTTP \(status))", mayHaveCharged: false)
        default:
            throw WalletError(.partnerUnavailable, "Paytm answered HTTP \(status) to Revoke Access; revoke again", mayHaveCharged: false)
        }
    }

    /// Paytm sends no authorization notifications in Auto Debit.
    /// - Throws: `WalletError` `invalidRequest`, always.
    public func verifyAuthorizationNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedAuthorizationNotification {
        throw WalletError(.invalidRequest, "Paytm Auto Debit sends no authorization notifications", mayHaveCharged: false)
    }

    // MARK: Withdraw

    /// The Auto Debit withdraw: `POST /paymentservices/HANDLER_FF/withdrawScw` with the SSO
    /// token (`PaymentRequest/customer`, which `WalletClient` fills from the stored
    /// authorization). Only a reply whose `CheckSum` verifies (over the other fields, as a
    /// form) and that names our `OrderId` and amount settles the payment: `TXN_SUCCESS`
    /// succeeded, `TXN_FAILURE` failed (`530` "Invalid Token" is
    /// `WalletError/AuthorizationProblem/revoked`, or `WalletError/AuthorizationProblem/expired`
    /// when its message says expired), `PENDING` pending; anything else is unknown.
    public func withdraw(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult {
        let linking = try requireAutoDebit()
        try Self.checkReference(request.merchantReference, field: "OrderId")
        let amount = try PaytmAmount.text(request.amount)
        guard !request.customer.value.isEmpty else {
            throw WalletError(.invalidRequest, "a Paytm withdraw needs the SSO token (a stored authorization)", mayHaveCharged: false)
        }
        var fields: [String: String] = [
            "MID": configuration.merchantID, "ReqType": "WITHDRAW", "TxnAmount": amount, "AppIP": linking.appIP,
            "OrderId": request.merchantReference, "DeviceId": linking.deviceID, "Currency": "INR", "SSOToken": request.customer.value,
            "PaymentMode": "PPI", "CustId": request.authorization ?? request.merchantReference, "IndustryType": linking.industryType,
            "Channel": configuration.channelID ?? "WEB", "AuthMode": "USRPWD",
        ]
        let body: [UInt8]
        do {
            var signed: [String: String?] = [:]
            for (key, value) in fields { signed[key] = value }
            fields["CheckSum"] = try configuration.checksum.generate(forParams: signed).checksum
            body = try WireFormat.json(fields)
        } catch {
            throw WalletError(.invalidRequest, "could not build the checksummed withdraw", mayHaveCharged: false)
        }
        let response: TransportResponse
        do {
            response = try await transport.send(
                TransportRequest(
                    method: .post, url: WireFormat.url(configuration.baseURL, configuration.paths.withdraw),
                    headerFields: [.contentType: "application/json", .requestID: RandomIdentifier.uuid()], body: body,
                    timeout: configuration.requestTimeout, connectTimeout: configuration.connectTimeout))
        } catch {
            return try PaymentResult.unknownOrThrow(
                WalletError.transport(error), merchantReference: request.merchantReference, amount: request.amount)
        }
        return withdrawResult(response, request: request)
    }

    /// Reads a withdraw reply; never throws (after sending, every doubt is an unknown outcome).
    func withdrawResult(_ response: TransportResponse, request: PaymentRequest) -> PaymentResult {
        func unknown(_ message: String) -> PaymentResult {
            PaymentResult.unknown(.init(.invalidPartnerResponse, message), merchantReference: request.merchantReference, amount: request.amount)
        }
        guard response.status == 200 else {
            return PaymentResult.unknown(
                .init(.unknownOutcome, "Paytm answered HTTP \(response.status) to the withdraw; query the order"),
                merchantReference: request.merchantReference, amount: request.amount)
        }
        let reply: [String: String]
        do {
            reply = try StrictJSON.decode([String: String].self, from: response.body, what: "the withdraw reply")
        } catch {
            return unknown("the withdraw reply is not a flat JSON object of strings: \(error.message)")
        }
        guard let checksum = reply["CheckSum"], !checksum.isEmpty else {
            return unknown("the withdraw reply has no CheckSum; an unsigned reply is never trusted")
        }
        var signed: [String: String?] = [:]
        for (key, value) in reply where key != "CheckSum" { signed[key] = value }
        guard configuration.checksum.verify(checksum, forParams: signed) else {
            return unknown("the withdraw reply's CheckSum does not verify (tampered, or another merchant key)")
        }
        exchange.history.recordVerified()
        let info = PaytmWire.ResultInfo(resultStatus: reply["Status"] ?? "", resultCode: reply["ResponseCode"], resultMsg: reply["ResponseMessage"])
        let mapped: PaymentStatus
        switch info.resultStatus {
        case "TXN_SUCCESS":
            mapped = .succeeded
        case "TXN_FAILURE":
            mapped = .failed(Self.tokenRefusal(PaytmResultMapping.error(info, "Paytm refused the withdraw", mayHaveCharged: false)))
        case "PENDING":
            mapped = .pending(nil)
        default:
            mapped = .unknown(PaytmResultMapping.unknown(info, "the withdraw is undecided (\(info.resultStatus)); query the order"))
        }
        let binding = ReplyBinding(
            references: [
                .ours("OrderId", held: request.merchantReference, named: reply["OrderId"]),
                .context("MID", held: configuration.merchantID, named: reply["MID"]),
            ],
            expectedAmount: request.amount, statedAmount: Self.stated(reply["TxnAmount"]))
        return PaymentResult(
            status: binding.payment(mapped), merchantReference: request.merchantReference, walletReference: binding.lends(reply["TxnId"]),
            amount: request.amount, partnerResult: PaytmResultMapping.partnerResult(info))
    }

    /// A withdraw refusal about the SSO token: `530` "Invalid Token" is revoked (expired when
    /// its message says so), as authentication failures. Others are returned unchanged.
    static func tokenRefusal(_ error: WalletError) -> WalletError {
        guard error.partnerCode == "530" else { return error }
        let expired = (error.partnerMessage ?? "").range(of: "expir(ed|y)", options: [.regularExpression, .caseInsensitive]) != nil
        return WalletError(
            .authenticationFailed, expired ? "Paytm refused the SSO token as expired" : "Paytm no longer accepts the SSO token (invalid or revoked)",
            partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: false
        ).with(authorization: expired ? .expired : .revoked)
    }

    // MARK: Helpers

    func requireAutoDebit() throws(WalletError) -> PaytmAutoDebit {
        guard let linking = configuration.autoDebit else {
            throw WalletError(
                .invalidRequest, "Paytm Auto Debit is not configured (settings oauthClientId and client_secret)", mayHaveCharged: false)
        }
        return linking
    }

    func encode(_ body: some Encodable) throws(WalletError) -> [UInt8] {
        do {
            return try WireFormat.json(body)
        } catch {
            throw WalletError(.invalidRequest, "could not encode the request", mayHaveCharged: false)
        }
    }

    /// One call to the accounts host with Basic client authentication and the device id;
    /// returns the HTTP status and body. Nothing an accounts call does moves money.
    func accounts(
        _ method: HTTPRequest.Method, _ path: String, body: [UInt8], query: String? = nil, extra: HTTPFields = [:]
    ) async throws(WalletError) -> (Int, [UInt8]) {
        let linking = try requireAutoDebit()
        let basic = Base64.encode(Array("\(linking.clientID):\(linking.clientSecret)".utf8))
        var headerFields: HTTPFields = [.authorization: "Basic " + basic, .paytmDeviceIdentifier: linking.deviceID]
        if !body.isEmpty { headerFields[.contentType] = "application/json" }
        headerFields.append(contentsOf: extra)
        let url = WireFormat.url(linking.accountsURL, path) + (query.map { "?" + $0 } ?? "")
        do {
            let response = try await transport.send(
                TransportRequest(
                    method: method, url: url, headerFields: headerFields, body: body, timeout: configuration.requestTimeout,
                    connectTimeout: configuration.connectTimeout))
            if response.status == 429 || response.status >= 500 {
                throw WalletError(.partnerUnavailable, "Paytm's accounts API answered HTTP \(response.status); try again", mayHaveCharged: false)
            }
            return (response.status, response.body)
        } catch let error as WalletError {
            throw error
        } catch let error as TransportError {
            let mapped = WalletError.transport(error)
            throw WalletError(mapped.category, "Paytm's accounts API: \(mapped.message)", mayHaveCharged: false)
        } catch {
            throw WalletError(.partnerUnavailable, "Paytm's accounts API could not be reached", mayHaveCharged: false)
        }
    }

    /// A Send OTP or Validate OTP reply: SUCCESS, or the refusal by its `responseCode`.
    func decodeOTPReply(_ status: Int, _ bytes: [UInt8], operation: String) throws(WalletError) -> PaytmAuthorizationWire.OTPReply {
        if status == 401 {
            throw WalletError(.authenticationFailed, "Paytm refused the client credentials (HTTP 401) on \(operation)", mayHaveCharged: false)
        }
        let reply = try StrictJSON.decode(PaytmAuthorizationWire.OTPReply.self, from: bytes, what: "the \(operation) reply")
        if status == 200, reply.status == "SUCCESS" { return reply }
        let code = reply.responseCode ?? String(status)
        let (category, problem) = Self.otpCategory(code)
        var error = WalletError(
            category, "Paytm refused the \(operation)", partnerCode: code, partnerMessage: reply.message, mayHaveCharged: false)
        if let problem { error = error.with(authorization: problem) }
        throw error
    }

    /// The category (and authorization problem) of an OTP API `responseCode`.
    static func otpCategory(_ code: String) -> (WalletError.Category, WalletError.AuthorizationProblem?) {
        switch code {
        case "BE1423005", "BE1423006", "BE1425005", "BE1423011": return (.authenticationFailed, nil)
        case "BE1426001", "BE1426002", "BE1426003": return (.invalidRequest, .invalidCode)
        case "BE1424001", "BE1425004", "BE1425006": return (.declined, nil)
        default: return (.invalidRequest, nil)
        }
    }

    static func epochMillis(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// A mobile number as kept: its first 2 and last 2 digits; anything else unchanged.
    static func maskedPhone(_ id: String) -> String? {
        let digits = id.filter(\.isNumber)
        guard digits.count >= 7, id.allSatisfy({ $0.isNumber || $0 == "+" || $0 == "-" || $0 == " " }) else { return nil }
        return digits.prefix(2) + String(repeating: "*", count: digits.count - 4) + digits.suffix(2)
    }
}

/// Paytm's `state_token` of each OTP sent, keyed by our state, until it is validated or
/// expires. The tokens never leave the actor except into a Validate OTP request.
actor PaytmOTPSessions {
    private var entries: [String: (stateToken: String, expiresAt: Date)] = [:]

    func put(state: String, stateToken: String, expiresAt: Date) {
        entries = entries.filter { $0.value.expiresAt > expiresAt.addingTimeInterval(-PaytmAdapter.otpLifetime) }
        entries[state] = (stateToken, expiresAt)
    }

    func stateToken(for state: String, now: Date) -> String? {
        guard let entry = entries[state] else { return nil }
        guard now < entry.expiresAt else {
            entries[state] = nil
            return nil
        }
        return entry.stateToken
    }

    func remove(state: String) { entries[state] = nil }
}
