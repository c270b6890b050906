import ArgumentParser
import Foundation
import HTTPTypes
import Logging
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSQLite
import WalletBridgeSandbox
import WalletBridgeSignatureTool
import WalletBridgeTransport

/// A client for one wallet, talking either to the partner named by a profile file or to an
/// embedded sandbox (whose ledger persists in a state file between runs).
struct WalletSession {
    let client: WalletClient
    let transport: CurlTransport
    let sandbox: WalletSandbox?
    /// `--dump-cases`: where exchanges are written as signature cases.
    var dumper: CaseDumper? = nil
    /// One correlation id for every operation of this invocation (a pay and the settling that
    /// follows it log under the same id).
    let correlationID = UUID().uuidString.lowercased()

    static func open(_ options: WalletOptions, settleWithin: Duration = .seconds(30)) async throws -> WalletSession {
        var sandbox: WalletSandbox?
        let profile: PartnerProfile
        do {
            if let config = options.config {
                profile = try PartnerProfileFile(path: config).profile(for: options.wallet)
            } else {
                var configuration = WalletSandbox.Configuration()
                configuration.stateFile = options.resolvedStateFile
                let started = try await WalletSandbox.start(configuration)
                sandbox = started
                profile = try started.clientProfile(wallet: options.wallet, snapMode: options.snapMode)
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let transport = try CurlTransport(
            configuration: CurlTransportConfiguration(
                connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout,
                caBundlePath: profile.caBundlePath,
                clientCertificate: profile.clientCertificatePath.map { .init(certificatePath: $0, privateKeyPath: profile.clientKeyPath) },
                proxy: profile.proxy))
        var wire: any HTTPTransport = transport
        var dumper: CaseDumper?
        if let directory = options.dumpCases {
            guard let scheme = SignatureTool.Scheme(rawValue: profile.scheme) else {
                await transport.shutdown()
                await sandbox?.shutdown()
                printError(
                    "error: --dump-cases knows the schemes \(SignatureTool.Scheme.allCases.map(\.rawValue).joined(separator: ", ")), not \(profile.scheme)"
                )
                throw ExitCode(2)
            }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                await transport.shutdown()
                await sandbox?.shutdown()
                printError("error: --dump-cases: cannot create \(directory): \(error)")
                throw ExitCode(2)
            }
            let made = CaseDumper(
                directory: directory, scheme: scheme, keys: CaseDumper.keys(for: profile, sandbox: sandbox != nil, directory: directory),
                testTokensOnly: sandbox != nil)
            dumper = made
            wire = CaseDumpTransport(base: wire, dumper: made)
        }
        if options.trace || options.traceBodies {
            wire = TranscriptTransport(base: wire, bodies: options.traceBodies ? TraceMask(profile: profile) : nil)
        }
        let clock = options.timeScale == 1 ? PolicyClock() : PolicyClock(timeScale: options.timeScale)
        let verbose = options.verbose
        let logger = Logger(
            label: "walletbridge",
            factory: { label -> any LogHandler in
                verbose ? StreamLogHandler.standardError(label: label) : SwiftLogNoOpLogHandler()
            })
        let adapter: any WalletAdapter
        do {
            adapter = try AdapterFactory.adapter(for: profile, transport: wire, logger: logger, clock: clock.now)
        } catch {
            await transport.shutdown()
            await sandbox?.shutdown()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let journal: SQLitePaymentJournal
        BindingStore.prepareJournalFile(options.resolvedJournal)
        do {
            journal = try SQLitePaymentJournal(path: options.resolvedJournal)
        } catch {
            await transport.shutdown()
            await sandbox?.shutdown()
            printError("error: the payment journal \(options.resolvedJournal) cannot be opened: \(error)")
            throw ExitCode(2)
        }
        var configuration = WalletClient.Configuration()
        configuration.settleWithin = settleWithin
        configuration.clock = clock
        do {
            configuration.authorizationStore = try BindingStore.open(journal: journal, options)
        } catch {
            await transport.shutdown()
            await sandbox?.shutdown()
            throw error
        }
        let client = WalletClient(adapter: adapter, journal: journal, logger: logger, configuration: configuration)
        return WalletSession(client: client, transport: transport, sandbox: sandbox, dumper: dumper)
    }

    func close() async {
        await transport.shutdown()
        await sandbox?.shutdown()
        if let dumper { printError(dumper.summary) }
    }
}

/// The adapters this CLI links, by scheme: an explicit registry (`WalletAdapterRegistry`),
/// where a build with a partner's own adapter adds one line.
enum AdapterFactory {
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

    static func adapter(
        for profile: PartnerProfile, transport: any HTTPTransport,
        logger: Logger = Logger(label: "walletbridge", factory: { _ in SwiftLogNoOpLogHandler() }),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> any WalletAdapter {
        try registry.adapter(for: profile, transport: transport, environment: WalletAdapterRegistry.Environment(logger: logger, clock: clock))
    }
}
