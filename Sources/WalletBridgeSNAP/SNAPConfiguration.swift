import WalletBridgeCore
import WalletBridgeCrypto

/// Everything the SNAP adapter needs: endpoints, identity, keys, the signing mode and the
/// wallet's terms.
public struct SNAPConfiguration: Sendable {
    /// How transactional requests are authenticated.
    public enum Mode: Sendable {
        /// DANA: every transactional request carries an RSA signature; no access token.
        case rsa
        /// Other SNAP providers: a B2B access token (requested with the RSA token signature)
        /// plus HMAC-SHA512 keyed with the client secret on every transaction.
        case token(SNAPHMACSigner)

        /// `rsa` or `token`.
        public var name: String {
            switch self {
            case .rsa: return "rsa"
            case .token: return "token"
            }
        }
    }

    /// Paths of each operation; the defaults are DANA's.
    public struct Paths: Sendable, Equatable {
        /// Direct debit payment / create order (service 54).
        public var payment = "/payment-gateway/v1.0/debit/payment-host-to-host.htm"
        /// Query payment status (service 55).
        public var status = "/payment-gateway/v1.0/debit/status.htm"
        /// Cancel (service 57).
        public var cancel = "/payment-gateway/v1.0/debit/cancel.htm"
        /// Refund (service 58).
        public var refund = "/payment-gateway/v1.0/debit/refund.htm"
        /// B2B access token (service 73), token mode only.
        public var accessToken = "/v1.0/access-token/b2b.htm"
        /// Apply Token for a customer (B2B2C, service 74): the authorization code or the
        /// refresh token for the customer token.
        public var applyToken = "/v1.0/access-token/b2b2c.htm"
        /// Account Unbinding (service 09): ends a customer's binding.
        public var accountUnbinding = "/v1.0/registration-account-unbinding.htm"

        /// DANA's paths.
        public init() {}
    }

    /// `https://host[:port]`, no trailing slash.
    public var baseURL: String
    /// Operation paths.
    public var paths: Paths
    /// `X-PARTNER-ID` (and `X-CLIENT-KEY` on token requests).
    public var partnerID: String
    /// `merchantId` in bodies.
    public var merchantID: String
    /// `CHANNEL-ID` (DANA: `95221`).
    public var channelID: String
    /// `ORIGIN`, when the partner configured one.
    public var origin: String?
    /// How transactions are authenticated.
    public var mode: Mode
    /// Our private key: signs transactions (RSA mode) and access-token requests.
    public var privateKey: RSAPrivateKey
    /// The wallet's public key: verifies notifications and signed responses.
    public var walletKey: SNAPSignatureVerifier
    /// Whether every response must be signed; when false, a signature is verified whenever
    /// one is present (DANA's published library verifies none).
    public var responsesSigned: Bool
    /// The default NOTIFICATION url sent in `urlParams`.
    public var notifyURL: String?
    /// The PAY_RETURN url sent in `urlParams`.
    public var returnURL: String
    /// `additionalInfo.mcc`.
    public var merchantCategoryCode: String
    /// How long an order may be paid (`validUpTo`).
    public var orderValidity: Duration
    /// An access token is renewed this long before it expires.
    public var tokenRefreshMargin: Duration
    /// How far a notification's X-TIMESTAMP may be from our clock, either way, before it is
    /// refused as skewed or replayed; nil checks the signature only. The signature covers the
    /// timestamp, so this bounds replays of a captured notification.
    public var notificationClockTolerance: Duration?
    /// Where the customer's consent page lives: `<oauthURL>/v1.0/get-auth-code` (DANA:
    /// `https://m.dana.id`; its sandbox `https://m.sandbox.dana.id`). Profile setting `oauthURL`.
    public var oauthURL: String = "https://m.dana.id"
    /// Where the wallet sends the customer back with the authorization code when the request
    /// names none; nil means ``returnURL``. Profile setting `authorizationRedirectUrl`.
    public var authorizationRedirectURL: String?
    /// `X-DEVICE-ID` and `additionalInfo.deviceId` of an account unbinding (required by DANA).
    /// Profile setting `deviceId`.
    public var deviceID: String = "walletbridge-server"
    /// Deadline to connect.
    public var connectTimeout: Duration
    /// Deadline for a whole request.
    public var requestTimeout: Duration

    /// Creates a configuration.
    public init(
        baseURL: String,
        paths: Paths = Paths(),
        partnerID: String,
        merchantID: String,
        channelID: String = "95221",
        origin: String? = nil,
        mode: Mode = .rsa,
        privateKey: RSAPrivateKey,
        walletKey: SNAPSignatureVerifier,
        responsesSigned: Bool = false,
        notifyURL: String? = nil,
        returnURL: String = "https://merchant.invalid/return",
        merchantCategoryCode: String = "5732",
        orderValidity: Duration = .seconds(1800),
        tokenRefreshMargin: Duration = .seconds(60),
        notificationClockTolerance: Duration? = nil,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30)
    ) {
        self.baseURL = baseURL
        self.paths = paths
        self.partnerID = partnerID
        self.merchantID = merchantID
        self.channelID = channelID
        self.origin = origin
        self.mode = mode
        self.privateKey = privateKey
        self.walletKey = walletKey
        self.responsesSigned = responsesSigned
        self.notifyURL = notifyURL
        self.returnURL = returnURL
        self.merchantCategoryCode = merchantCategoryCode
        self.orderValidity = orderValidity
        self.tokenRefreshMargin = tokenRefreshMargin
        self.notificationClockTolerance = notificationClockTolerance
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }

    /// Builds a configuration from a partner profile, loading its keys.
    ///
    /// `client_id` is the `X-PARTNER-ID`; `merchant_key` our RSA private key; the one partner
    /// public key is the wallet's; `client_secret` is required in token mode. Settings read:
    /// `merchantId` (required), `mode` (`rsa`, the default, or `token`), `responsesSigned`
    /// (`true`/`false`), `channelId`, `origin`, `returnUrl`, `mcc`, `orderValidityMinutes`,
    /// `notificationClockToleranceSeconds`, and for customer authorization `oauthURL`,
    /// `authorizationRedirectUrl`, `deviceId`.
    /// Paths: `payment`, `status`, `cancel`, `refund`, `accessToken`, `applyToken`, `accountUnbinding`.
    public init(profile: PartnerProfile) throws(ProfileError) {
        let name = profile.wallet
        guard profile.scheme == "snap" else { throw ProfileError("profile \(name) is for scheme \(profile.scheme), not snap") }
        guard !profile.clientID.isEmpty else { throw ProfileError("profile \(name): client_id (the X-PARTNER-ID) is required") }
        guard let merchantID = profile.settings["merchantId"], !merchantID.isEmpty else {
            throw ProfileError("profile \(name): settings.merchantId is required")
        }
        guard let keySource = profile.merchantKey else { throw ProfileError("profile \(name): merchant_key is required") }
        guard profile.partnerPublicKeys.count == 1, let walletKeySource = profile.partnerPublicKeys.values.first else {
            throw ProfileError("profile \(name): exactly one partner_public_key (the wallet's) is required")
        }
        let privateKey: RSAPrivateKey
        let walletKey: RSAPublicKey
        do {
            privateKey = try RSAPrivateKey(text: keySource.loadText())
            walletKey = try RSAPublicKey(text: walletKeySource.loadText())
        } catch {
            throw ProfileError("profile \(name): \(error)")
        }
        let mode: Mode
        switch profile.settings["mode"] ?? "rsa" {
        case "rsa": mode = .rsa
        case "token":
            guard let secretSource = profile.clientSecret else { throw ProfileError("profile \(name): token mode needs client_secret") }
            do {
                var text = try secretSource.loadText()
                while text.last == "\n" || text.last == "\r" { text.removeLast() }
                mode = .token(try SNAPHMACSigner(clientSecret: SecretBytes(utf8: text)))
            } catch {
                throw ProfileError("profile \(name): client_secret \(secretSource): \(error)")
            }
        case let other: throw ProfileError("profile \(name): settings.mode must be rsa or token, not \(other)")
        }
        var paths = Paths()
        for (key, path) in profile.paths {
            switch key {
            case "payment", "pay": paths.payment = path
            case "status", "inquiry": paths.status = path
            case "cancel": paths.cancel = path
            case "refund": paths.refund = path
            case "accessToken": paths.accessToken = path
            case "applyToken": paths.applyToken = path
            case "accountUnbinding": paths.accountUnbinding = path
            default: throw ProfileError("profile \(name): unknown path name \(key)")
            }
        }
        var responsesSigned = false
        switch profile.settings["responsesSigned"] {
        case nil, "false": break
        case "true": responsesSigned = true
        case let other?: throw ProfileError("profile \(name): settings.responsesSigned must be true or false, not \(other)")
        }
        var validity = Duration.seconds(1800)
        if let text = profile.settings["orderValidityMinutes"] {
            guard let minutes = Int64(text), (1...10_080).contains(minutes) else {
                throw ProfileError("profile \(name): settings.orderValidityMinutes must be 1 to 10080 (one week)")
            }
            validity = .seconds(minutes * 60)
        }
        var tolerance: Duration?
        if let text = profile.settings["notificationClockToleranceSeconds"] {
            guard let seconds = Int64(text), seconds > 0 else {
                throw ProfileError("profile \(name): settings.notificationClockToleranceSeconds must be a positive whole number")
            }
            tolerance = .seconds(seconds)
        }
        self.init(
            baseURL: profile.baseURL,
            paths: paths,
            partnerID: profile.clientID,
            merchantID: merchantID,
            channelID: profile.settings["channelId"] ?? "95221",
            origin: profile.settings["origin"],
            mode: mode,
            privateKey: privateKey,
            walletKey: SNAPSignatureVerifier(publicKey: walletKey),
            responsesSigned: responsesSigned,
            notifyURL: profile.notifyURL,
            returnURL: profile.settings["returnUrl"] ?? "https://merchant.invalid/return",
            merchantCategoryCode: profile.settings["mcc"] ?? "5732",
            orderValidity: validity,
            notificationClockTolerance: tolerance,
            connectTimeout: profile.connectTimeout,
            requestTimeout: profile.requestTimeout
        )
        if let oauth = profile.settings["oauthURL"] {
            guard oauth.hasPrefix("https://") || oauth.hasPrefix("http://") else {
                throw ProfileError("profile \(name): settings.oauthURL must be an http(s) URL")
            }
            oauthURL = oauth
        }
        authorizationRedirectURL = profile.settings["authorizationRedirectUrl"]
        if let device = profile.settings["deviceId"], !device.isEmpty { deviceID = device }
    }
}
