import ArgumentParser
import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import WalletBridgeCore

/// `merchant-server`: an example merchant backend that links the SDK the way a shop would.
///
/// It takes payments (`POST /orders/{id}/pay`), receives the wallets' notifications
/// (`POST /webhooks/{wallet}`), serves `/metrics` and `/healthz`, and runs the
/// `PaymentReconciler` beside the HTTP server in one swift-service-lifecycle `ServiceGroup`
/// that shuts down gracefully on SIGTERM or SIGINT. Several instances may share one journal
/// (`--journal postgres://…`): each payment and each notification is applied once, whichever
/// instance receives it, and an instance that dies leaves its open payments to the others.
@main
struct MerchantServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merchant-server",
        abstract: "An example merchant server on WalletBridge: payments, webhooks, reconciler, metrics.",
        discussion: """
            Prints one line `merchant-server listening on http://HOST:PORT` on stdout once it accepts requests. \
            Endpoints: POST /orders/{id}/pay {"wallet","amount","currency","customer"}, POST /webhooks/{wallet} \
            (also /notify/{wallet}), GET /metrics, GET /healthz.
            """
    )

    @Option(help: "A profile file (JSON or TOML, one wallet or a wallets table); repeatable.")
    var profile: [String] = []

    @Option(help: "A directory holding walletbridge.json or walletbridge.toml (what `walletbridge sandbox --write-config` writes); repeatable.")
    var config: [String] = []

    @Option(help: "Only these wallets of the profiles, comma-separated (default: every wallet the profiles name).")
    var wallets: String?

    @Option(help: "The payment journal: sqlite:PATH or postgres://USER@HOST:PORT/DB (shared by every instance).")
    var journal: String

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one; the bound URL is printed).")
    var port: Int = 8080

    @Option(help: "This instance's name: in logs, events, and as the owner of the reconciler's leases.")
    var instance: String = "merchant-\(ProcessInfo.processInfo.processIdentifier)"

    @Option(help: "Base URL of the webhooks as the wallets reach them (default: this server's URL); used when a profile names no notify_url.")
    var notifyBase: String?

    @Option(help: "Seconds a payment request may spend settling an open outcome before it answers 202 (policy time).")
    var settleWithin: Int = 10

    @Option(help: "Seconds between the reconciler's sweeps (policy time).")
    var reconcileInterval: Int = 30

    @Option(help: "Seconds (policy time) a reconciler's lease on an open payment holds before another instance may take it over.")
    var leaseSeconds: Int = 300

    @Option(help: "How many open payments a reconciler leases at a time.")
    var leaseBatch: Int = 8

    @Option(help: "Run policy time N times faster (pair with the sandbox's --time-scale).")
    var timeScale: Double = 1

    @Option(help: "Append one JSON line per payment accepted and answered and per notification received to FILE.")
    var events: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    mutating func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard timeScale >= 1, timeScale.isFinite else { throw ValidationError("--time-scale must be a number of at least 1") }
        guard settleWithin >= 0, reconcileInterval >= 1, leaseSeconds >= 1, leaseBatch >= 1 else {
            throw ValidationError("--settle-within must be >= 0; --reconcile-interval, --lease-seconds and --lease-batch >= 1")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
        guard !profile.isEmpty || !config.isEmpty else { throw ValidationError("pass --profile PATH or --config DIR") }
    }

    func run() async throws {
        var logger = Logger(label: "merchant-server", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        logger[metadataKey: "instance"] = "\(instance)"
        let location: JournalLocation
        var profiles: [String: PartnerProfile]
        do {
            location = try JournalLocation(parsing: journal)
            profiles = try MerchantWallets.profiles(files: profile, directories: config)
        } catch {
            Self.fail("\(error)")
        }
        if let wanted = wallets?.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            if let missing = wanted.first(where: { profiles[$0] == nil }) { Self.fail("--wallets: no profile for \(missing)") }
            profiles = profiles.filter { wanted.contains($0.key) }
        }
        let opened: OpenJournal
        do {
            opened = try await OpenJournal.open(location, instance: instance, logger: logger)
        } catch {
            Self.fail("the journal \(location) cannot be opened: \(error)")
        }
        let registry = PrometheusCollectorRegistry()
        let metrics = PrometheusMetricsFactory(registry: registry)
        let clock = timeScale == 1 ? PolicyClock() : PolicyClock(timeScale: timeScale)
        let merchantWallets: MerchantWallets
        do {
            merchantWallets = try await MerchantWallets.make(
                profiles: profiles, journal: opened.journal, metrics: metrics, clock: clock,
                settleWithin: .seconds(settleWithin), logger: logger)
        } catch {
            await opened.close()
            Self.fail("\(error)")
        }
        let eventLog: MerchantEvents
        do {
            eventLog = try MerchantEvents(path: events, instance: instance)
        } catch {
            await merchantWallets.shutdown()
            await opened.close()
            Self.fail("\(error)")
        }
        let readiness = Readiness()
        let boundBase = BoundURL()
        let explicitBase = notifyBase
        let routes = MerchantRoutes(
            wallets: merchantWallets, registry: registry, metrics: metrics, events: eventLog, instance: instance, readiness: readiness,
            logger: logger,
            settleWithin: .seconds(settleWithin), timeScale: timeScale,
            notifyBase: { explicitBase ?? boundBase.value })
        let host = self.host
        let app = Application(
            router: routes.router(), configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let url = "http://\(host):\(channel.localAddress?.port ?? 0)"
                boundBase.value = url
                readiness.set(true)
                FileHandle.standardOutput.write(Data("merchant-server listening on \(url)\n".utf8))
            },
            logger: logger)
        let clients = merchantWallets.clients.keys.sorted().compactMap { merchantWallets.clients[$0] }
        let owner = instance
        let (lease, batch, interval) = (Duration.seconds(leaseSeconds), leaseBatch, Duration.seconds(reconcileInterval))
        let reconciler = ReconcilerService(
            clients: clients, interval: .seconds(reconcileInterval), metrics: metrics, logger: logger,
            makeReconciler: { clients in
                // Leases in the journal (PostgreSQL): no payment is reconciled by two instances at
                // once, and one whose lease expired (its instance died) is taken over.
                PaymentReconciler(clients: clients, interval: interval, owner: owner, leaseDuration: lease, batchSize: batch)
            })
        logger.info(
            "starting", metadata: ["journal": "\(location)", "wallets": "\(merchantWallets.clients.keys.sorted().joined(separator: ","))"])
        // Last in the list, so signalled first on shutdown: /healthz says "not ready" while the
        // reconciler finishes its sweep and the server drains.
        let group = ServiceGroup(
            services: [app, reconciler, DrainingService(readiness: readiness, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            logger.error("stopped", metadata: ["error": "\(error)"])
        }
        readiness.set(false)
        await merchantWallets.shutdown()
        await opened.close()
        logger.info("stopped")
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("merchant-server: error: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

/// The URL the server is bound to, once known.
final class BoundURL: @unchecked Sendable {
    private let lock = NSLock()
    private var url: String?

    var value: String? {
        get { lock.withLock { url } }
        set { lock.withLock { url = newValue } }
    }
}

/// Waits for graceful shutdown, then marks the server not ready.
struct DrainingService: Service {
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        readiness.set(false)
        logger.info("draining")
    }
}
