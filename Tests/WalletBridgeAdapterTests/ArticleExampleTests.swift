import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Testing
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSandbox
import WalletBridgeSQLite
import WalletBridgeTransport

/// The code of the WalletBridgeCore documentation articles: each sample is the text between the
/// `// ARTICLE-BEGIN` and `// ARTICLE-END` markers of a source file in this target (so it is
/// compiled), must appear verbatim in its article, and runs against the sandbox.
@Suite("Documentation examples")
struct ArticleExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let catalogue = "Sources/WalletBridgeCore/WalletBridgeCore.docc/"

    /// The marked text of `source` (in this directory).
    static func sample(_ source: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent("Tests/WalletBridgeAdapterTests/" + source), encoding: .utf8)
        let begin = try #require(text.range(of: "// ARTICLE-BEGIN\n"))
        let end = try #require(text.range(of: "// ARTICLE-END"))
        return String(text[begin.upperBound..<end.lowerBound])
    }

    static func article(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(catalogue + name), encoding: .utf8)
    }

    @Test(arguments: [
        ("GettingStartedExample.swift", "GettingStarted.md"), ("NotificationHandlerExample.swift", "Notifications.md"),
        ("ConfigurationExample.swift", "ConfigurationAndProfiles.md"),
    ])
    func theArticlesCodeIsTheCompiledSample(source: String, article: String) throws {
        let sample = try Self.sample(source)
        #expect(try Self.article(article).contains("```swift\n" + sample + "```"), "\(article)'s code block differs from \(source)")
    }

    @Test func aProfilesTransportSettingsReachTheTransport() throws {
        let toml = """
            [wallets.gcash]
            scheme = "alipayplus"
            base_url = "https://open-sea-global.alipayplus.com"
            client_id = "CLIENT"
            connect_timeout_ms = 2500
            request_timeout_ms = 20000
            ca_bundle = "/etc/ssl/partner-ca.pem"
            proxy = "http://proxy:3128"
            client_certificate = "/etc/walletbridge/mtls.pem"
            client_key = "/etc/walletbridge/mtls.key"
            """
        let profile = try PartnerProfileFile(bytes: Array(toml.utf8), name: "shop.toml", baseDirectory: nil).profile(for: "gcash")
        let configuration = transportConfiguration(for: profile)
        #expect(configuration.connectTimeout == .milliseconds(2500) && configuration.requestTimeout == .seconds(20))
        #expect(configuration.verifyTLS, "TLS is verified unless turned off in code")
        #expect(configuration.caBundlePath == "/etc/ssl/partner-ca.pem")
        #expect(configuration.clientCertificate?.certificatePath == "/etc/walletbridge/mtls.pem")
        #expect(configuration.clientCertificate?.privateKeyPath == "/etc/walletbridge/mtls.key")
        #expect(configuration.proxy == "http://proxy:3128")
        let bare = transportConfiguration(
            for: try PartnerProfileFile(
                bytes: Array(
                    """
                    {"wallets": {"dana": {"scheme": "snap", "base_url": "https://api.sandbox.dana.id", "client_id": "P"}}}
                    """.utf8), name: "shop.json", baseDirectory: nil
            ).profile(for: "dana"))
        #expect(bare.connectTimeout == .seconds(5) && bare.requestTimeout == .seconds(30))
        #expect(bare.caBundlePath == nil && bare.clientCertificate == nil && bare.proxy == nil)
    }

    @Test func theFirstPaymentsSucceedAgainstTheSandbox() async throws {
        let sandbox = try await WalletSandbox.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-first-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let profilePath = try WalletSandbox.writeClientConfig(to: directory, baseURL: sandbox.baseURL)
            let results = try await firstPayments(profilePath: profilePath)
            #expect(results.keys.sorted() == ["dana", "gcash", "paytm"])
            for (wallet, result) in results {
                #expect(result.status == .succeeded, "\(wallet): \(result.status)")
                #expect(result.walletReference != nil, "\(wallet) named no wallet reference")
            }
            #expect(sandbox.payment(wallet: "gcash", merchantReference: "FIRST-GCASH-1")?.state == "succeeded")
            #expect(sandbox.payment(wallet: "paytm", merchantReference: "FIRST-PAYTM-1")?.state == "succeeded")
            #expect(sandbox.payment(wallet: "dana", merchantReference: "FIRST-DANA-1")?.state == "succeeded")
        } catch {
            await sandbox.shutdown()
            throw error
        }
        await sandbox.shutdown()
    }

    /// A payment left pending by `pay` (nothing settled inline), whose final notification the
    /// sandbox posts to the article's handler on 127.0.0.1: applied once (the order fulfilled
    /// once, the journal's payment final), acknowledged so the sandbox stops, and the same request
    /// delivered again is acknowledged without being applied.
    @Test(arguments: ["paytm", "dana"])
    func theHandlerAppliesADeliveredNotificationOnce(wallet: String) async throws {
        let sandbox = try await WalletSandbox.start()
        let transport = try CurlTransport()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-notify-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var server: NotificationServer?
        do {
            let profile = try sandbox.clientProfile(wallet: wallet)
            let adapter: any WalletAdapter =
                wallet == "paytm"
                ? PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: transport)
                : SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: transport)
            let journal = try SQLitePaymentJournal(path: directory + "/journal.sqlite")
            let client = WalletClient(adapter: adapter, journal: journal, configuration: WalletClient.Configuration(settleWithin: .zero))
            let fulfilled = Fulfilments()
            let path = "/webhooks/\(wallet)"
            let started = try await NotificationServer.start(path: path, client: client, fulfil: { await fulfilled.add($0) })
            server = started

            let reference = "DOC-NOTIFY-\(UUID().uuidString.prefix(8))"
            let amount = wallet == "paytm" ? try Money(parsing: "12.00", currency: .inr) : try Money(parsing: "12000", currency: .idr)
            let paid = try await client.pay(
                PaymentRequest(
                    merchantReference: reference, amount: amount, customer: CustomerCredential("\(wallet)-pays"),
                    orderDescription: "notified", notifyURL: "http://127.0.0.1:\(started.port)\(path)"))
            #expect(paid.status.name == "pending", "pay settles nothing inline here: \(paid.status)")

            #expect(
                await eventually { sandbox.notificationDeliveries.contains { $0.label.hasSuffix(reference) && $0.acknowledged } },
                "the sandbox's notification was acknowledged")
            #expect(await eventually { await fulfilled.references == [reference] })
            let fulfilment = try #require(await fulfilled.payments.first)
            #expect(fulfilment.status == .succeeded && fulfilment.amount == amount)
            let entry = try await journal.entry(JournalEntry.paymentID(wallet: wallet, merchantReference: reference))
            #expect(entry?.state == .succeeded, "the notification advanced the journal's payment")
            #expect(
                sandbox.notificationDeliveries.filter { $0.label.hasSuffix(reference) }.map(\.attempts) == [1],
                "acknowledged at the first attempt")

            // The same request again, as a wallet's redelivery: acknowledged, not applied again.
            let delivered = try #require(await started.deliveries.first { $0.path == path })
            var headers = HTTPFields()
            for field in delivered.headerFields
            where !["host", "content-length", "connection", "user-agent", "accept", "transfer-encoding", "expect"].contains(field.name.canonicalName)
            {
                headers.append(field)
            }
            let again = try await transport.send(
                TransportRequest(
                    method: .post, url: "http://127.0.0.1:\(started.port)\(path)",
                    headerFields: headers, body: delivered.body))
            #expect(again.status == 200)
            let acknowledgement = wallet == "dana" ? "2005600" : "OK"
            #expect(String(decoding: again.body, as: UTF8.self).contains(acknowledgement))
            try await Task.sleep(for: .milliseconds(200))
            #expect(await fulfilled.references == [reference], "a redelivery is never applied twice")

            // And a tampered copy is refused with an HTTP error, applying nothing.
            var tampered = delivered.body
            if let index = tampered.lastIndex(of: UInt8(ascii: "2")) { tampered[index] = UInt8(ascii: "3") }
            let refused = try await transport.send(
                TransportRequest(
                    method: .post, url: "http://127.0.0.1:\(started.port)\(path)",
                    headerFields: headers, body: tampered))
            #expect(refused.status == 400)
            #expect(await fulfilled.references == [reference])
            try journal.close()
        } catch {
            await server?.shutdown()
            await transport.shutdown()
            await sandbox.shutdown()
            throw error
        }
        await server?.shutdown()
        await transport.shutdown()
        await sandbox.shutdown()
    }
}

/// The orders the handler fulfilled.
actor Fulfilments {
    var payments: [PaymentResult] = []
    var references: [String] { payments.map(\.merchantReference) }
    func add(_ payment: PaymentResult) { payments.append(payment) }
}

/// A Hummingbird server on 127.0.0.1 with the article's route, which also records each request
/// as it arrived (so a test can deliver it again).
struct NotificationServer: Sendable {
    struct Delivery: Sendable {
        var path: String
        var headerFields: HTTPFields
        var body: [UInt8]
    }

    actor Recorded {
        var all: [Delivery] = []
        func add(_ delivery: Delivery) { all.append(delivery) }
    }

    /// Records the request, then passes it on with its body intact.
    struct Recorder: RouterMiddleware {
        typealias Context = BasicRequestContext
        let recorded: Recorded
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            await recorded.add(Delivery(path: request.uri.path, headerFields: request.headers, body: Array(body.readableBytesView)))
            return try await next(request, context)
        }
    }

    let port: Int
    let recorded: Recorded
    let group: ServiceGroup
    let task: Task<Void, any Error>

    var deliveries: [Delivery] { get async { await recorded.all } }

    static func start(
        path: String, client: WalletClient, fulfil: @escaping @Sendable (PaymentResult) async -> Void
    ) async throws -> NotificationServer {
        let recorded = Recorded()
        let router = Router()
        router.add(middleware: Recorder(recorded: recorded))
        addNotificationRoute(to: router, path: path, client: client, fulfil: fulfil)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let quiet = Logger(label: "notifications", factory: { _ in SwiftLogNoOpLogHandler() })
        let app = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: quiet)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: quiet))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw WalletError(.partnerUnavailable, "the notification server could not listen on 127.0.0.1")
        }
        return NotificationServer(port: port, recorded: recorded, group: group, task: task)
    }

    func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
