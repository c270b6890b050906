import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeSNAP

/// The DANA-style wallet's customer authorizations ("bind once, pay in one step"), kept in the
/// ledger's state (so a binding made in one CLI run works in the next) and following the
/// sandbox clock.
///
/// - `GET /v1.0/get-auth-code?…`: a tiny consent page.
/// - `POST /sandbox/dana/consent/approve` `{"consentURL": …, "customer": …}`:
///   `{"redirect": "<redirectUrl>?authCode=…&state=…"}` (or `?error=ACCESS_DENIED&state=…`).
/// - `POST /v1.0/access-token/b2b2c.htm` (74): single-use codes valid 5 minutes; customer
///   access tokens valid 1 hour (60 s for `dana-quick-expiry`), refresh tokens 30 days;
///   a refresh rotates both.
/// - `POST /v1.0/registration-account-unbinding.htm` (09): revokes.
/// - `POST /sandbox/authorizations/dana/revoke` `{"customer": …}` or `{"accessToken": …}`
///   (optional `"notifyURL"`): the customer unbinds in the app; a signed unbind notification
///   goes to the notify URL.
struct DANAAuthorizationBook: Codable, Sendable, Equatable {
    struct Code: Codable, Sendable, Equatable {
        var customerID: String
        var partnerID: String
        var expiresAt: Date
        var used: Bool
    }

    struct Binding: Codable, Sendable, Equatable, SandboxIssuedToken {
        var id: String
        var customerID: String
        var accessToken: String
        var accessTokenExpiresAt: Date
        var refreshToken: String
        var refreshTokenExpiresAt: Date
        /// Access tokens replaced by a refresh: refused as expired.
        var replacedAccessTokens: [String] = []
        var grantedAt: Date
        var revokedAt: Date?
        /// The NOTIFICATION url of the customer's last payment with this binding.
        var notifyURL: String?
    }

    var codes: [String: Code] = [:]
    var bindings: [String: Binding] = [:]
    var sequence = 0

    typealias TokenCheck = SandboxTokenCheck<Binding>

    func check(accessToken token: String, now: Date) -> TokenCheck {
        Binding.check(token, among: bindings.values, now: now)
    }
}

extension LedgerState {
    /// The DANA authorizations (nil in state files written before there were any).
    var dana: DANAAuthorizationBook {
        get { danaAuthorizations ?? DANAAuthorizationBook() }
        set { danaAuthorizations = newValue }
    }
}

extension DANASandbox {
    static let consentPath = "/v1.0/get-auth-code"
    static let accessTokenPrefix = "DANAAT"
    /// Customers who decline the consent page.
    static let refusesConsent: Set<String> = ["dana-refuses-consent"]
    /// Customers whose access tokens live 60 seconds.
    static let quickExpiry: Set<String> = ["dana-quick-expiry"]
    static let codeLifetime: TimeInterval = 300
    static let refreshLifetime: TimeInterval = 30 * 86_400

    /// `DANAUSER` and eight digits: the binding's `publicUserId`.
    static func userID(_ sequence: Int) -> String {
        let number = String(sequence)
        return "DANAUSER" + String(repeating: "0", count: max(0, 8 - number.count)) + number
    }

    static func accessLifetime(_ customerID: String) -> TimeInterval { quickExpiry.contains(customerID) ? 60 : 3600 }

    static func secret(_ prefix: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + ((try? SecureRandom.string(length: 40, alphabet: alphabet)) ?? UUID().uuidString.replacingOccurrences(of: "-", with: ""))
    }

    // MARK: Consent

    /// The consent page: what the customer would see in the DANA app.
    func consentPage(_ request: SandboxRequest) -> SandboxReply {
        let partner = request.query["partnerId"] ?? ""
        guard request.method == "GET", partner == partnerID, request.query["redirectUrl"] != nil, request.query["state"] != nil else {
            return Self.html(400, "<p>Invalid binding request: partnerId, redirectUrl and state are required.</p>")
        }
        let scopes = Self.escaped(request.query["scopes"] ?? "")
        return Self.html(
            200,
            "<h1>Bind your DANA account</h1><p>Merchant \(Self.escaped(request.query["merchantId"] ?? "")) asks for: \(scopes).</p>"
                + "<p>Sandbox: POST /sandbox/dana/consent/approve with {\"consentURL\": this page's URL, \"customer\": \"dana-binds\"}.</p>")
    }

    static func html(_ status: Int, _ body: String) -> SandboxReply {
        SandboxReply(
            status: status, headerFields: [.contentType: "text/html; charset=UTF-8"],
            body: Array("<!doctype html><html><body>\(body)</body></html>".utf8))
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The admin endpoints of DANA authorizations; nil for other paths.
    func authorizationAdmin(_ request: SandboxRequest) -> SandboxReply? {
        switch (request.method, request.path) {
        case ("POST", "/sandbox/dana/consent/approve"): return approve(request.body)
        case ("POST", "/sandbox/authorizations/dana/revoke"): return adminRevoke(request.body)
        default: return nil
        }
    }

    private func approve(_ body: [UInt8]) -> SandboxReply {
        struct Approval: Decodable { var consentURL: String; var customer: String }
        guard let approval = try? JSONDecoder().decode(Approval.self, from: Data(body)),
            let components = URLComponents(string: approval.consentURL)
        else {
            return .json(400, SandboxJSON.encode(["error": "expected {\"consentURL\": URL, \"customer\": ID}"]))
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value }
        guard components.path == Self.consentPath, query["partnerId"] == partnerID, let redirect = query["redirectUrl"], let state = query["state"],
            URLComponents(string: redirect) != nil
        else {
            return .json(400, SandboxJSON.encode(["error": "not a get-auth-code URL of this sandbox's partner with redirectUrl and state"]))
        }
        if let merchant = query["merchantId"], merchant != merchantID {
            return .json(400, SandboxJSON.encode(["error": "unknown merchantId"]))
        }
        guard let customer = SandboxCustomer.find(approval.customer), customer.wallet == Self.wallet else {
            return .json(400, SandboxJSON.encode(["error": "unknown dana customer (see /sandbox/customers)"]))
        }
        let separator = redirect.contains("?") ? "&" : "?"
        let encodedState = state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state
        if Self.refusesConsent.contains(customer.id) {
            return .json(200, SandboxJSON.encode(["redirect": redirect + separator + "error=ACCESS_DENIED&state=" + encodedState]))
        }
        let code = Self.secret("DANAAC")
        let now = clock()
        do {
            try ledger.change { state in
                state.dana.codes[code] = .init(
                    customerID: customer.id, partnerID: partnerID, expiresAt: now.addingTimeInterval(Self.codeLifetime), used: false)
            }
        } catch {
            return .json(500, SandboxJSON.encode(["error": "the ledger could not be written"]))
        }
        return .json(200, SandboxJSON.encode(["redirect": redirect + separator + "authCode=" + code + "&state=" + encodedState]))
    }

    // MARK: Apply Token (74)

    func applyToken(_ request: SandboxRequest, timestamp: String, signature: String) -> Answer {
        guard let clientKey = request.headerFields[.snapClientKey] else {
            return .failure("400", "74", "02", "Invalid Mandatory Field [X-CLIENT-KEY]")
        }
        guard clientKey == partnerID else { return .failure("401", "74", "00", "Unauthorized. Unknown client") }
        do {
            try merchantKey.verifyAccessTokenRequest(signature: signature, clientKey: clientKey, timestamp: timestamp)
        } catch {
            return .failure("401", "74", "00", "Unauthorized. Invalid Signature over \(clientKey)|\(timestamp) (\(error.kind.rawValue))")
        }
        struct Grant: Decodable { var grantType: String; var authCode: String?; var refreshToken: String? }
        guard let grant = try? JSONDecoder().decode(Grant.self, from: Data(request.body)) else {
            return .failure("400", "74", "02", "Invalid Mandatory Field [grantType]")
        }
        let now = clock()
        do {
            switch grant.grantType {
            case "AUTHORIZATION_CODE":
                guard let code = grant.authCode, !code.isEmpty else { return .failure("400", "74", "02", "Invalid Mandatory Field [authCode]") }
                return try ledger.change { state -> Answer in
                    guard var entry = state.dana.codes[code], entry.partnerID == clientKey else {
                        return .failure("401", "74", "00", "Unauthorized. Invalid Auth Code")
                    }
                    if entry.used { return .failure("401", "74", "00", "Unauthorized. Auth Code Used") }
                    if now >= entry.expiresAt { return .failure("401", "74", "00", "Unauthorized. Auth Code Expired") }
                    entry.used = true
                    state.dana.codes[code] = entry
                    state.dana.sequence += 1
                    let binding = DANAAuthorizationBook.Binding(
                        id: Self.userID(state.dana.sequence), customerID: entry.customerID,
                        accessToken: Self.secret(Self.accessTokenPrefix),
                        accessTokenExpiresAt: now.addingTimeInterval(Self.accessLifetime(entry.customerID)), refreshToken: Self.secret("DANART"),
                        refreshTokenExpiresAt: now.addingTimeInterval(Self.refreshLifetime), grantedAt: now)
                    state.dana.bindings[binding.id] = binding
                    return Self.tokenAnswer(binding)
                }
            case "REFRESH_TOKEN":
                guard let refresh = grant.refreshToken, !refresh.isEmpty else {
                    return .failure("400", "74", "02", "Invalid Mandatory Field [refreshToken]")
                }
                return try ledger.change { state -> Answer in
                    guard var binding = state.dana.bindings.values.first(where: { $0.refreshToken == refresh }), binding.revokedAt == nil else {
                        return .failure("401", "74", "04", "Customer Token Not Found")
                    }
                    guard now < binding.refreshTokenExpiresAt else {
                        return .failure("401", "74", "02", "Invalid Customer Token (refresh token expired)")
                    }
                    binding.replacedAccessTokens.append(binding.accessToken)
                    binding.accessToken = Self.secret(Self.accessTokenPrefix)
                    binding.accessTokenExpiresAt = now.addingTimeInterval(Self.accessLifetime(binding.customerID))
                    binding.refreshToken = Self.secret("DANART")
                    binding.refreshTokenExpiresAt = now.addingTimeInterval(Self.refreshLifetime)
                    state.dana.bindings[binding.id] = binding
                    return Self.tokenAnswer(binding)
                }
            default:
                return .failure("400", "74", "01", "Invalid Field Format [grantType]")
            }
        } catch {
            return .failure("500", "74", "01", "Internal Server Error")
        }
    }

    static func tokenAnswer(_ binding: DANAAuthorizationBook.Binding) -> Answer {
        .success(
            "74",
            [
                "tokenType": .string("Bearer"), "accessToken": .string(binding.accessToken),
                "accessTokenExpiryTime": .string(TimestampText.iso8601(binding.accessTokenExpiresAt, offsetHours: 7)),
                "refreshToken": .string(binding.refreshToken),
                "refreshTokenExpiryTime": .string(TimestampText.iso8601(binding.refreshTokenExpiresAt, offsetHours: 7)),
                "additionalInfo": .object(["userInfo": .object(["publicUserId": .string(binding.id)])]),
            ])
    }

    // MARK: Direct debit with a customer token

    /// The customer a direct debit's `Authorization-Customer` names: a documented test
    /// customer id (as before), or an issued customer token. A refused token gets `4015402`
    /// "Invalid Customer Token (expired)" or `4015404` "Customer Token Not Found" (the
    /// sandbox's choice).
    func resolveCustomer(_ credential: String?, notifyURL: String?) -> (customerID: String?, refusal: Answer?) {
        guard let credential else { return (nil, nil) }
        if SandboxCustomer.find(credential) != nil || !credential.hasPrefix(Self.accessTokenPrefix) { return (credential, nil) }
        let now = clock()
        let check = ledger.read { $0.dana.check(accessToken: credential, now: now) }
        switch check {
        case .valid(let binding):
            if let notifyURL, binding.notifyURL != notifyURL {
                try? ledger.change { state in state.dana.bindings[binding.id]?.notifyURL = notifyURL }
            }
            return (binding.customerID, nil)
        case .expired: return (nil, .failure("401", "54", "02", "Invalid Customer Token (expired)"))
        case .revoked, .unknown: return (nil, .failure("401", "54", "04", "Customer Token Not Found"))
        }
    }

    // MARK: Account Unbinding (09)

    func unbind(_ request: SandboxRequest) -> Answer {
        struct Body: Decodable {
            struct Info: Decodable { var accessToken: String?; var deviceId: String? }
            var merchantId: String
            var partnerReferenceNo: String?
            var additionalInfo: Info?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(request.body)) else {
            return .failure("400", "09", "02", "Invalid Mandatory Field [merchantId]")
        }
        guard body.merchantId == merchantID else { return .failure("404", "09", "08", "Invalid Merchant") }
        guard let info = body.additionalInfo, let token = info.accessToken, !token.isEmpty, info.deviceId?.isEmpty == false else {
            return .failure("400", "09", "02", "Invalid Mandatory Field [additionalInfo.accessToken/additionalInfo.deviceId]")
        }
        let header = request.headerFields[.snapAuthorizationCustomer]
        guard header == "Bearer " + token else {
            return .failure("401", "09", "02", "Invalid Customer Token: Authorization-Customer and additionalInfo.accessToken differ")
        }
        let now = clock()
        let found: Bool
        do {
            found = try ledger.change { state -> Bool in
                guard let binding = state.dana.bindings.values.first(where: { $0.accessToken == token }), binding.revokedAt == nil else {
                    return false
                }
                // An expired access token still unbinds (a sandbox choice).
                state.dana.bindings[binding.id]?.revokedAt = now
                return true
            }
        } catch {
            return .failure("500", "09", "01", "Internal Server Error")
        }
        guard found else { return .failure("401", "09", "02", "Invalid Customer Token") }
        var fields: [String: SandboxJSONValue] = ["merchantId": .string(merchantID), "unlinkResult": .string("success")]
        if let reference = body.partnerReferenceNo { fields["partnerReferenceNo"] = .string(reference) }
        return .success("09", fields)
    }

    // MARK: The customer unbinds in the app

    private func adminRevoke(_ body: [UInt8]) -> SandboxReply {
        struct Revoke: Decodable { var customer: String?; var accessToken: String?; var notifyURL: String? }
        guard let wanted = try? JSONDecoder().decode(Revoke.self, from: Data(body)), (wanted.customer == nil) != (wanted.accessToken == nil) else {
            return .json(400, SandboxJSON.encode(["error": "expected {\"customer\": ID} or {\"accessToken\": TOKEN}, and optionally \"notifyURL\""]))
        }
        let now = clock()
        let revoked: [DANAAuthorizationBook.Binding]
        do {
            revoked = try ledger.change { state -> [DANAAuthorizationBook.Binding] in
                var done: [DANAAuthorizationBook.Binding] = []
                for (id, binding) in state.dana.bindings where binding.revokedAt == nil {
                    guard binding.customerID == wanted.customer || binding.accessToken == wanted.accessToken else { continue }
                    state.dana.bindings[id]?.revokedAt = now
                    done.append(binding)
                }
                return done.sorted { $0.id < $1.id }
            }
        } catch {
            return .json(500, SandboxJSON.encode(["error": "the ledger could not be written"]))
        }
        var notified = 0
        for binding in revoked {
            guard let url = wanted.notifyURL ?? binding.notifyURL else { continue }
            sendUnbindNotification(binding, url: url, at: now)
            notified += 1
        }
        return .json(200, Array("{\"revoked\":\(revoked.count),\"notified\":\(notified)}".utf8))
    }

    /// The SNAP-style unbind notification (a sandbox design: DANA's real one uses the DANA Open
    /// API envelope), signed like the finish notification; `2006500` acknowledges it.
    private func sendUnbindNotification(_ binding: DANAAuthorizationBook.Binding, url: String, at now: Date) {
        struct Notify: Encodable { var merchantId: String; var partnerReferenceNo: String; var unbindAccessToken: [String]; var unbindTime: String }
        let body = SandboxJSON.encode(
            Notify(
                merchantId: merchantID, partnerReferenceNo: "UNBIND-\(binding.id)", unbindAccessToken: [binding.accessToken],
                unbindTime: TimestampText.iso8601(now, offsetHours: 7)))
        let signer = walletSigner, clock = self.clock, partnerID = self.partnerID
        notifier.deliver(
            wallet: Self.wallet, url: url, body: body, label: "UNBIND \(binding.id)",
            sign: { path, body in
                let timestamp = TimestampText.iso8601(clock(), offsetHours: 7)
                guard let signature = try? signer.sign(method: "POST", path: path, body: body, timestamp: timestamp) else { return nil }
                return [
                    .contentType: "application/json", .snapTimestamp: timestamp, .snapSignature: signature.value, .snapPartnerID: partnerID,
                    .snapExternalID: UUID().uuidString.replacingOccurrences(of: "-", with: ""), .snapChannelID: "95221",
                ]
            },
            isAcknowledged: { _, response in
                guard response.status == 200, let ack = try? JSONDecoder().decode(SNAPAck.self, from: Data(response.body)) else { return false }
                return ack.responseCode == "2006500"
            })
    }
}
