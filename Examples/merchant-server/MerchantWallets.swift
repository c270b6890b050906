import CoreMetrics
import Foundation
import Logging
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeTransport

/// The wallets this merchant takes payments with: one `WalletClient` per wallet profile (over
/// its own libcurl transport, with the profile's timeouts and TLS material), all on one
/// journal and one metrics factory.
struct MerchantWallets: Sendable {
    /// Clients by wallet name.
    let clients: [String: WalletClient]
    /// The transports the adapters send through (shut down last).
    let transports: [CurlTransport]
    /// The notify URLs the profiles name, by wallet.
    var profileNotifyURLs: [String: String] = [:]

    /// Stops every transport.
    func shutdown() async {
        for transport in transports { await transport.shutdown() }
    }

    /// The adapters this server links, by scheme (an explicit registry: a merchant with its own
    /// adapter adds one line).
    static let registry = WalletAdapterRegistry([
        "alipayplus": { profile, transport, environment in
            AlipayPlusAdapter(
                walletName: profile.wallet, configuration: try AlipayPlusConfiguration(profile: profile), transport: transport,
                clock: environment.clock)
        },
        "paytm": { profile, transport, environment in
            PaytmAdapter(
                walletName: profile.wallet, configuration: try PaytmConfiguration(profile: profile), transport: transport, clock: environment.clock)
        },
        "snap": { profile, transport, environment in
            SNAPAdapter(
                walletName: profile.wallet, configuration: try SNAPConfiguration(profile: profile), transport: transport, clock: environment.clock,
                logger: environment.logger)
        },
    ])

    /// Reads the profile files (`--profile`, and `walletbridge.json` or `walletbridge.toml` in
    /// `--config` directories); a wallet named twice is an error.
    static func profiles(files: [String], directories: [String]) throws -> [String: PartnerProfile] {
        var paths = files
        for directory in directories {
            let candidates = ["walletbridge.json", "walletbridge.toml"].map { (directory as NSString).appendingPathComponent($0) }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw MerchantServerError("--config \(directory): no walletbridge.json or walletbridge.toml there")
            }
            paths.append(found)
        }
        var profiles: [String: PartnerProfile] = [:]
        for path in paths {
            for (wallet, profile) in try PartnerProfileFile(path: path).profiles {
                guard profiles[wallet] == nil else { throw MerchantServerError("wallet \(wallet) has a profile in two files (\(path))") }
                profiles[wallet] = profile
            }
        }
        guard !profiles.isEmpty else { throw MerchantServerError("no wallet profiles: pass --profile PATH or --config DIR") }
        return profiles
    }

    /// One client per profile whose scheme this server links.
    static func make(
        profiles: [String: PartnerProfile], journal: any PaymentJournal, metrics: any MetricsFactory, clock: PolicyClock,
        settleWithin: Duration, logger: Logger
    ) async throws -> MerchantWallets {
        var clients: [String: WalletClient] = [:]
        var transports: [CurlTransport] = []
        do {
            for (wallet, profile) in profiles {
                let transport = try CurlTransport(
                    configuration: CurlTransportConfiguration(
                        connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout, caBundlePath: profile.caBundlePath,
                        clientCertificate: profile.clientCertificatePath.map { .init(certificatePath: $0, privateKeyPath: profile.clientKeyPath) },
                        proxy: profile.proxy))
                transports.append(transport)
                let adapter = try registry.adapter(
                    for: profile, transport: transport, environment: WalletAdapterRegistry.Environment(logger: logger, clock: clock.now))
                var configuration = WalletClient.Configuration()
                configuration.clock = clock
                configuration.settleWithin = settleWithin
                // Injected, never bootstrapped globally: /metrics serves this registry.
                configuration.metrics = metrics
                clients[wallet] = WalletClient(adapter: adapter, journal: journal, logger: logger, configuration: configuration)
            }
        } catch {
            await MerchantWallets(clients: [:], transports: transports).shutdown()
            throw MerchantServerError("\(error)")
        }
        return MerchantWallets(clients: clients, transports: transports, profileNotifyURLs: profiles.compactMapValues(\.notifyURL))
    }
}
