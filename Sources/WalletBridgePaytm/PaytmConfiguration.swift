import Foundation
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
        /// Auto Debit: Send OTP on the accounts host (legacy public code's path).
        public var sendOTP = "/signin/otp"
        /// Auto Debit: Validate OTP on the accounts host (legacy public code's path).
        public var validateOTP = "/signin/validate/otp"
        /// Auto Debit: Refresh Token on the accounts host (path not published; the sandbox's).
        public var refreshToken = "/oauth2/token"
        /// Auto Debit: Revoke Access (`DELETE`) on the accounts host.
        public var revokeToken = "/oauth2/token/sv1"
        /// Auto Debit: the withdraw (debit with the SSO token).
        public var withdraw = "/paymentservices/HANDLER_FF/withdrawScw"

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
    /// Auto Debit (account linking): nil when the profile does not enable it
    /// (``PaytmAutoDebit``).
    public var autoDebit: PaytmAutoDebit?

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
    /// Paths: `initiateTransaction`, `transactionStatus`, `refund`, `refundStatus`, and for
    /// Auto Debit `sendOTP`, `validateOTP`, `refreshToken`, `revokeToken`, `withdraw`.
    ///
    /// Auto Debit is enabled by the setting `oauthClientId` (the accounts client id) with the
    /// profile's `client_secret`; further settings `accountsURL` (default: the base URL),
    /// `deviceId` (`x-device-identifier`, default `walletbridge`), `otpPageURL` (the page that
    /// collects the OTP; default: the redirect URL), `autoDebit` (`true`: every payment is a
    /// withdraw with `PaymentRequest.customer` as the SSO token), `industryType` (default
    /// `Retail`), `appIP` (default `127.0.0.1`), `scopes` (comma-separated, default `paytm,wallet`).
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
            case "sendOTP": paths.sendOTP = path
            case "validateOTP": paths.validateOTP = path
            case "refreshToken": paths.refreshToken = path
            case "revokeToken": paths.revokeToken = path
            case "withdraw": paths.withdraw = path
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
        let always = profile.settings["autoDebit"]
        guard always == nil || always == "true" || always == "false" else {
            throw ProfileError("profile \(profile.wallet): autoDebit must be true or false")
        }
        if let oauthClientID = profile.settings["oauthClientId"] {
            guard let source = profile.clientSecret else {
                throw ProfileError("profile \(profile.wallet): Auto Debit (oauthClientId) needs client_secret")
            }
            let secret: String
            do {
                secret = try source.loadText().trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ProfileError("profile \(profile.wallet): client_secret \(source): \(error)")
            }
            var linking = PaytmAutoDebit(
                clientID: oauthClientID, clientSecret: secret, accountsURL: profile.settings["accountsURL"] ?? profile.baseURL,
                deviceID: profile.settings["deviceId"] ?? "walletbridge", otpPageURL: profile.settings["otpPageURL"],
                always: always == "true")
            if let industry = profile.settings["industryType"] { linking.industryType = industry }
            if let appIP = profile.settings["appIP"] { linking.appIP = appIP }
            if let scopes = profile.settings["scopes"] {
                linking.scopes = scopes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            autoDebit = linking
        } else if always == "true" {
            throw ProfileError("profile \(profile.wallet): autoDebit=true needs oauthClientId and client_secret")
        }
    }
}

/// Paytm Auto Debit (account linking): the accounts client that sends and validates OTPs
/// and manages SSO tokens, and how withdraws are made. Its secret never appears in a
/// description.
public struct PaytmAutoDebit: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The accounts client id (Basic authentication user).
    public var clientID: String
    /// The accounts client secret (Basic authentication password): a secret.
    let clientSecret: String
    /// `https://accounts(-uat).paytm.com`, no trailing slash.
    public var accountsURL: String
    /// `x-device-identifier` and the refresh's `deviceId`.
    public var deviceID: String
    /// The page that collects the OTP (the action of a start); nil means the redirect URL.
    public var otpPageURL: String?
    /// Whether every payment is a withdraw (`PaymentRequest.customer` being the SSO token);
    /// otherwise only payments that name a stored authorization are.
    public var always: Bool
    /// `IndustryType` of a withdraw.
    public var industryType = "Retail"
    /// `AppIP` of a withdraw.
    public var appIP = "127.0.0.1"
    /// The scopes asked for at Send OTP.
    public var scopes = ["paytm", "wallet"]

    /// Creates the Auto Debit settings.
    public init(
        clientID: String, clientSecret: String, accountsURL: String, deviceID: String = "walletbridge", otpPageURL: String? = nil,
        always: Bool = false
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.accountsURL = accountsURL
        self.deviceID = deviceID
        self.otpPageURL = otpPageURL
        self.always = always
    }

    /// The client id and URLs; never the secret.
    public var description: String {
        "PaytmAutoDebit(clientID: \(clientID), clientSecret: <redacted>, accountsURL: \(accountsURL), always: \(always))"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["clientID": clientID, "accountsURL": accountsURL, "always": always], displayStyle: .struct)
    }
}
