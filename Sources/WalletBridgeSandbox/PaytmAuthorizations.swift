import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm

/// The Paytm-style wallet's Auto Debit (account linking), kept in the ledger's state (so a
/// binding made in one CLI run pays in the next) and following the sandbox clock.
///
/// - `POST /signin/otp` (Basic `clientId:clientSecret`, `x-device-identifier`): sends the OTP,
///   always `123456`, valid 5 minutes; `phone` is a test customer's number or id.
/// - `POST /signin/validate/otp`: `state_token` and `otp` → SSO token (1 hour; 60 s for
///   `paytm-quick-expiry`) and refresh token (30 days); single use.
/// - `POST /oauth2/token`: `grantType=refresh_token`; rotates both tokens.
/// - `DELETE /oauth2/token/sv1` (`session_token`): revokes; HTTP status only.
/// - `POST /paymentservices/HANDLER_FF/withdrawScw`: the debit, `CheckSum` over the other
///   fields; an expired SSO token is `530` "Invalid Token (expired)", a revoked or unknown one
///   `530` "Invalid Token".
/// - `GET /sandbox/paytm/otp?state=…&redirectUrl=…`: the OTP page; `POST
///   /sandbox/paytm/otp/approve` `{"consentURL", "customer"}` → `{"redirect":
///   "<redirectUrl>?authCode=123456&state=…"}` (`error=ACCESS_DENIED` for
///   `paytm-refuses-consent`).
/// - `POST /sandbox/authorizations/paytm/revoke` `{"customer"}` or `{"accessToken"}`: the
///   customer unlinks in the app.
struct PaytmAuthorizationBook: Codable, Sendable, Equatable {
    struct OTP: Codable, Sendable, Equatable {
        var customerID: String
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
        /// SSO tokens replaced by a refresh: refused as expired.
        var replacedAccessTokens: [String] = []
        var grantedAt: Date
        var revokedAt: Date?
    }

    /// Send OTP's state tokens.
    var otps: [String: OTP] = [:]
    var bindings: [String: Binding] = [:]
    var sequence = 0

    typealias TokenCheck = SandboxTokenCheck<Binding>

    func check(accessToken token: String, now: Date) -> TokenCheck {
        Binding.check(token, among: bindings.values, now: now)
    }
}

extension LedgerState {
    /// The Paytm-style authorizations (nil in state files written before there were any).
    var paytm: PaytmAuthorizationBook {
        get { paytmAuthorizations ?? PaytmAuthorizationBook() }
        set { paytmAuthorizations = newValue }
    }
}

extension PaytmSandbox {
    /// The fixed test OTP.
    static let testOTP = "123456"
    static let otpPagePath = "/sandbox/paytm/otp"
    static let accessTokenPrefix = "PTMSSO"
    static let otpLifetime: TimeInterval = 300
    static let refreshLifetime: TimeInterval = 30 * 86_400
    /// The test customers' mobile numbers.
    static let phones = [
        "paytm-binds": "7777700001", "paytm-refuses-consent": "7777700002", "paytm-quick-expiry": "7777700003", "paytm-pays": "7777700004",
    ]

    static func accessLifetime(_ customerID: String) -> TimeInterval { customerID == "paytm-quick-expiry" ? 60 : 3600 }

    static func secret(_ prefix: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + ((try? SecureRandom.string(length: 40, alphabet: alphabet)) ?? UUID().uuidString.replacingOccurrences(of: "-", with: ""))
    }

    static let authorizationPaths: Set<String> = [
        "/signin/otp", "/signin/validate/otp", "/oauth2/token", "/oauth2/token/sv1", "/paymentservices/HANDLER_FF/withdrawScw", otpPagePath,
        "/sandbox/paytm/otp/approve", "/sandbox/authorizations/paytm/revoke",
    ]

    /// Answers an Auto Debit request; nil for other paths.
    func authorizationHandle(_ request: SandboxRequest) -> SandboxReply? {
        guard Self.authorizationPaths.contains(request.path) else { return nil }
        switch (request.method, request.path) {
        case ("POST", "/signin/otp"): return clientChecked(request) { sendOTP(request) }
        case ("POST", "/signin/validate/otp"): return clientChecked(request) { validateOTP(request) }
        case ("POST", "/oauth2/token"): return clientChecked(request) { refresh(request) }
        case ("DELETE", "/oauth2/token/sv1"): return clientChecked(request) { revoke(request) }
        case ("POST", "/paymentservices/HANDLER_FF/withdrawScw"): return withdraw(request)
        case ("GET", Self.otpPagePath): return otpPage(request)
        case ("POST", "/sandbox/paytm/otp/approve"): return approve(request.body)
        case ("POST", "/sandbox/authorizations/paytm/revoke"): return adminRevoke(request.body)
        default: return .json(405, SandboxJSON.encode(["error": "method not allowed"]))
        }
    }

    // MARK: Accounts APIs

    private func clientChecked(_ request: SandboxRequest, _ body: () -> SandboxReply) -> SandboxReply {
        let expected = "Basic " + Base64.encode(Array("\(SandboxCredentials.paytmOAuthClientID):\(SandboxCredentials.paytmOAuthClientSecret)".utf8))
        guard request.headerFields[.authorization] == expected else {
            return .json(401, SandboxJSON.encode(["status": "FAILURE", "responseCode": "BE1423005", "message": "Invalid Authorization"]))
        }
        guard let device = request.headerFields[.paytmDeviceIdentifier], !device.isEmpty else {
            return .json(400, SandboxJSON.encode(["status": "FAILURE", "responseCode": "BE1423012", "message": "Device identifier missing"]))
        }
        return body()
    }

    private static func failure(_ status: Int, _ code: String, _ message: String) -> SandboxReply {
        .json(status, SandboxJSON.encode(["status": "FAILURE", "responseCode": code, "message": message]))
    }

    private func sendOTP(_ request: SandboxRequest) -> SandboxReply {
        struct Body: Decodable { var phone: String; var scopes: [String]? }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(request.body)) else {
            return Self.failure(400, "434", "Bad request: phone is required")
        }
        let id = Self.phones.first(where: { $0.value == body.phone })?.key ?? body.phone
        guard let customer = SandboxCustomer.find(id), customer.wallet == Self.wallet else {
            return Self.failure(400, "434", "Bad request: no sandbox paytm customer has this phone")
        }
        let stateToken = Self.secret("PTMST")
        let now = clock()
        do {
            try ledger.change { state in
                state.paytm.otps = state.paytm.otps.filter { now < $0.value.expiresAt }
                state.paytm.otps[stateToken] = .init(customerID: customer.id, expiresAt: now.addingTimeInterval(Self.otpLifetime), used: false)
            }
        } catch {
            return Self.failure(500, "BE1400500", "the ledger could not be written")
        }
        return .json(
            200,
            SandboxJSON.encode(["status": "SUCCESS", "responseCode": "BE1400001", "message": "OTP sent to phone", "state_token": stateToken]))
    }

    private func validateOTP(_ request: SandboxRequest) -> SandboxReply {
        struct Body: Decodable {
            var otp: String
            var stateToken: String
            enum CodingKeys: String, CodingKey {
                case otp
                case stateToken = "state_token"
            }
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(request.body)) else {
            return Self.failure(400, "434", "Bad request: state_token and otp are required")
        }
        let now = clock()
        let outcome: Result<PaytmAuthorizationBook.Binding, SandboxReplyBox>
        do {
            outcome = try ledger.change { state in
                guard var otp = state.paytm.otps[body.stateToken], !otp.used else {
                    return .failure(SandboxReplyBox(Self.failure(400, "BE1426003", "Invalid or used state token")))
                }
                guard now < otp.expiresAt else { return .failure(SandboxReplyBox(Self.failure(400, "BE1426002", "OTP expired"))) }
                guard body.otp == Self.testOTP else { return .failure(SandboxReplyBox(Self.failure(400, "BE1426001", "Invalid OTP"))) }
                otp.used = true
                state.paytm.otps[body.stateToken] = otp
                state.paytm.sequence += 1
                let binding = PaytmAuthorizationBook.Binding(
                    id: "PTMLINK\(state.paytm.sequence)", customerID: otp.customerID, accessToken: Self.secret(Self.accessTokenPrefix),
                    accessTokenExpiresAt: now.addingTimeInterval(Self.accessLifetime(otp.customerID)), refreshToken: Self.secret("PTMRT"),
                    refreshTokenExpiresAt: now.addingTimeInterval(Self.refreshLifetime), grantedAt: now)
                state.paytm.bindings[binding.id] = binding
                return .success(binding)
            }
        } catch {
            return Self.failure(500, "BE1400500", "the ledger could not be written")
        }
        switch outcome {
        case .failure(let box): return box.reply
        case .success(let binding):
            struct Tokens: Encodable {
                var accessToken: String; var refreshToken: String; var expires: Int64; var refreshTokenExpires: Int64; var scope: String
            }
            struct Reply: Encodable {
                var status: String; var responseCode: String; var message: String; var tokens: Tokens; var encryptedUserId: String
            }
            return .json(
                200,
                SandboxJSON.encode(
                    Reply(
                        status: "SUCCESS", responseCode: "BE1400001", message: "OTP validated",
                        tokens: Tokens(
                            accessToken: binding.accessToken, refreshToken: binding.refreshToken, expires: Self.millis(binding.accessTokenExpiresAt),
                            refreshTokenExpires: Self.millis(binding.refreshTokenExpiresAt), scope: "paytm,wallet"),
                        encryptedUserId: binding.id)))
        }
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    private func refresh(_ request: SandboxRequest) -> SandboxReply {
        struct Body: Decodable { var grantType: String; var refreshToken: String; var deviceId: String? }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(request.body)), body.grantType == "refresh_token" else {
            return .json(400, SandboxJSON.encode(["error": "434", "error_description": "grantType refresh_token and refreshToken are required"]))
        }
        let now = clock()
        let renewed: PaytmAuthorizationBook.Binding?
        do {
            renewed = try ledger.change { state in
                guard var binding = state.paytm.bindings.values.first(where: { $0.refreshToken == body.refreshToken }), binding.revokedAt == nil,
                    now < binding.refreshTokenExpiresAt
                else { return nil }
                binding.replacedAccessTokens.append(binding.accessToken)
                binding.accessToken = Self.secret(Self.accessTokenPrefix)
                binding.accessTokenExpiresAt = now.addingTimeInterval(Self.accessLifetime(binding.customerID))
                binding.refreshToken = Self.secret("PTMRT")
                binding.refreshTokenExpiresAt = now.addingTimeInterval(Self.refreshLifetime)
                state.paytm.bindings[binding.id] = binding
                return binding
            }
        } catch {
            return .json(500, SandboxJSON.encode(["error": "500", "error_description": "the ledger could not be written"]))
        }
        guard let binding = renewed else {
            return .json(403, SandboxJSON.encode(["error": "BE1422001", "error_description": "Invalid or expired refresh token"]))
        }
        struct Reply: Encodable {
            var scope: String
            var accessToken: String
            var tokenType: String
            var expiresIn: Int64
            var refreshToken: String
            var refreshTokenExpiresIn: Int64
        }
        return .json(
            200,
            SandboxJSON.encode(
                Reply(
                    scope: "paytm,wallet", accessToken: binding.accessToken, tokenType: "BEARER",
                    expiresIn: Self.millis(binding.accessTokenExpiresAt),
                    refreshToken: binding.refreshToken, refreshTokenExpiresIn: Self.millis(binding.refreshTokenExpiresAt))))
    }

    private func revoke(_ request: SandboxRequest) -> SandboxReply {
        guard let token = request.headerFields[.paytmSessionToken], !token.isEmpty else {
            return .json(400, SandboxJSON.encode(["message": "Missing mandatory header"]))
        }
        let now = clock()
        let found =
            (try? ledger.change { state -> Bool in
                guard let binding = state.paytm.bindings.values.first(where: { $0.accessToken == token || $0.replacedAccessTokens.contains(token) }),
                    binding.revokedAt == nil
                else { return false }
                state.paytm.bindings[binding.id]?.revokedAt = now
                return true
            }) ?? false
        return found ? SandboxReply(status: 200) : .json(400, SandboxJSON.encode(["message": "Token not found"]))
    }

    // MARK: Withdraw

    private func withdraw(_ request: SandboxRequest) -> SandboxReply {
        guard let fields = try? JSONDecoder().decode([String: String].self, from: Data(request.body)) else {
            return withdrawReply([
                "Status": "TXN_FAILURE", "ResponseCode": "1001", "ResponseMessage": "the body must be a flat JSON object of strings",
            ])
        }
        var signed: [String: String?] = [:]
        for (key, value) in fields where key != "CheckSum" { signed[key] = value }
        guard let sum = fields["CheckSum"], checksum.verify(sum, forParams: signed) else {
            return withdrawReply(["Status": "TXN_FAILURE", "ResponseCode": "330", "ResponseMessage": "Checksum provided is invalid"])
        }
        let orderID = fields["OrderId"] ?? ""
        var reply: [String: String] = ["MID": merchantID, "OrderId": orderID, "TxnAmount": fields["TxnAmount"] ?? ""]
        func refuse(_ code: String, _ message: String) -> SandboxReply {
            reply["Status"] = "TXN_FAILURE"
            reply["ResponseCode"] = code
            reply["ResponseMessage"] = message
            return withdrawReply(reply)
        }
        guard fields["MID"] == merchantID else { return refuse("335", "Mid is invalid") }
        guard fields["ReqType"] == "WITHDRAW", fields["PaymentMode"] == "PPI", fields["Currency"] == "INR" else {
            return refuse("1001", "ReqType WITHDRAW, PaymentMode PPI and Currency INR are required")
        }
        guard PaytmSandbox.isReference(orderID) else { return refuse("1001", "OrderId must be 1 to 50 characters of letters, digits and @ - _ .") }
        guard let text = fields["TxnAmount"], let amount = try? Money(parsing: text, currency: .inr), amount.minorUnits > 0 else {
            return refuse("196", "TxnAmount must be a positive amount with at most two decimals")
        }
        let token = fields["SSOToken"] ?? ""
        let now = clock()
        let customerID: String
        if let customer = SandboxCustomer.find(token), customer.wallet == Self.wallet {
            customerID = customer.id
        } else {
            switch ledger.read({ $0.paytm.check(accessToken: token, now: now) }) {
            case .valid(let binding): customerID = binding.customerID
            case .expired: return refuse("530", "Invalid Token (expired)")
            case .revoked, .unknown: return refuse("530", "Invalid Token")
            }
        }
        guard let customer = SandboxCustomer.find(customerID) else { return refuse("530", "Invalid Token") }
        let fingerprint = ["WITHDRAW", text, customerID].joined(separator: "\u{1F}")
        let outcome: (LedgerPayment?, String?)
        do {
            outcome = try ledger.change { state in
                if let existing = state.payment(Self.wallet, merchantReference: orderID) {
                    return existing.fingerprint == fingerprint ? (existing, nil) : (nil, "325")
                }
                let txnID = state.nextReference(prefix: "PTM", date: now)
                var payment = LedgerPayment(
                    wallet: Self.wallet, merchantReference: orderID, walletReference: txnID, fingerprint: fingerprint, customerID: customer.id,
                    amountMinor: amount.minorUnits, currency: "INR", customerAmountMinor: amount.minorUnits, customerCurrency: "INR",
                    quotePair: nil, quoteRate: nil, quoteID: nil, state: .processing, failureCode: nil, failureMessage: nil, inquiriesLeft: 0,
                    createdAt: PaytmSandbox.date(now), completedAt: nil, notifyURL: nil, refundedMinor: 0, token: nil)
                PaytmSandbox.complete(&payment, customer: customer, state: &state, now: now)
                state.payments[LedgerState.key(Self.wallet, orderID)] = payment
                return (payment, nil)
            }
        } catch {
            return refuse("501", "System Error")
        }
        if outcome.1 != nil { return refuse("325", "Duplicate Order Id") }
        guard let payment = outcome.0 else { return refuse("501", "System Error") }
        reply["TxnId"] = payment.walletReference
        reply["TxnAmount"] = Money(minorUnits: payment.amountMinor, currency: .inr).decimalString
        reply["PaymentMode"] = "PPI"
        reply["BankName"] = "WALLET"
        reply["TxnDate"] = payment.completedAt ?? payment.createdAt
        switch payment.state {
        case .succeeded:
            reply["Status"] = "TXN_SUCCESS"
            reply["ResponseCode"] = "01"
            reply["ResponseMessage"] = "Txn Successful."
            reply["BankTxnId"] = "BANK" + payment.walletReference
        case .processing:
            reply["Status"] = "PENDING"
            reply["ResponseCode"] = "402"
            reply["ResponseMessage"] = "Txn pending"
        case .failed, .cancelled:
            reply["Status"] = "TXN_FAILURE"
            reply["ResponseCode"] = payment.failureCode ?? "810"
            reply["ResponseMessage"] = payment.failureMessage ?? "Txn Failed"
        }
        return withdrawReply(reply)
    }

    /// The flat reply with `CheckSum` over its other fields (as a form).
    private func withdrawReply(_ fields: [String: String]) -> SandboxReply {
        var fields = fields
        var signed: [String: String?] = [:]
        for (key, value) in fields { signed[key] = value }
        if let generated = try? checksum.generate(forParams: signed) { fields["CheckSum"] = generated.checksum }
        return .json(200, SandboxJSON.encode(fields))
    }

    // MARK: OTP page

    private func otpPage(_ request: SandboxRequest) -> SandboxReply {
        guard request.query["state"] != nil, request.query["redirectUrl"] != nil else {
            return DANASandbox.html(400, "<p>Invalid OTP page request: state and redirectUrl are required.</p>")
        }
        return DANASandbox.html(
            200,
            "<h1>Link your Paytm wallet</h1><p>Enter the OTP sent to your phone (sandbox: 123456).</p>"
                + "<p>Sandbox: POST /sandbox/paytm/otp/approve with {\"consentURL\": this page's URL, \"customer\": \"paytm-binds\"}.</p>")
    }

    private func approve(_ body: [UInt8]) -> SandboxReply {
        struct Approval: Decodable { var consentURL: String; var customer: String }
        guard let approval = try? JSONDecoder().decode(Approval.self, from: Data(body)), let components = URLComponents(string: approval.consentURL)
        else {
            return .json(400, SandboxJSON.encode(["error": "expected {\"consentURL\": URL, \"customer\": ID}"]))
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value }
        guard components.path == Self.otpPagePath, let redirect = query["redirectUrl"], let state = query["state"],
            URLComponents(string: redirect) != nil
        else {
            return .json(400, SandboxJSON.encode(["error": "not an OTP page URL of this sandbox with redirectUrl and state"]))
        }
        guard let customer = SandboxCustomer.find(approval.customer), customer.wallet == Self.wallet else {
            return .json(400, SandboxJSON.encode(["error": "unknown paytm customer (see /sandbox/customers)"]))
        }
        let separator = redirect.contains("?") ? "&" : "?"
        let encodedState = state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state
        if customer.id == "paytm-refuses-consent" {
            return .json(200, SandboxJSON.encode(["redirect": redirect + separator + "error=ACCESS_DENIED&state=" + encodedState]))
        }
        return .json(200, SandboxJSON.encode(["redirect": redirect + separator + "authCode=" + Self.testOTP + "&state=" + encodedState]))
    }

    private func adminRevoke(_ body: [UInt8]) -> SandboxReply {
        struct Revoke: Decodable { var customer: String?; var accessToken: String? }
        guard let wanted = try? JSONDecoder().decode(Revoke.self, from: Data(body)), (wanted.customer == nil) != (wanted.accessToken == nil) else {
            return .json(400, SandboxJSON.encode(["error": "expected {\"customer\": ID} or {\"accessToken\": TOKEN}"]))
        }
        let now = clock()
        let count: Int
        do {
            count = try ledger.change { state -> Int in
                var done = 0
                for (id, binding) in state.paytm.bindings where binding.revokedAt == nil {
                    guard binding.customerID == wanted.customer || binding.accessToken == wanted.accessToken else { continue }
                    state.paytm.bindings[id]?.revokedAt = now
                    done += 1
                }
                return done
            }
        } catch {
            return .json(500, SandboxJSON.encode(["error": "the ledger could not be written"]))
        }
        return .json(200, Array("{\"revoked\":\(count)}".utf8))
    }
}

/// A reply carried out of a ledger change.
struct SandboxReplyBox: Error {
    let reply: SandboxReply
    init(_ reply: SandboxReply) { self.reply = reply }
}
