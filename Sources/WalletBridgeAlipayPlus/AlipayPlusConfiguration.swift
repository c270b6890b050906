import WalletBridgeCore
import WalletBridgeCrypto

/// Everything the Alipay+ adapter needs: endpoints, identity, keys, and the wallet's terms.
public struct AlipayPlusConfiguration: Sendable {
    /// Paths of each operation; the defaults are Alipay+'s `/aps/api/v1/payments/...`.
    public struct Paths: Sendable, Equatable {
        /// Payment (auto debit).
        public var pay = "/aps/api/v1/payments/pay"
        /// Payment inquiry.
        public var inquiryPayment = "/aps/api/v1/payments/inquiryPayment"
        /// Cancel.
        public var cancelPayment = "/aps/api/v1/payments/cancelPayment"
        /// Refund.
        public var refund = "/aps/api/v1/payments/refund"
        /// Refund inquiry.
        public var inquiryRefund = "/aps/api/v1/payments/inquiryRefund"
        /// Customer authorization: where the customer grants it (Antom `consult`).
        public var consultAuthorization = "/ams/api/v1/authorizations/consult"
        /// Customer authorization: the code or refresh token for tokens (`applyToken`).
        public var applyToken = "/ams/api/v1/authorizations/applyToken"
        /// Customer authorization: the merchant ends it (Antom `revoke`).
        public var revokeToken = "/ams/api/v1/authorizations/revoke"

        /// The Alipay+ acquirer paths.
        public init() {}
    }

    /// `https://host[:port]`, no trailing slash.
    public var baseURL: String
    /// Operation paths.
    public var paths: Paths
    /// Our `Client-Id`.
    public var clientID: String
    /// Signs our requests and notification acknowledgements.
    public var signer: AlipayPlusSigner
    /// Verifies the platform's responses and notifications (keys by keyVersion).
    public var verifier: AlipayPlusVerifier
    /// `paymentMethod.paymentMethodType`, e.g. `GCASH`.
    public var paymentMethodType: String
    /// `productCode`; the server-to-server auto-debit flow is `AGREEMENT_PAYMENT`.
    public var productCode: String
    /// `env.terminalType`.
    public var terminalType: String
    /// Default `paymentNotifyUrl`.
    public var notifyURL: String?
    /// The wallet's currency (PHP for GCash).
    public var walletCurrency: Currency
    /// Currencies merchants may charge in; others are converted by the wallet's quote.
    public var merchantCurrencies: [Currency]
    /// Per-request deadlines.
    public var connectTimeout: Duration
    /// Per-request deadlines.
    public var requestTimeout: Duration
    /// How an open payment is settled: the auto-debit guide's "inquire every 3 s for 60 s,
    /// then cancel" by default (settings `reconcileIntervalSeconds`, `reconcileWindowSeconds`).
    public var reconciliation: ReconciliationRule = .inquireThenCancel(interval: .seconds(3), window: .seconds(60))
    /// How far a notification's signed `Request-Time` may be from our clock before it is
    /// refused as stale (a replay) or skewed; nil checks the signature only. Setting
    /// `notificationClockToleranceSeconds`; 300 is a sound production value.
    public var notificationClockTolerance: Duration?
    /// The wallet's own result codes (``AlipayPlusWallet/resultCodes``), each with its
    /// category: consulted before the shared Alipay+ mapping. Empty for GCash.
    public var resultCodes: [String: WalletError.Category]
    /// Where the wallet sends the customer back with the authorization code when an
    /// `AuthorizationRequest` names none (setting `authRedirectUrl`); nil requires every
    /// request to name one.
    public var authorizationRedirectURL: String?

    /// Creates a configuration.
    public init(
        baseURL: String,
        paths: Paths = Paths(),
        clientID: String,
        signer: AlipayPlusSigner,
        verifier: AlipayPlusVerifier,
        paymentMethodType: String = "GCASH",
        productCode: String = "AGREEMENT_PAYMENT",
        terminalType: String = "WEB",
        notifyURL: String? = nil,
        walletCurrency: Currency = .php,
        merchantCurrencies: [Currency] = [.php, .usd, .jpy],
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        resultCodes: [String: WalletError.Category] = [:]
    ) {
        self.baseURL = baseURL
        self.paths = paths
        self.clientID = clientID
        self.signer = signer
        self.verifier = verifier
        self.paymentMethodType = paymentMethodType
        self.productCode = productCode
        self.terminalType = terminalType
        self.notifyURL = notifyURL
        self.walletCurrency = walletCurrency
        self.merchantCurrencies = merchantCurrencies
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.resultCodes = resultCodes
    }

    /// Builds a configuration from a partner profile, loading its keys.
    ///
    /// Settings read: `paymentMethodType`, `productCode`, `terminalType`, `walletCurrency`,
    /// `merchantCurrencies` (comma-separated codes), `reconcileIntervalSeconds` (3) and
    /// `reconcileWindowSeconds` (60), `notificationClockToleranceSeconds` (none), `authRedirectUrl` (none). Paths: `pay`,
    /// `inquiryPayment`, `cancelPayment`, `refund`, `inquiryRefund`, `consultAuthorization`, `applyToken`, `revokeToken`.
    ///
    /// A wallet with shipped terms (``AlipayPlusWallet/known``: found by the
    /// `paymentMethodType` setting, else by the profile's wallet name) supplies the defaults of
    /// `paymentMethodType`, `walletCurrency` and `merchantCurrencies`, and its
    /// ``resultCodes``; otherwise the defaults are GCash's (`GCASH`, PHP; PHP, USD, JPY).
    public init(profile: PartnerProfile) throws(ProfileError) {
        guard profile.scheme == "alipayplus" else {
            throw ProfileError("profile \(profile.wallet) is for scheme \(profile.scheme), not alipayplus")
        }
        guard let merchantKey = profile.merchantKey else { throw ProfileError("profile \(profile.wallet): merchant_key is required") }
        guard !profile.partnerPublicKeys.isEmpty else { throw ProfileError("profile \(profile.wallet): partner_public_keys is required") }
        let privateKey: RSAPrivateKey
        var publicKeys: [String: RSAPublicKey] = [:]
        do {
            privateKey = try RSAPrivateKey(text: merchantKey.loadText())
            for (version, source) in profile.partnerPublicKeys { publicKeys[version] = try RSAPublicKey(text: source.loadText()) }
        } catch {
            throw ProfileError("profile \(profile.wallet): \(error)")
        }
        let store: PublicKeyStore
        do {
            store = try PublicKeyStore(publicKeys)
        } catch {
            throw ProfileError("profile \(profile.wallet): \(error)")
        }
        var paths = Paths()
        for (name, path) in profile.paths {
            switch name {
            case "pay": paths.pay = path
            case "inquiryPayment": paths.inquiryPayment = path
            case "cancelPayment", "cancel": paths.cancelPayment = path
            case "refund": paths.refund = path
            case "inquiryRefund": paths.inquiryRefund = path
            case "consultAuthorization": paths.consultAuthorization = path
            case "applyToken": paths.applyToken = path
            case "revokeToken": paths.revokeToken = path
            default: throw ProfileError("profile \(profile.wallet): unknown path name \(name)")
            }
        }
        func currency(_ code: String) throws(ProfileError) -> Currency {
            do { return try Currency(code: code.trimmingSpaces) } catch { throw ProfileError("profile \(profile.wallet): \(error)") }
        }
        let terms = AlipayPlusWallet.known(paymentMethodType: profile.settings["paymentMethodType"], name: profile.wallet)
        var merchantCurrencies: [Currency] = terms?.merchantCurrencies ?? [.php, .usd, .jpy]
        if let list = profile.settings["merchantCurrencies"] {
            merchantCurrencies = []
            for code in list.split(separator: ",") { merchantCurrencies.append(try currency(String(code))) }
        }
        self.init(
            baseURL: profile.baseURL,
            paths: paths,
            clientID: profile.clientID,
            signer: AlipayPlusSigner(privateKey: privateKey, keyVersion: profile.keyVersion ?? "1"),
            verifier: AlipayPlusVerifier(keys: store),
            paymentMethodType: profile.settings["paymentMethodType"] ?? terms?.paymentMethodType ?? "GCASH",
            productCode: profile.settings["productCode"] ?? "AGREEMENT_PAYMENT",
            terminalType: profile.settings["terminalType"] ?? "WEB",
            notifyURL: profile.notifyURL,
            walletCurrency: try currency(profile.settings["walletCurrency"] ?? terms?.walletCurrency.code ?? "PHP"),
            merchantCurrencies: merchantCurrencies,
            connectTimeout: profile.connectTimeout,
            requestTimeout: profile.requestTimeout,
            resultCodes: terms?.resultCodes ?? [:]
        )
        func seconds(_ name: String, _ fallback: Int64) throws(ProfileError) -> Duration {
            guard let text = profile.settings[name] else { return .seconds(fallback) }
            guard let value = Int64(text), value > 0 else {
                throw ProfileError("profile \(profile.wallet): \(name) must be a positive whole number of seconds")
            }
            return .seconds(value)
        }
        reconciliation = .inquireThenCancel(interval: try seconds("reconcileIntervalSeconds", 3), window: try seconds("reconcileWindowSeconds", 60))
        authorizationRedirectURL = profile.settings["authRedirectUrl"]
        if profile.settings["notificationClockToleranceSeconds"] != nil {
            notificationClockTolerance = try seconds("notificationClockToleranceSeconds", 300)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
