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
import WalletBridgeTransport

/// A client for one wallet, talking either to the partner named by a profile file or to an
/// embedded sandbox (whose ledger persists in a state file between runs).
struct WalletSession {
    let client: WalletClient
    let transport: CurlTransport
    let sandbox: WalletSandbox?

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
        let transport = try CurlTransport(configuration: CurlTransportConfiguration(
            connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout,
            caBundlePath: profile.caBundlePath,
            clientCertificate: profile.clientCertificatePath.map { .init(certificatePath: $0, privateKeyPath: profile.clientKeyPath) },
            proxy: profile.proxy))
        let wire: any HTTPTransport = options.trace ? TranscriptTransport(base: transport) : transport
        let clock = options.timeScale == 1 ? PolicyClock() : PolicyClock(timeScale: options.timeScale)
        let verbose = options.verbose
        let logger = Logger(label: "walletbridge", factory: { label -> any LogHandler in
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
        let client = WalletClient(adapter: adapter, journal: journal, logger: logger, configuration: configuration)
        return WalletSession(client: client, transport: transport, sandbox: sandbox)
    }

    func close() async {
        await transport.shutdown()
        await sandbox?.shutdown()
    }
}

/// The adapters this CLI links, by scheme: an explicit registry (`WalletAdapterRegistry`),
/// where a build with a partner's own adapter adds one line.
enum AdapterFactory {
    static let registry = WalletAdapterRegistry([
        "alipayplus": { profile, transport, environment in
            AlipayPlusAdapter(walletName: profile.wallet, configuration: try AlipayPlusConfiguration(profile: profile), transport: transport, clock: environment.clock)
        },
        "paytm": { profile, transport, environment in
            PaytmAdapter(walletName: profile.wallet, configuration: try PaytmConfiguration(profile: profile), transport: transport, clock: environment.clock)
        },
        "snap": { profile, transport, environment in
            SNAPAdapter(walletName: profile.wallet, configuration: try SNAPConfiguration(profile: profile), transport: transport, clock: environment.clock,
                        logger: environment.logger)
        },
    ])

    static func adapter(for profile: PartnerProfile, transport: any HTTPTransport,
                        logger: Logger = Logger(label: "walletbridge", factory: { _ in SwiftLogNoOpLogHandler() }),
                        clock: @escaping @Sendable () -> Date = { Date() }) throws -> any WalletAdapter {
        try registry.adapter(for: profile, transport: transport, environment: WalletAdapterRegistry.Environment(logger: logger, clock: clock))
    }
}

/// Prints each exchange to stderr: method, URL path, status, and the signature header in
/// short. Bodies are not printed (they carry customer credentials).
struct TranscriptTransport: HTTPTransport {
    let base: any HTTPTransport
    var write: @Sendable (String) -> Void = { printError($0) }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let path = URLComponents(string: request.url)?.path ?? request.url
        write("    > \(request.method) \(path)  \(TranscriptTransport.short(request.headerFields[.signature] ?? request.headerFields[.snapSignature].map { "X-SIGNATURE=" + $0 } ?? TranscriptTransport.paytmSignature(request.body)))")
        do {
            let response = try await base.send(request)
            write("    < HTTP \(response.status)  \(TranscriptTransport.short(response.headerFields[.signature] ?? response.headerFields[.snapSignature].map { "X-SIGNATURE=" + $0 } ?? TranscriptTransport.paytmSignature(response.body)))")
            return response
        } catch {
            write("    < \(error)")
            throw error
        }
    }

    /// Paytm carries its checksum in the envelope's `head.signature`, not in a header.
    static func paytmSignature(_ body: [UInt8]) -> String? {
        guard let envelope = try? PaytmEnvelope(received: body), let signature = envelope.signature else { return nil }
        return "head.signature=" + signature
    }

    static func short(_ signature: String?) -> String {
        guard let signature else { return "(unsigned)" }
        guard let marker = signature.range(of: "signature=") ?? signature.range(of: "SIGNATURE=") else { return "Signature: \(signature.prefix(40))…" }
        return "Signature: \(signature[..<marker.upperBound])\(signature[marker.upperBound...].prefix(16))…"
    }
}
