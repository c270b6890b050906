import Foundation
import Hummingbird
import Logging
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeTransport

/// A local server that behaves like the partner wallets, for tests, demos and partner
/// engineers: it verifies signatures, keeps a ledger, signs responses, sends signed
/// notifications until they are acknowledged, enforces idempotency and injects faults.
///
/// It listens on loopback only. Start it in-process on an ephemeral port:
/// ```swift
/// let sandbox = try await WalletSandbox.start()
/// let profile = sandbox.clientProfile(wallet: "gcash")
/// // ... build an adapter from the profile and pay ...
/// await sandbox.shutdown()
/// ```
/// No library module of the SDK depends on this one.
public final class WalletSandbox: Sendable {
    /// How to run the sandbox.
    public struct Configuration: Sendable {
        /// Loopback address to bind.
        public var host: String = "127.0.0.1"
        /// Port; 0 picks a free one.
        public var port: Int = 0
        /// Where the ledger persists between runs; nil keeps it in memory.
        public var stateFile: String?
        /// First pause between notification attempts (grows linearly).
        public var notificationRetryInterval: Duration = .milliseconds(200)
        /// Attempts per notification before giving up.
        public var maxNotificationAttempts: Int = 6
        /// Where the server logs (discarded by default).
        public var logger: Logger = Logger(label: "walletbridge.sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
        /// The sandbox's clock, for response and notification times.
        public var clock: @Sendable () -> Date = { Date() }
        /// Wallet-side faults drawn from a seed (``FaultPlan/profile(_:seed:)``); the default
        /// injects none, but magic amounts still work.
        public var faultPlan = FaultPlan(seed: 0)
        /// Runs the sandbox's time this many times faster: its clock (signed timestamps, token
        /// and order lifetimes) advances `timeScale` seconds per second, and its pauses
        /// (delays, slow bodies, notification retries) are divided by it. Pair it with the
        /// client's `PolicyClock(timeScale:)`.
        public var timeScale: Double = 1
        /// Partners' emulations of their own wallets, hosted beside the built-in ones (asked, in
        /// this order, for the requests no built-in wallet serves). Each needs a wallet name of
        /// its own. See ``SandboxWalletEmulation``.
        public var emulations: [any SandboxWalletEmulation] = []
        /// HTTPS instead of HTTP: the sandbox serves TLS only on ``WalletSandbox/Configuration/port`` (its HTTP server moves
        /// to a private loopback port behind an OpenSSL TLS front), ``WalletSandbox/baseURL`` is
        /// `https://HOST:PORT`, and the client profiles name ``SandboxTLS/caBundlePath`` as their
        /// CA bundle. Nil (the default) serves plain HTTP. See ``SandboxTLS/testIdentity(writingTo:)``.
        public var tls: SandboxTLS?
        /// Where notifications go when the merchant runs several instances (each attempt to a
        /// target drawn from ``WalletSandbox/Configuration/faultPlan``'s seed, some delivered twice); the default sends each
        /// to the notify URL its payment named. See ``WebhookTargets``.
        public var webhookTargets = WebhookTargets()

        /// The defaults: loopback, ephemeral port, in-memory ledger.
        public init() {}
    }

    /// The port the sandbox listens on (with TLS, the TLS front's).
    public var port: Int { front?.port ?? server.port }
    /// The host it listens on.
    public let host: String
    private let server: LoopbackServer
    private let front: SandboxTLSFront?
    /// How the sandbox serves HTTPS; nil when it serves plain HTTP.
    public let tls: SandboxTLS?
    private let faults: SandboxFaults
    private let notifier: SandboxNotifier
    private let transport: CurlTransport
    private let dana: DANASandbox
    private let ledger: SandboxLedger
    private let plan: FaultPlanState
    private let emulations: [any SandboxWalletEmulation]
    /// The sandbox's own clock: the configuration's, running ``timeScale`` times faster from
    /// the start. Signed timestamps, token lifetimes and order validity follow it; a client
    /// that checks signed times against the sandbox's passes it as its adapters' clock.
    public let clock: @Sendable () -> Date
    /// How many sandbox seconds pass per second.
    public let timeScale: Double

    /// The wallets the sandbox ships: `gcash`, `tng`, `paytm` and `dana`.
    public static let builtInWallets = ["gcash", "tng", "paytm", "dana"]

    private init(
        host: String, server: LoopbackServer, front: SandboxTLSFront?, tls: SandboxTLS?, faults: SandboxFaults, notifier: SandboxNotifier,
        transport: CurlTransport, dana: DANASandbox,
        ledger: SandboxLedger, plan: FaultPlanState, emulations: [any SandboxWalletEmulation], clock: @escaping @Sendable () -> Date,
        timeScale: Double
    ) {
        self.clock = clock
        self.timeScale = timeScale
        self.plan = plan
        self.emulations = emulations
        self.dana = dana
        self.ledger = ledger
        self.host = host
        self.server = server
        self.front = front
        self.tls = tls
        self.faults = faults
        self.notifier = notifier
        self.transport = transport
    }

    /// Starts a sandbox and returns once it accepts connections.
    /// - Throws: ``SandboxError`` when the port cannot be bound or the state file is unreadable.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> WalletSandbox {
        guard ["127.0.0.1", "::1", "localhost"].contains(configuration.host) else {
            throw SandboxError("the sandbox listens on loopback only, not \(configuration.host)")
        }
        guard configuration.timeScale >= 1, configuration.timeScale.isFinite else {
            throw SandboxError("the time scale must be a finite number of at least 1, not \(configuration.timeScale)")
        }
        var names = Set(builtInWallets)
        for emulation in configuration.emulations {
            guard !emulation.wallet.isEmpty, names.insert(emulation.wallet).inserted else {
                throw SandboxError(
                    "a hosted emulation needs a wallet name of its own, not \"\(emulation.wallet)\" (taken: \(names.sorted().joined(separator: ", ")))"
                )
            }
        }
        let ledger = try SandboxLedger(stateFile: configuration.stateFile)
        let faults = SandboxFaults()
        let plan = FaultPlanState(plan: configuration.faultPlan)
        let scale = configuration.timeScale
        let clock = Self.compressedClock(configuration.clock, scale: scale)
        let transport = try CurlTransport(configuration: CurlTransportConfiguration(connectTimeout: .seconds(2), requestTimeout: .seconds(5)))
        let notifier = SandboxNotifier(
            transport: transport, retryInterval: configuration.notificationRetryInterval / scale, maxAttempts: configuration.maxNotificationAttempts,
            plan: plan, timeScale: scale, targets: configuration.webhookTargets)
        let authorizations = SandboxAuthorizations(ledger: ledger)
        let gcash = try GCashSandbox(
            network: .gcash, ledger: ledger, faults: faults, notifier: notifier, authorizations: authorizations, clock: clock)
        let tng = try GCashSandbox(network: .tng, ledger: ledger, faults: faults, notifier: notifier, authorizations: authorizations, clock: clock)
        let paytm = try PaytmSandbox(ledger: ledger, faults: faults, notifier: notifier, clock: clock)
        let dana = try DANASandbox(ledger: ledger, faults: faults, notifier: notifier, clock: clock)
        let hosted = configuration.emulations.map { SandboxEmulationHost(emulation: $0, ledger: ledger, faults: faults, clock: clock) }
        let responder = SandboxResponder(
            gcash: gcash, tng: tng, paytm: paytm, dana: dana, emulations: hosted, faults: faults, notifier: notifier, ledger: ledger,
            plan: plan, timeScale: scale)
        let server: LoopbackServer
        do {
            // With TLS, the HTTP server listens on a private port behind the TLS front.
            server = try await LoopbackServer.start(
                responder: responder, host: configuration.tls == nil ? configuration.host : "127.0.0.1",
                port: configuration.tls == nil ? configuration.port : 0, logger: configuration.logger)
        } catch {
            await transport.shutdown()
            throw SandboxError("the sandbox \(error)")
        }
        var front: SandboxTLSFront?
        if let tls = configuration.tls {
            do {
                front = try SandboxTLSFront.start(tls: tls, host: configuration.host, port: configuration.port, backendPort: server.port)
            } catch {
                await server.shutdown()
                await transport.shutdown()
                throw error
            }
        }
        authorizations.baseURL = Self.baseURL(host: configuration.host, port: front?.port ?? server.port, tls: configuration.tls != nil)
        return WalletSandbox(
            host: configuration.host, server: server, front: front, tls: configuration.tls, faults: faults, notifier: notifier, transport: transport,
            dana: dana, ledger: ledger,
            plan: plan, emulations: configuration.emulations, clock: clock, timeScale: scale)
    }

    /// The sandbox's clock: `base`, running `scale` times faster from now on, moved by the
    /// skew the fault plan drew for the request being handled.
    public static func compressedClock(_ base: @escaping @Sendable () -> Date, scale: Double) -> @Sendable () -> Date {
        let origin = base()
        return {
            var now = base()
            if scale != 1 { now = origin.addingTimeInterval(now.timeIntervalSince(origin) * scale) }
            if let skew = SandboxRequestScope.skew {
                let parts = skew.components
                now = now.addingTimeInterval(Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
            }
            return now
        }
    }

    /// Faults the plan has injected so far, by kind (magic amounts and queued faults aside).
    public var injectedFaults: [FaultPlan.Kind: Int] { plan.injected }

    /// The ground truth: what the ledger applied, per merchant reference, for judging a
    /// client's view of its payments (`walletbridge simulate`). Read-only.
    public func ledgerSnapshot(wallet: String? = nil) -> [SandboxLedgerEntry] {
        ledger.read { SandboxLedgerEntry.snapshot($0, wallet: wallet) }
    }

    /// `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with ``WalletSandbox/Configuration/tls``.
    public var baseURL: String { Self.baseURL(host: host, port: port, tls: tls != nil) }

    static func baseURL(host: String, port: Int, tls: Bool) -> String {
        "\(tls ? "https" : "http")://\(host == "::1" ? "[::1]" : host):\(port)"
    }

    /// Stops notification retries and the server (requests in flight finish; with TLS, the
    /// TLS front closes its connections first). Idempotent.
    public func shutdown() async {
        notifier.cancelAll()
        await front?.shutdown()
        await server.shutdown()
        await transport.shutdown()
    }

    /// Queues `fault` for the next `count` requests to `path` (any wallet path when nil).
    public func injectFault(_ fault: SandboxFault, path: String? = nil, count: Int = 1) {
        faults.add(fault, path: path, count: count)
    }

    /// Queues `fault` for the next `count` requests of `operation` (`pay`, `inquire`, `cancel`,
    /// `refund`, `inquireRefund`, `token`) to `wallet`, whatever the path.
    public func injectFault(_ fault: SandboxFault, operation: String, wallet: String, count: Int = 1) {
        faults.add(fault, path: nil, wallet: wallet, operation: operation, count: count)
    }

    /// Drops every queued fault.
    public func clearFaults() {
        faults.clear()
    }

    /// The payments in the ledger (of one wallet, or all), oldest first.
    public func payments(wallet: String? = nil) -> [SandboxPayment] {
        ledger.read { state in
            state.payments.values.filter { wallet == nil || $0.wallet == wallet }
                .sorted { ($0.walletReference.count, $0.walletReference) < ($1.walletReference.count, $1.walletReference) }
                .map(SandboxPayment.init)
        }
    }

    /// The payment `merchantReference` of `wallet`, if the ledger has it.
    public func payment(wallet: String, merchantReference: String) -> SandboxPayment? {
        ledger.read { $0.payment(wallet, merchantReference: merchantReference).map(SandboxPayment.init) }
    }

    /// A test customer's balance, in minor units of the customer's currency; nil for an unknown id.
    public func balance(customer id: String) -> Int64? {
        guard let customer = SandboxCustomer.find(id) else { return nil }
        return ledger.read { $0.balance(of: customer) }
    }

    /// Expires every SNAP access token issued so far: calls that use one get `401xx01`.
    public func expireSNAPTokens() { dana.expireTokens() }

    /// SNAP access tokens issued so far.
    public var snapTokensIssued: Int { dana.tokensIssued }

    /// One notification the sandbox sent, and whether it was acknowledged.
    public struct NotificationDelivery: Sendable, Equatable {
        /// Where it was sent.
        public let url: String
        /// e.g. `PAYMENT_RESULT WB-123`.
        public let label: String
        /// Attempts so far.
        public let attempts: Int
        /// Whether a valid signed acknowledgement came back.
        public let acknowledged: Bool
    }

    /// Every notification so far.
    public var notificationDeliveries: [NotificationDelivery] {
        notifier.deliveries.map { NotificationDelivery(url: $0.url, label: $0.label, attempts: $0.attempts, acknowledged: $0.acknowledged) }
    }

    /// The client profile that talks to this sandbox (inline test-only keys), for a built-in
    /// wallet or a hosted emulation (its ``SandboxWalletEmulation/clientProfile(baseURL:)``).
    /// For `dana`, `snapMode` picks `rsa` (DANA's) or `token` (B2B token plus HMAC-SHA512).
    /// With TLS, the profile's CA bundle is ``SandboxTLS/caBundlePath``.
    public func clientProfile(wallet: String = "gcash", snapMode: String = "rsa") throws -> PartnerProfile {
        var profile: PartnerProfile
        if let emulation = emulations.first(where: { $0.wallet == wallet }) {
            profile = try emulation.clientProfile(baseURL: baseURL)
        } else {
            profile = try Self.clientProfile(wallet: wallet, baseURL: baseURL, snapMode: snapMode)
        }
        if let ca = tls?.caBundlePath { profile.caBundlePath = ca }
        return profile
    }

    /// Writes `walletbridge.json` (the client profile of every built-in wallet and hosted
    /// emulation) and the test-only key files for this sandbox into `directory`; returns the
    /// profile file's path. With TLS, every profile names ``SandboxTLS/caBundlePath`` as its
    /// `ca_bundle`.
    public func writeClientConfig(to directory: String, notifyBase: String? = nil) throws -> String {
        try Self.writeClientConfig(
            to: directory, baseURL: baseURL, emulations: emulations, notifyBase: notifyBase, caBundlePath: tls?.caBundlePath)
    }

    /// The client profile that talks to a sandbox at `baseURL` (a standalone one, say), with
    /// the inline test-only keys.
    public static func clientProfile(wallet: String, baseURL: String, snapMode: String = "rsa") throws -> PartnerProfile {
        switch wallet {
        case "gcash":
            return PartnerProfile(
                wallet: "gcash", scheme: "alipayplus", baseURL: baseURL, clientID: SandboxCredentials.gcashClientID,
                merchantKey: .string(SandboxCredentials.merchantPrivateKeyPEM),
                keyVersion: SandboxCredentials.keyVersion,
                partnerPublicKeys: [SandboxCredentials.keyVersion: .string(SandboxCredentials.platformPublicKeyPEM)],
                connectTimeout: .seconds(2), requestTimeout: .seconds(10),
                settings: [
                    "paymentMethodType": "GCASH", "productCode": "AGREEMENT_PAYMENT", "merchantCurrencies": "PHP,USD,JPY,BHD",
                    "notificationClockToleranceSeconds": "300",
                ]
            )
        case "tng":
            return PartnerProfile(
                wallet: "tng", scheme: "alipayplus", baseURL: baseURL, clientID: SandboxCredentials.tngClientID,
                merchantKey: .string(SandboxCredentials.merchantPrivateKeyPEM),
                keyVersion: SandboxCredentials.keyVersion,
                partnerPublicKeys: [SandboxCredentials.keyVersion: .string(SandboxCredentials.platformPublicKeyPEM)],
                connectTimeout: .seconds(2), requestTimeout: .seconds(10),
                settings: [
                    "paymentMethodType": "TNG", "productCode": "AGREEMENT_PAYMENT", "walletCurrency": "MYR", "merchantCurrencies": "MYR",
                    "notificationClockToleranceSeconds": "300",
                ]
            )
        case "paytm":
            return PartnerProfile(
                wallet: "paytm", scheme: "paytm", baseURL: baseURL, clientID: SandboxCredentials.paytmMerchantID,
                merchantKey: .string(SandboxCredentials.paytmMerchantKey),
                clientSecret: .string(SandboxCredentials.paytmOAuthClientSecret),
                connectTimeout: .seconds(2), requestTimeout: .seconds(10),
                settings: [
                    "websiteName": "WEBSTAGING", "channelId": "WEB", "oauthClientId": SandboxCredentials.paytmOAuthClientID,
                    "otpPageURL": baseURL + "/sandbox/paytm/otp",
                ]
            )
        case "dana":
            return PartnerProfile(
                wallet: "dana", scheme: "snap", baseURL: baseURL, clientID: SandboxCredentials.danaPartnerID,
                merchantKey: .string(SandboxCredentials.merchantPrivateKeyPEM),
                clientSecret: .string(SandboxCredentials.danaClientSecret),
                partnerPublicKeys: ["dana": .string(SandboxCredentials.platformPublicKeyPEM)],
                connectTimeout: .seconds(2), requestTimeout: .seconds(10),
                settings: [
                    "merchantId": SandboxCredentials.danaMerchantID, "mode": snapMode, "responsesSigned": "true",
                    "notificationClockToleranceSeconds": "300", "oauthURL": baseURL,
                ]
            )
        default:
            throw SandboxError("the sandbox has no wallet \(wallet) (it serves gcash, tng, paytm and dana, and the emulations it hosts)")
        }
    }

    /// Writes `walletbridge.json` (every built-in wallet's client profile, and those of
    /// `emulations`) and the test-only key files into `directory`, for a sandbox at `baseURL`;
    /// returns the profile file's path.
    ///
    /// With `notifyBase` (`http://127.0.0.1:9000`), each wallet's profile gets
    /// `notify_url = NOTIFYBASE/notify/WALLET`, so the sandbox sends it notifications; without,
    /// the profiles name no notify URL and the sandbox sends none.
    public static func writeClientConfig(
        to directory: String, baseURL: String, emulations: [any SandboxWalletEmulation] = [],
        notifyBase: String? = nil
    ) throws -> String {
        try writeClientConfig(to: directory, baseURL: baseURL, emulations: emulations, notifyBase: notifyBase, caBundlePath: nil)
    }

    /// ``writeClientConfig(to:baseURL:emulations:notifyBase:)``, with `ca_bundle = caBundlePath`
    /// in every profile when given (an absolute path: profiles read it as written).
    static func writeClientConfig(
        to directory: String, baseURL: String, emulations: [any SandboxWalletEmulation], notifyBase: String?, caBundlePath: String?
    ) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = [
            "gcash-merchant-private.pem": SandboxCredentials.merchantPrivateKeyPEM,
            "gcash-platform-public.pem": SandboxCredentials.platformPublicKeyPEM,
            "paytm-merchant-key.txt": SandboxCredentials.paytmMerchantKey,
            "paytm-client-secret.txt": SandboxCredentials.paytmOAuthClientSecret,
            "dana-client-secret.txt": SandboxCredentials.danaClientSecret,
            // The test merchant's one RSA key pair serves DANA too; named for what it is there.
            "dana-merchant-private.pem": SandboxCredentials.merchantPrivateKeyPEM,
            "dana-wallet-public.pem": SandboxCredentials.platformPublicKeyPEM,
        ]
        for (name, text) in files {
            try (text + "\n").write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        let gcash: [String: Any] = [
            "scheme": "alipayplus",
            "base_url": baseURL,
            "client_id": SandboxCredentials.gcashClientID,
            "key_version": SandboxCredentials.keyVersion,
            "merchant_key": "file:gcash-merchant-private.pem",
            "partner_public_keys": [SandboxCredentials.keyVersion: "file:gcash-platform-public.pem"],
            "connect_timeout_ms": 2000,
            "request_timeout_ms": 10000,
            "settings": [
                "paymentMethodType": "GCASH", "productCode": "AGREEMENT_PAYMENT", "merchantCurrencies": "PHP,USD,JPY,BHD",
                "notificationClockToleranceSeconds": "300",
            ],
        ]
        var tng = gcash
        tng["client_id"] = SandboxCredentials.tngClientID
        tng["settings"] = [
            "paymentMethodType": "TNG", "productCode": "AGREEMENT_PAYMENT", "walletCurrency": "MYR", "merchantCurrencies": "MYR",
            "notificationClockToleranceSeconds": "300",
        ]
        let paytm: [String: Any] = [
            "scheme": "paytm",
            "base_url": baseURL,
            "client_id": SandboxCredentials.paytmMerchantID,
            "merchant_key": "file:paytm-merchant-key.txt",
            "client_secret": "file:paytm-client-secret.txt",
            "connect_timeout_ms": 2000,
            "request_timeout_ms": 10000,
            "settings": [
                "websiteName": "WEBSTAGING", "channelId": "WEB", "oauthClientId": SandboxCredentials.paytmOAuthClientID,
                "otpPageURL": baseURL + "/sandbox/paytm/otp",
            ],
        ]
        let dana: [String: Any] = [
            "scheme": "snap",
            "base_url": baseURL,
            "client_id": SandboxCredentials.danaPartnerID,
            "merchant_key": "file:dana-merchant-private.pem",
            "client_secret": "file:dana-client-secret.txt",
            "partner_public_key": "file:dana-wallet-public.pem",
            "connect_timeout_ms": 2000,
            "request_timeout_ms": 10000,
            "settings": [
                "merchantId": SandboxCredentials.danaMerchantID, "mode": "rsa", "responsesSigned": "true",
                "notificationClockToleranceSeconds": "300", "oauthURL": baseURL,
            ],
        ]
        var wallets: [String: Any] = ["gcash": gcash, "tng": tng, "paytm": paytm, "dana": dana]
        for emulation in emulations {
            wallets[emulation.wallet] = try SandboxProfileWriter.table(try emulation.clientProfile(baseURL: baseURL), keysInto: directory)
        }
        if let notifyBase {
            let base = notifyBase.hasSuffix("/") ? String(notifyBase.dropLast()) : notifyBase
            for (name, value) in wallets {
                guard var table = value as? [String: Any] else { continue }
                table["notify_url"] = base + "/notify/" + name
                wallets[name] = table
            }
        }
        if let caBundlePath {
            for (name, value) in wallets {
                guard var table = value as? [String: Any] else { continue }
                table["ca_bundle"] = caBundlePath
                wallets[name] = table
            }
        }
        let data = try JSONSerialization.data(withJSONObject: ["wallets": wallets], options: [.prettyPrinted, .sortedKeys])
        let path = directory + "/walletbridge.json"
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }
}

/// A payment in the sandbox's ledger, as tests and `GET /sandbox/payments` see it.
public struct SandboxPayment: Sendable, Equatable {
    /// `gcash`, `paytm` or `dana`.
    public let wallet: String
    /// The merchant's reference.
    public let merchantReference: String
    /// The wallet's reference.
    public let walletReference: String
    /// What the merchant charged.
    public let amount: Money?
    /// `processing`, `succeeded`, `failed` or `cancelled`.
    public let state: String
    /// The customer charged.
    public let customerID: String
    /// What the customer paid, in the wallet's currency.
    public let customerAmount: Money?
    /// Refunded so far, in the payment's currency.
    public let refunded: Money?

    init(_ payment: LedgerPayment) {
        wallet = payment.wallet
        merchantReference = payment.merchantReference
        walletReference = payment.walletReference
        let currency = try? Currency(code: payment.currency)
        amount = currency.map { Money(minorUnits: payment.amountMinor, currency: $0) }
        refunded = currency.map { Money(minorUnits: payment.refundedMinor, currency: $0) }
        customerAmount = (try? Currency(code: payment.customerCurrency)).map { Money(minorUnits: payment.customerAmountMinor, currency: $0) }
        state = payment.state.rawValue
        customerID = payment.customerID
    }
}

/// What the sandbox's ledger applied for one merchant reference: the ground truth a client's
/// view of its payments is judged against.
public struct SandboxLedgerEntry: Sendable, Equatable, Codable {
    /// `gcash`, `paytm` or `dana`.
    public let wallet: String
    /// The merchant's reference.
    public let merchantReference: String
    /// `processing`, `succeeded`, `failed` or `cancelled`.
    public let state: String
    /// The amount, in minor units of ``currency``.
    public let amountMinor: Int64
    /// ISO 4217 code.
    public let currency: String
    /// Debits applied (more than 1 is a double charge).
    public let charges: Int
    /// Refunds applied.
    public let refunds: Int
    /// Refunded, in minor units.
    public let refundedMinor: Int64
    /// Cancels applied.
    public let cancels: Int

    static func snapshot(_ state: LedgerState, wallet: String?) -> [SandboxLedgerEntry] {
        var refunds: [String: Int] = [:]
        for refund in state.refunds.values { refunds[LedgerState.key(refund.wallet, refund.merchantReference), default: 0] += 1 }
        return state.payments.values.filter { wallet == nil || $0.wallet == wallet }
            .sorted { ($0.wallet, $0.merchantReference) < ($1.wallet, $1.merchantReference) }
            .map { payment in
                SandboxLedgerEntry(
                    wallet: payment.wallet, merchantReference: payment.merchantReference, state: payment.state.rawValue,
                    amountMinor: payment.amountMinor, currency: payment.currency,
                    // State files from before charges were counted: a succeeded payment was charged once.
                    charges: payment.charges ?? (payment.state == .succeeded ? 1 : 0),
                    refunds: refunds[LedgerState.key(payment.wallet, payment.merchantReference)] ?? 0, refundedMinor: payment.refundedMinor,
                    cancels: payment.cancels ?? (payment.state == .cancelled ? 1 : 0))
            }
    }
}
