import WalletBridgeCore
import WalletBridgeCrypto

/// Everything the Paytm adapter needs: endpoints, the merchant id and key, and defaults for
/// the envelope's head.
public struct PaytmConfiguration: Sendable {
    /// Paths of each operation; the defaults are the public API reference's.
    public struct Paths: Sendable, Equatable {
        /// Initiate transaction (`mid` and `orderId` go in the query too). paytm-pg calls
        /// `/order/initiate`; the reference documents this one.
        public var initiateTransaction = "/theia/api/v1/initiateTransaction"
        /// Transaction status.
        public var transactionStatus = "/v3/order/status"
        /// Refund.
        public var refund = "/refund/apply"
        /// Refund status.
        public var refundStatus = "/v2/refund/status"

        /// The reference paths.
        public init() {}
    }

    /// `https://host[:port]`, no trailing slash.
    public var baseURL: String
    /// Operation paths.
    public var paths: Paths
    /// Our merchant id (`mid`).
    public var merchantID: String
    /// Makes and checks checksums with our merchant key.
    public var checksum: PaytmChecksum
    /// `head.clientId`: names the key when a merchant has several (e.g. `C11`).
    public var clientID: String?
    /// `websiteName` from onboarding (`WEBSTAGING` on staging, `DEFAULT` in production).
    public var websiteName: String
    /// `head.channelId`: WEB, WAP, APP or SYSTEM.
    public var channelID: String?
    /// `head.version`.
    public var version: String
    /// Default `callbackUrl` for initiate (where callbacks are posted).
    public var callbackURL: String?
    /// Deadline to connect.
    public var connectTimeout: Duration
    /// Deadline for a whole request.
    public var requestTimeout: Duration
    /// How long an initiated order stays payable; the status API is queried with backoff
    /// until it ends (setting `orderValiditySeconds`, default 900).
    public var orderValidity: Duration = .seconds(900)

    /// Creates a configuration.
    public init(
        baseURL: String,
        paths: Paths = Paths(),
        merchantID: String,
        checksum: PaytmChecksum,
        clientID: String? = nil,
        websiteName: String = "WEBSTAGING",
        channelID: String? = "WEB",
        version: String = "v1",
        callbackURL: String? = nil,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30)
    ) {
        self.baseURL = baseURL
        self.paths = paths
        self.merchantID = merchantID
        self.checksum = checksum
        self.clientID = clientID
        self.websiteName = websiteName
        self.channelID = channelID
        self.version = version
        self.callbackURL = callbackURL
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }

    /// Builds a configuration from a partner profile, loading the merchant key.
    ///
    /// The profile's `client_id` is the `mid`; `key_version` is the head's `clientId`;
    /// `notify_url` is the `callbackUrl`. Settings read: `websiteName`, `channelId`, `version`, `orderValiditySeconds`.
    /// Paths: `initiateTransaction`, `transactionStatus`, `refund`, `refundStatus`.
    public init(profile: PartnerProfile) throws(ProfileError) {
        guard profile.scheme == "paytm" else {
            throw ProfileError("profile \(profile.wallet) is for scheme \(profile.scheme), not paytm")
        }
        guard !profile.clientID.isEmpty else { throw ProfileError("profile \(profile.wallet): client_id (the Paytm mid) is required") }
        guard let keySource = profile.merchantKey else { throw ProfileError("profile \(profile.wallet): merchant_key is required") }
        let checksum: PaytmChecksum
        do {
            var text = try keySource.loadText()
            while text.last == "\n" || text.last == "\r" { text.removeLast() }
            checksum = try PaytmChecksum(merchantKey: SecretBytes(utf8: text))
        } catch {
            throw ProfileError("profile \(profile.wallet): merchant_key \(keySource): \(error)")
        }
        var paths = Paths()
        for (name, path) in profile.paths {
            switch name {
            case "initiateTransaction", "initiate": paths.initiateTransaction = path
            case "transactionStatus", "status": paths.transactionStatus = path
            case "refund": paths.refund = path
            case "refundStatus": paths.refundStatus = path
            default: throw ProfileError("profile \(profile.wallet): unknown path name \(name)")
            }
        }
        self.init(
            baseURL: profile.baseURL,
            paths: paths,
            merchantID: profile.clientID,
            checksum: checksum,
            clientID: profile.keyVersion,
            websiteName: profile.settings["websiteName"] ?? "WEBSTAGING",
            channelID: profile.settings["channelId"] ?? "WEB",
            version: profile.settings["version"] ?? "v1",
            callbackURL: profile.notifyURL,
            connectTimeout: profile.connectTimeout,
            requestTimeout: profile.requestTimeout
        )
        if let text = profile.settings["orderValiditySeconds"] {
            guard let seconds = Int64(text), seconds > 0 else {
                throw ProfileError("profile \(profile.wallet): orderValiditySeconds must be a positive whole number")
            }
            orderValidity = .seconds(seconds)
        }
    }
}
