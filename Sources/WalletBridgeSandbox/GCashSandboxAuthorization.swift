import Foundation
import WalletBridgeCore

/// Customer authorization on the sandbox's Alipay+ wallets ("bind once, pay in one step"):
/// `consult` answers with the sandbox's own consent page, the customer approves there (the CLI
/// and tests post `/sandbox/consent/approve` as the customer would), `applyToken` exchanges the
/// single-use code (5 minutes) for an access token (1 hour, 60 s for `gcash-quick-expiry`) and a
/// refresh token (30 days), a refresh rotates both, `revoke` ends the binding, and
/// `POST /sandbox/authorizations/revoke` ends it as the customer would in the app (with a signed
/// `TOKEN_CANCELED` notification). Times follow the sandbox clock. The result codes for bad codes
/// and refresh tokens, and `ACCESS_TOKEN_EXPIRED` on pay, are the sandbox's emulation choices.
extension GCashSandbox {
    // MARK: Wallet API

    func consult(_ request: GCashWire.ConsultRequest) -> [UInt8] {
        guard request.customerBelongsTo == network.paymentMethodType else {
            return SandboxJSON.encode(
                GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "customerBelongsTo must be \(network.paymentMethodType)")))
        }
        guard URLComponents(string: request.authRedirectUrl)?.scheme != nil, request.authRedirectUrl.utf8.count <= 1024 else {
            return SandboxJSON.encode(
                GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "authRedirectUrl must be a URL of at most 1024 characters")))
        }
        guard !request.authState.isEmpty, request.authState.utf8.count <= 256 else {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "authState must be 1 to 256 characters")))
        }
        guard (1...4).contains(request.scopes.count) else {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "scopes must name 1 to 4 scopes")))
        }
        let session = authorizations.change { state -> SandboxAuthorizations.Session in
            let session = SandboxAuthorizations.Session(
                id: state.nextID("CS") + "-" + SandboxAuthorizations.secret().prefix(12), wallet: wallet, clientID: clientID,
                redirectURL: request.authRedirectUrl, state: request.authState, scopes: request.scopes, notifyURL: request.authNotifyUrl)
            state.sessions[session.id] = session
            return session
        }
        let page = "\(authorizations.baseURL)/sandbox/consent?wallet=\(wallet)&session=\(session.id)"
        return SandboxJSON.encode(
            GCashWire.ConsultBody(
                result: .success, authUrl: page, normalUrl: page, schemeUrl: "\(wallet)://walletbridge-sandbox/consent?session=\(session.id)",
                applinkUrl: nil))
    }

    func applyToken(_ request: GCashWire.ApplyTokenRequest) -> [UInt8] {
        guard request.customerBelongsTo == network.paymentMethodType else {
            return SandboxJSON.encode(
                GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "customerBelongsTo must be \(network.paymentMethodType)")))
        }
        let now = clock()
        let outcome: Result<SandboxAuthorizations.Binding, GCashWire.Result>
        switch request.grantType {
        case "AUTHORIZATION_CODE":
            guard let code = request.authCode else {
                return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "authCode is required for AUTHORIZATION_CODE")))
            }
            outcome = exchange(code: code, now: now)
        case "REFRESH_TOKEN":
            guard let token = request.refreshToken else {
                return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "refreshToken is required for REFRESH_TOKEN")))
            }
            outcome = refresh(token, now: now)
        default:
            return SandboxJSON.encode(
                GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "grantType must be AUTHORIZATION_CODE or REFRESH_TOKEN")))
        }
        switch outcome {
        case .failure(let refusal):
            return SandboxJSON.encode(GCashWire.ResultOnly(result: refusal))
        case .success(let binding):
            return SandboxJSON.encode(
                GCashWire.TokenBody(
                    result: .success, accessToken: binding.accessToken,
                    accessTokenExpiryTime: TimestampText.iso8601(binding.accessTokenExpiresAt, offsetHours: 8),
                    refreshToken: binding.refreshToken, refreshTokenExpiryTime: TimestampText.iso8601(binding.refreshTokenExpiresAt, offsetHours: 8),
                    userLoginId: Self.loginID(binding.customerID)))
        }
    }

    private func exchange(code: String, now: Date) -> Result<SandboxAuthorizations.Binding, GCashWire.Result> {
        authorizations.change { state in
            guard var issued = state.codes[code], issued.wallet == wallet, issued.clientID == clientID else {
                return .failure(.failure("INVALID_CODE", "the authorization code is unknown or was issued to another client"))
            }
            guard !issued.used else { return .failure(.failure("USED_CODE", "the authorization code was already used")) }
            guard now.timeIntervalSince(issued.issuedAt) <= SandboxAuthorizations.codeLifetime else {
                return .failure(.failure("EXPIRED_CODE", "the authorization code has expired (5 minutes)"))
            }
            issued.used = true
            state.codes[code] = issued
            let lifetime = SandboxCustomer.find(issued.customerID)?.accessTokenLifetime ?? 3600
            let binding = SandboxAuthorizations.Binding(
                id: state.nextID("AB"), wallet: wallet, clientID: clientID, customerID: issued.customerID, scopes: issued.scopes,
                notifyURL: issued.notifyURL, accessToken: SandboxAuthorizations.secret(), accessTokenExpiresAt: now.addingTimeInterval(lifetime),
                refreshToken: SandboxAuthorizations.secret(),
                refreshTokenExpiresAt: now.addingTimeInterval(SandboxAuthorizations.refreshTokenLifetime), grantedAt: now)
            state.bindings.append(binding)
            return .success(binding)
        }
    }

    private func refresh(_ token: String, now: Date) -> Result<SandboxAuthorizations.Binding, GCashWire.Result> {
        authorizations.change { state in
            guard let index = state.bindings.firstIndex(where: { $0.refreshToken == token }),
                state.bindings[index].wallet == wallet, state.bindings[index].clientID == clientID, state.bindings[index].revokedAt == nil
            else {
                return .failure(.failure("INVALID_REFRESH_TOKEN", "the refresh token is unknown, revoked or another client's"))
            }
            guard now < state.bindings[index].refreshTokenExpiresAt else {
                return .failure(.failure("REFRESH_TOKEN_EXPIRED", "the refresh token has expired; the customer must bind again"))
            }
            let lifetime = SandboxCustomer.find(state.bindings[index].customerID)?.accessTokenLifetime ?? 3600
            state.bindings[index].accessToken = SandboxAuthorizations.secret()
            state.bindings[index].accessTokenExpiresAt = now.addingTimeInterval(lifetime)
            state.bindings[index].refreshToken = SandboxAuthorizations.secret()
            state.bindings[index].refreshTokenExpiresAt = now.addingTimeInterval(SandboxAuthorizations.refreshTokenLifetime)
            state.bindings[index].refreshes += 1
            return .success(state.bindings[index])
        }
    }

    func revoke(_ request: GCashWire.RevokeRequest) -> [UInt8] {
        let now = clock()
        let revoked = authorizations.change { state -> Bool in
            guard let index = state.bindings.firstIndex(where: { $0.accessToken == request.accessToken }),
                state.bindings[index].wallet == wallet, state.bindings[index].clientID == clientID, state.bindings[index].revokedAt == nil
            else { return false }
            state.bindings[index].revokedAt = now
            return true
        }
        return SandboxJSON.encode(
            GCashWire.ResultOnly(
                result: revoked ? .success : .failure("INVALID_ACCESS_TOKEN", "the access token is unknown, revoked or another client's")))
    }

    /// Who pays with `paymentMethodId`: a documented test customer of this wallet (as before),
    /// or the customer an access token this wallet issued to this client stands for. An expired
    /// token is `ACCESS_TOKEN_EXPIRED`; a revoked, rotated, unknown or other client's token is
    /// `INVALID_ACCESS_TOKEN`.
    func resolvePaymentMethod(_ id: String, now: Date) -> (customer: SandboxCustomer?, refusal: GCashWire.Result?) {
        if let customer = SandboxCustomer.find(id), customer.wallet == wallet { return (customer, nil) }
        let binding = authorizations.change { state in state.bindings.first { $0.accessToken == id } }
        guard let binding, binding.wallet == wallet, binding.clientID == clientID else {
            return (nil, .failure("INVALID_ACCESS_TOKEN", "no sandbox customer or access token has this paymentMethodId"))
        }
        let customer = SandboxCustomer.find(binding.customerID)
        if binding.revokedAt != nil { return (customer, .failure("INVALID_ACCESS_TOKEN", "the access token was revoked")) }
        if now >= binding.accessTokenExpiresAt { return (customer, .failure("ACCESS_TOKEN_EXPIRED", "the access token has expired")) }
        return (customer, nil)
    }

    /// A test customer's `userLoginId`: a made-up phone number of the wallet's country.
    static func loginID(_ customerID: String) -> String {
        let digits = String(format: "%07d", abs(customerID.utf8.reduce(7) { ($0 &* 31 &+ Int($1)) % 10_000_000 }))
        return customerID.hasPrefix("tng") ? "+6012" + digits : "0917" + digits
    }

    // MARK: Admin (the customer's side)

    /// The consent page and the customer's actions: `GET /sandbox/consent`,
    /// `POST /sandbox/consent/approve`, `POST /sandbox/authorizations/revoke`,
    /// `GET /sandbox/authorizations`; nil for any other path.
    static func authorizationAdmin(_ request: SandboxRequest, wallets: [GCashSandbox]) -> SandboxReply? {
        guard let store = wallets.first?.authorizations else { return nil }
        switch (request.method, request.path) {
        case ("GET", "/sandbox/consent"):
            let id = request.query["session"] ?? ""
            guard let session = store.change({ $0.sessions[id] }) else {
                return .json(404, SandboxJSON.encode(["error": "no such consent session"]))
            }
            let html = """
                <!doctype html><html><head><meta charset="utf-8"><title>\(session.wallet) sandbox consent</title></head><body>
                <h1>\(session.wallet.uppercased()) sandbox: authorize a merchant</h1>
                <p>The merchant asks for: \(session.scopes.joined(separator: ", ")).</p>
                <form method="post" action="/sandbox/consent/approve"><input type="hidden" name="session" value="\(session.id)">
                <label>Customer <input name="customer" value="\(session.wallet)-binds"></label> <button>Approve</button></form>
                </body></html>
                """
            return SandboxReply(status: 200, headerFields: [.contentType: "text/html; charset=UTF-8"], body: Array(html.utf8))
        case ("POST", "/sandbox/consent/approve"):
            let fields = formOrJSON(request.body)
            guard let id = fields["session"], let customerID = fields["customer"] else {
                return .json(400, SandboxJSON.encode(["error": "expected {\"session\": ID, \"customer\": CUSTOMER}"]))
            }
            return approve(session: id, customerID: customerID, declines: fields["approve"] == "false", wallets: wallets)
        case ("POST", "/sandbox/authorizations/revoke"):
            let fields = formOrJSON(request.body)
            guard fields["accessToken"] != nil || (fields["wallet"] != nil && fields["customer"] != nil) else {
                return .json(400, SandboxJSON.encode(["error": "expected {\"wallet\": W, \"customer\": C} or {\"accessToken\": T}"]))
            }
            return revokeAsCustomer(fields, wallets: wallets)
        case ("GET", "/sandbox/authorizations"):
            struct Listed: Encodable {
                var id: String
                var wallet: String
                var customer: String
                var scopes: [String]
                var accessTokenExpiryTime: String
                var refreshTokenExpiryTime: String
                var refreshes: Int
                var revoked: Bool
            }
            let listed = store.change { state in
                state.bindings.filter { request.query["wallet"] == nil || $0.wallet == request.query["wallet"] }.map {
                    Listed(
                        id: $0.id, wallet: $0.wallet, customer: $0.customerID, scopes: $0.scopes,
                        accessTokenExpiryTime: TimestampText.iso8601($0.accessTokenExpiresAt, offsetHours: 8),
                        refreshTokenExpiryTime: TimestampText.iso8601($0.refreshTokenExpiresAt, offsetHours: 8), refreshes: $0.refreshes,
                        revoked: $0.revokedAt != nil)
                }
            }
            return .json(200, SandboxJSON.encode(listed))
        default:
            return nil
        }
    }

    /// The customer answers the consent page: a code and the state back to the merchant's
    /// redirect URL (and `AUTHCODE_CREATED` to its notify URL), or `error=ACCESS_DENIED`.
    private static func approve(session id: String, customerID: String, declines: Bool, wallets: [GCashSandbox]) -> SandboxReply {
        guard let store = wallets.first?.authorizations, let found = store.change({ $0.sessions[id] }),
            let wallet = wallets.first(where: { $0.wallet == found.wallet })
        else {
            return .json(404, SandboxJSON.encode(["error": "no such consent session"]))
        }
        guard let customer = SandboxCustomer.find(customerID), customer.wallet == found.wallet else {
            return .json(400, SandboxJSON.encode(["error": "\(customerID) is not a \(found.wallet) test customer"]))
        }
        let now = wallet.clock()
        let code = SandboxAuthorizations.secret()
        let session: SandboxAuthorizations.Session? = store.change { state in
            guard var session = state.sessions[id], !session.used else { return nil }
            session.used = true
            state.sessions[id] = session
            if !(declines || customer.refusesConsent) {
                state.codes[code] = SandboxAuthorizations.Code(
                    wallet: session.wallet, clientID: session.clientID, customerID: customer.id, scopes: session.scopes,
                    notifyURL: session.notifyURL, issuedAt: now)
            }
            return session
        }
        guard let session else { return .json(409, SandboxJSON.encode(["error": "the consent session was already answered"])) }
        var components = URLComponents(string: session.redirectURL)
        var items = components?.queryItems ?? []
        if declines || customer.refusesConsent {
            items += [URLQueryItem(name: "error", value: "ACCESS_DENIED"), URLQueryItem(name: "authState", value: session.state)]
        } else {
            items += [URLQueryItem(name: "authCode", value: code), URLQueryItem(name: "authState", value: session.state)]
            if let url = session.notifyURL {
                let body = GCashWire.AuthorizationNotifyBody(
                    authorizationNotifyType: "AUTHCODE_CREATED", authClientId: session.clientID, authCode: code, authState: session.state,
                    userLoginId: loginID(customer.id), result: .success)
                wallet.deliverSigned(SandboxJSON.encode(body), to: url, label: "AUTHCODE_CREATED \(session.id)")
            }
        }
        components?.queryItems = items
        return .json(200, SandboxJSON.encode(["redirect": components?.string ?? session.redirectURL]))
    }

    /// The customer unbinds the merchant in the wallet app: every matching active binding is
    /// revoked and its merchant gets a signed `TOKEN_CANCELED`.
    private static func revokeAsCustomer(_ fields: [String: String], wallets: [GCashSandbox]) -> SandboxReply {
        guard let store = wallets.first?.authorizations, let now = wallets.first?.clock() else {
            return .json(500, SandboxJSON.encode(["error": "no wallet"]))
        }
        let revoked = store.change { state -> [SandboxAuthorizations.Binding] in
            var revoked: [SandboxAuthorizations.Binding] = []
            for index in state.bindings.indices where state.bindings[index].revokedAt == nil {
                let binding = state.bindings[index]
                let matches =
                    fields["accessToken"].map { $0 == binding.accessToken }
                    ?? (binding.wallet == fields["wallet"] && binding.customerID == fields["customer"])
                guard matches else { continue }
                state.bindings[index].revokedAt = now
                revoked.append(binding)
            }
            return revoked
        }
        for binding in revoked {
            guard let url = binding.notifyURL, let wallet = wallets.first(where: { $0.wallet == binding.wallet }) else { continue }
            let body = GCashWire.AuthorizationNotifyBody(
                authorizationNotifyType: "TOKEN_CANCELED", authClientId: binding.clientID, accessToken: binding.accessToken,
                reason: "the customer unbound the merchant in the wallet app", userLoginId: loginID(binding.customerID), result: .success)
            wallet.deliverSigned(SandboxJSON.encode(body), to: url, label: "TOKEN_CANCELED \(binding.id)")
        }
        return .json(200, SandboxJSON.encode(["revoked": revoked.map(\.id)]))
    }

    /// A JSON object of strings (or booleans), else a form-encoded body.
    private static func formOrJSON(_ body: [UInt8]) -> [String: String] {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            return object.compactMapValues { value in
                if let text = value as? String { return text }
                if let flag = value as? Bool { return flag ? "true" : "false" }
                return nil
            }
        }
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }
}

/// A wallet's refusal, as the error of an authorization step.
extension GCashWire.Result: Error {}
