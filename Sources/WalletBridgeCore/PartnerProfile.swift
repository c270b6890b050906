import Foundation

/// Everything an adapter needs to talk to one partner account: where, who we are, which keys,
/// and how long to wait. Loaded from a JSON or TOML file (``PartnerProfileFile``) or from the
/// environment (``fromEnvironment(wallet:environment:)``); keys are references (file,
/// environment variable or inline text), resolved when the adapter is built.
public struct PartnerProfile: Sendable, CustomStringConvertible {
    /// Wallet name (`gcash`, `paytm`, `dana`).
    public var wallet: String
    /// Wire scheme (`alipayplus`, `paytm`, `snap`).
    public var scheme: String
    /// Scheme and host (and port), no trailing slash: `https://open-sea-global.alipayplus.com`.
    public var baseURL: String
    /// Operation name → path, overriding the adapter's defaults.
    public var paths: [String: String]
    /// Our client id (Alipay+ `Client-Id`, Paytm `mid`, SNAP `X-PARTNER-ID`).
    public var clientID: String
    /// Our signing key (RSA private key, or the Paytm merchant key).
    public var merchantKey: KeySource?
    /// A shared secret, for schemes that use one beside the key (SNAP token mode: the client
    /// secret that keys HMAC-SHA512).
    public var clientSecret: KeySource?
    /// The version the partner knows our key by.
    public var keyVersion: String?
    /// The partner's public keys by key version.
    public var partnerPublicKeys: [String: KeySource]
    /// Deadline to connect.
    public var connectTimeout: Duration
    /// Deadline for a whole request.
    public var requestTimeout: Duration
    /// Where the partner should send notifications by default.
    public var notifyURL: String?
    /// TLS: a custom CA bundle.
    public var caBundlePath: String?
    /// An outbound proxy URL.
    public var proxy: String?
    /// TLS: a client certificate (PEM) for partners that require mutual TLS.
    public var clientCertificatePath: String?
    /// TLS: the client certificate's private key (PEM), when not in the certificate file.
    public var clientKeyPath: String?
    /// Scheme-specific settings (`paymentMethodType`, `responsesSigned`...).
    public var settings: [String: String]

    /// Creates a profile.
    public init(
        wallet: String,
        scheme: String,
        baseURL: String,
        paths: [String: String] = [:],
        clientID: String,
        merchantKey: KeySource? = nil,
        clientSecret: KeySource? = nil,
        keyVersion: String? = nil,
        partnerPublicKeys: [String: KeySource] = [:],
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        notifyURL: String? = nil,
        caBundlePath: String? = nil,
        proxy: String? = nil,
        clientCertificatePath: String? = nil,
        clientKeyPath: String? = nil,
        settings: [String: String] = [:]
    ) {
        self.wallet = wallet
        self.scheme = scheme
        self.baseURL = baseURL
        self.paths = paths
        self.clientID = clientID
        self.merchantKey = merchantKey
        self.clientSecret = clientSecret
        self.keyVersion = keyVersion
        self.partnerPublicKeys = partnerPublicKeys
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.notifyURL = notifyURL
        self.caBundlePath = caBundlePath
        self.proxy = proxy
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.settings = settings
    }

    /// The partner environments with published hosts.
    public enum Environment: String, Sendable, CaseIterable {
        /// The partner's own test environment.
        case sandbox
        /// Live money.
        case production
    }

    /// A profile with the published host and scheme of `wallet` in `environment`; add the
    /// client id and keys from onboarding. Nil for an unknown wallet.
    public static func preset(wallet: String, environment: Environment) -> PartnerProfile? {
        let hosts: [String: (scheme: String, sandbox: String, production: String)] = [
            "gcash": ("alipayplus", "https://open-sea-global.alipayplus.com", "https://open-sea-global.alipayplus.com"),
            "paytm": ("paytm", "https://securestage.paytmpayments.com", "https://secure.paytmpayments.com"),
            "dana": ("snap", "https://api.sandbox.dana.id", "https://api.saas.dana.id"),
        ]
        guard let host = hosts[wallet.lowercased()] else { return nil }
        return PartnerProfile(
            wallet: wallet.lowercased(),
            scheme: host.scheme,
            baseURL: environment == .sandbox ? host.sandbox : host.production,
            clientID: ""
        )
    }

    /// The full URL of `path` on ``baseURL``.
    public func url(path: String) -> String {
        WireFormat.url(baseURL, path.hasPrefix("/") ? path : "/" + path)
    }

    /// Everything but key material: keys are named by where they come from.
    public var description: String {
        var parts = ["wallet: \(wallet)", "scheme: \(scheme)", "baseURL: \(baseURL)", "clientID: \(clientID)"]
        if let merchantKey { parts.append("merchantKey: \(merchantKey)") }
        if let clientSecret { parts.append("clientSecret: \(clientSecret)") }
        if let keyVersion { parts.append("keyVersion: \(keyVersion)") }
        if !partnerPublicKeys.isEmpty { parts.append("partnerKeys: \(partnerPublicKeys.keys.sorted())") }
        parts.append("timeouts: \(connectTimeout)/\(requestTimeout)")
        return "PartnerProfile(\(parts.joined(separator: ", ")))"
    }

    // MARK: Loading

    /// Builds a profile from a parsed table (the shape of one wallet in a profile file).
    /// Key references are `file:PATH` (relative to `baseDirectory`), `env:NAME`, or key text.
    public init(wallet: String, table: [String: ConfigValue], baseDirectory: String?) throws(ProfileError) {
        func text(_ key: String) -> String? { table[key]?.text }
        func required(_ key: String) throws(ProfileError) -> String {
            guard let value = text(key), !value.isEmpty else { throw ProfileError("profile \(wallet): \(key) is required") }
            return value
        }
        func milliseconds(_ key: String, default value: Duration) throws(ProfileError) -> Duration {
            guard let raw = table[key] else { return value }
            guard case .integer(let millis) = raw, millis > 0 else {
                throw ProfileError("profile \(wallet): \(key) must be a positive whole number of milliseconds")
            }
            return .milliseconds(millis)
        }
        func strings(_ key: String) throws(ProfileError) -> [String: String] {
            guard let raw = table[key] else { return [:] }
            guard let nested = raw.table else { throw ProfileError("profile \(wallet): \(key) must be a table") }
            var out: [String: String] = [:]
            for (name, value) in nested {
                guard let text = value.text else { throw ProfileError("profile \(wallet): \(key).\(name) must be a value, not a table") }
                out[name] = text
            }
            return out
        }

        var publicKeys: [String: KeySource] = [:]
        for (version, reference) in try strings("partner_public_keys") {
            publicKeys[version] = PartnerProfile.keySource(reference, baseDirectory: baseDirectory)
        }
        if let single = text("partner_public_key") {
            publicKeys[text("partner_key_version") ?? text("key_version") ?? "1"] = PartnerProfile.keySource(single, baseDirectory: baseDirectory)
        }
        self.init(
            wallet: wallet,
            scheme: try required("scheme"),
            baseURL: try required("base_url"),
            paths: try strings("paths"),
            clientID: try required("client_id"),
            merchantKey: text("merchant_key").map { PartnerProfile.keySource($0, baseDirectory: baseDirectory) },
            clientSecret: text("client_secret").map { PartnerProfile.keySource($0, baseDirectory: baseDirectory) },
            keyVersion: text("key_version"),
            partnerPublicKeys: publicKeys,
            connectTimeout: try milliseconds("connect_timeout_ms", default: .seconds(5)),
            requestTimeout: try milliseconds("request_timeout_ms", default: .seconds(30)),
            notifyURL: text("notify_url"),
            caBundlePath: text("ca_bundle"),
            proxy: text("proxy"),
            clientCertificatePath: text("client_certificate"),
            clientKeyPath: text("client_key"),
            settings: try strings("settings")
        )
        guard baseURL.lowercased().hasPrefix("https://") || baseURL.lowercased().hasPrefix("http://") else {
            throw ProfileError("profile \(wallet): base_url must start with https:// (or http:// for a local sandbox)")
        }
    }

    /// Reads a profile from `WALLETBRIDGE_<WALLET>_*` variables: `SCHEME`, `BASE_URL`,
    /// `CLIENT_ID`, `MERCHANT_KEY`, `CLIENT_SECRET`, `KEY_VERSION`, `PARTNER_PUBLIC_KEY`, `CONNECT_TIMEOUT_MS`,
    /// `REQUEST_TIMEOUT_MS`, `NOTIFY_URL`, `CA_BUNDLE`, `PROXY`, `CLIENT_CERTIFICATE`, `CLIENT_KEY`,
    /// `PATH_<OPERATION>` and
    /// `SETTING_<NAME>`. A missing `SCHEME` or `BASE_URL` falls back to the production preset.
    public static func fromEnvironment(
        wallet: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ProfileError) -> PartnerProfile {
        let prefix = "WALLETBRIDGE_\(wallet.uppercased())_"
        var table: [String: ConfigValue] = [:]
        var paths: [String: ConfigValue] = [:]
        var settings: [String: ConfigValue] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) {
            let key = String(name.dropFirst(prefix.count))
            if key.hasPrefix("PATH_") {
                paths[String(key.dropFirst(5)).lowercased()] = .string(value)
            } else if key.hasPrefix("SETTING_") {
                settings[String(key.dropFirst(8))] = .string(value)
            } else if key.hasSuffix("_MS") {
                guard let millis = Int64(value) else { throw ProfileError("\(name) must be a whole number of milliseconds") }
                table[key.lowercased()] = .integer(millis)
            } else {
                table[key.lowercased()] = .string(value)
            }
        }
        if let preset = preset(wallet: wallet, environment: .production) {
            if table["scheme"] == nil { table["scheme"] = .string(preset.scheme) }
            if table["base_url"] == nil { table["base_url"] = .string(preset.baseURL) }
        }
        if !paths.isEmpty { table["paths"] = .table(paths) }
        if !settings.isEmpty { table["settings"] = .table(settings) }
        return try PartnerProfile(wallet: wallet.lowercased(), table: table, baseDirectory: nil)
    }

    /// `file:PATH` → a file (relative to `baseDirectory`), `env:NAME` → a variable, else inline text.
    static func keySource(_ reference: String, baseDirectory: String?) -> KeySource {
        if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst(5))
            if path.hasPrefix("/") || baseDirectory == nil { return .file(path: path) }
            return .file(path: (baseDirectory ?? ".") + "/" + path)
        }
        if reference.hasPrefix("env:") { return .environment(name: String(reference.dropFirst(4))) }
        return .string(reference)
    }
}

/// A profile file: one profile (with a `scheme` key) or several under `[wallets.NAME]`, in
/// JSON or TOML (chosen by the `.json` / `.toml` extension, else by the first character).
public struct PartnerProfileFile: Sendable {
    /// Profiles by wallet name.
    public let profiles: [String: PartnerProfile]

    /// Loads and parses `path`.
    public init(path: String) throws(ProfileError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ProfileError("cannot read profile file \(path)") }
        let directory = (path as NSString).deletingLastPathComponent
        try self.init(bytes: Array(data), name: path, baseDirectory: directory.isEmpty ? "." : directory)
    }

    /// Parses profile text; `name` is used in errors and to pick the format.
    public init(bytes: [UInt8], name: String, baseDirectory: String?) throws(ProfileError) {
        let isJSON = name.hasSuffix(".json") || (!name.hasSuffix(".toml") && bytes.first(where: { $0 > 0x20 }) == UInt8(ascii: "{"))
        let root: ConfigValue
        do throws(ProfileError) {
            if isJSON {
                root = try ConfigValue.parseJSON(bytes)
            } else {
                guard let text = String(validating: bytes, as: UTF8.self) else { throw ProfileError("not UTF-8 text") }
                root = try TOMLSubset.parse(text)
            }
        } catch {
            throw ProfileError("\(name): \(error.message)")
        }
        guard let table = root.table else { throw ProfileError("\(name): the top level must be a table") }
        var profiles: [String: PartnerProfile] = [:]
        if let wallets = table["wallets"] {
            guard let wallets = wallets.table else { throw ProfileError("\(name): wallets must be a table") }
            for (wallet, value) in wallets {
                guard let walletTable = value.table else { throw ProfileError("\(name): wallets.\(wallet) must be a table") }
                profiles[wallet] = try PartnerProfile(wallet: wallet, table: walletTable, baseDirectory: baseDirectory)
            }
        } else {
            guard let wallet = table["wallet"]?.text else { throw ProfileError("\(name): needs a wallets table or a wallet key") }
            profiles[wallet] = try PartnerProfile(wallet: wallet, table: table, baseDirectory: baseDirectory)
        }
        self.profiles = profiles
    }

    /// The profile for `wallet`.
    public func profile(for wallet: String) throws(ProfileError) -> PartnerProfile {
        guard let profile = profiles[wallet] else {
            throw ProfileError("no profile for wallet \(wallet) (have \(profiles.keys.sorted().joined(separator: ", ")))")
        }
        return profile
    }
}
