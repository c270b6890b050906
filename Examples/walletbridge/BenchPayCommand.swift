import ArgumentParser
import Foundation
import Logging
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSQLite
import WalletBridgeSandbox
import WalletBridgeTransport

/// `walletbridge bench pay`: full signed payments through `WalletClient` against a sandbox,
/// beside the sum of their parts measured in the same run (sign, verify, one plain libcurl
/// round trip per request, and the journal's commits on the same journal type, bare).
struct BenchPayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "Signed payments through WalletClient, in client CPU µs per payment, beside the sum of their parts.",
        discussion: """
            Without --endpoint an embedded sandbox answers, in this process: its CPU is then counted \
            in every figure (the payments' and the parts' round trips alike). With --endpoint (the \
            base URL `walletbridge sandbox --port 0` prints) only the client's CPU is. An https \
            endpoint (`walletbridge sandbox --tls`) measures payments over TLS, with --ca-bundle \
            naming the CA the sandbox prints; the plain round trip is then over TLS too.
            """
    )

    @Option(help: "Wallet: gcash, tng, dana or paytm.")
    var wallet: String = "gcash"

    @Option(help: "Payments in the timed run.")
    var payments: Int = 1000

    @Option(help: "Payments in flight at once.")
    var concurrency: Int = 1

    @Option(help: "Base URL of a running `walletbridge sandbox` (default: an embedded sandbox in this process).")
    var endpoint: String?

    @Option(help: "PEM bundle of trusted CAs, for an https --endpoint (the CA `walletbridge sandbox --tls` prints).")
    var caBundle: String?

    @Option(help: "The payment journal: none (in memory, nothing durable), sqlite (a fresh file in a temporary directory), or a file PATH.")
    var journal: String = "none"

    @Flag(help: "Print one JSON object, then the BENCH line.")
    var json = false

    @Flag(help: "Measure the payments only, not their parts (for a profiler such as callgrind, which then counts the payments alone).")
    var paymentsOnly = false

    @Flag(help: "Call the adapter directly, without WalletClient (no middlewares, no journal): the difference is what the client's policy costs.")
    var adapterOnly = false

    @Flag(help: "Run the payments on the transport's own thread (CurlTransport.taskExecutor): no thread hop per request.")
    var onTransportThread = false

    func validate() throws {
        if onTransportThread {
            guard #available(macOS 15.0, *) else { throw ValidationError("--on-transport-thread needs a task executor (macOS 15, or Linux)") }
        }
        guard ["gcash", "tng", "dana", "paytm"].contains(wallet) else { throw ValidationError("--wallet must be gcash, tng, dana or paytm") }
        if adapterOnly, journal != "none" { throw ValidationError("--adapter-only has no journal: leave --journal at none") }
        guard payments > 0 else { throw ValidationError("--payments must be at least 1") }
        guard concurrency > 0, concurrency <= payments else { throw ValidationError("--concurrency must be between 1 and --payments") }
        if let endpoint, !endpoint.hasPrefix("http://"), !endpoint.hasPrefix("https://") {
            throw ValidationError("--endpoint must be the sandbox's http:// or https:// base URL")
        }
        if caBundle != nil, endpoint?.hasPrefix("https://") != true { throw ValidationError("--ca-bundle needs an https --endpoint") }
    }

    func run() async throws {
        let sandbox: WalletSandbox? = endpoint == nil ? try await WalletSandbox.start() : nil
        let baseURL = endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? sandbox?.baseURL ?? ""
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var profile = try WalletSandbox.clientProfile(wallet: wallet, baseURL: baseURL)
        profile.caBundlePath = caBundle
        // The production pool (64 connections per host at most, 256 in all) whatever the
        // concurrency: payments beyond it wait for a connection rather than open one.
        let transportConfiguration = CurlTransportConfiguration(
            connectTimeout: .seconds(5), requestTimeout: .seconds(30), caBundlePath: caBundle)
        let transport = try CurlTransport(configuration: transportConfiguration)
        let adapter = try AdapterFactory.adapter(for: profile, transport: transport)
        let journalName = journal == "none" || journal == "sqlite" ? journal : "path"
        let paymentJournal = try Self.openJournal(journal, directory: temporary, name: "journal.sqlite")
        // Pending payments (Paytm-style initiate) settle by queries after backoff sleeps; a
        // thousandfold policy clock shortens the sleeps (CPU is what is measured, not waits).
        var clientConfiguration = WalletClient.Configuration()
        clientConfiguration.clock = PolicyClock(timeScale: 1000)
        let client = WalletClient(
            adapter: adapter, journal: paymentJournal, logger: Logger(label: "walletbridge.bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            configuration: clientConfiguration)
        let amount = Self.amount(wallet)
        let run = String(UUID().uuidString.prefix(8))
        let customer = CustomerCredential("\(wallet)-pays")
        let request: @Sendable (Int) -> PaymentRequest = { index in
            PaymentRequest(merchantReference: "B\(run)-\(index)", amount: amount, customer: customer, orderDescription: "walletbridge bench")
        }

        // Warm-up (connections, caches), then the timed run.
        for index in 0..<10 {
            let warmUp = request(-index - 1)
            if case .pending(.some)? = try? await client.pay(warmUp).status {
                _ = try? await client.inquire(PaymentQuery(merchantReference: warmUp.merchantReference, expectedAmount: amount))
            }
        }
        let before = transport.statistics
        let clock = ContinuousClock()
        let usage = BenchUsage.now()
        let start = clock.now
        let (errors, firstError) = await Self.payAll(count: payments, concurrency: concurrency, on: onTransportThread ? transport : nil) { index in
            var result = try await adapterOnly ? adapter.pay(request(index)) : client.pay(request(index))
            if case .pending(.some) = result.status {
                // Paytm-style: the order is initiated, the customer's side done by the sandbox;
                // the status query completes the payment.
                let query = PaymentQuery(merchantReference: request(index).merchantReference, expectedAmount: amount)
                result = try await adapterOnly ? adapter.inquire(query) : client.inquire(query)
            }
            guard result.status == .succeeded else { throw BenchFailure(message: "a payment ended \(result.status.name)") }
        }
        let elapsed = BenchSample.seconds(clock.now - start)
        let after = BenchUsage.now()
        let statistics = transport.statistics
        let payCPU = after.cpuSeconds - usage.cpuSeconds
        let transfers = statistics.transfers - before.transfers
        let opened = statistics.connectionsOpened - before.connectionsOpened
        let requestsPerPayment = Double(transfers) / Double(payments)
        await transport.shutdown()

        // The parts, in the same process, on the same endpoint and journal type.
        let parts =
            paymentsOnly
            ? Parts()
            : try await Self.parts(
                wallet: wallet, baseURL: baseURL, caBundle: caBundle, profile: profile, journal: journal, directory: temporary,
                requestsPerPayment: requestsPerPayment, count: min(max(payments, 200), 2000))
        await sandbox?.shutdown()

        let payMicros = payCPU * 1e6 / Double(payments)
        let ratio = parts.sum > 0 ? payMicros / parts.sum : 0
        let reuse = transfers > 0 ? 1 - Double(opened) / Double(transfers) : 0
        if json {
            let object: [String: Any] = [
                "bench": "pay", "wallet": wallet, "payments": payments, "concurrency": concurrency, "journal": journalName,
                "endpoint": endpoint == nil ? "embedded" : baseURL, "tls": baseURL.hasPrefix("https://"),
                "through": adapterOnly ? "adapter" : "WalletClient",
                "pay": [
                    "wall_s": BenchFormat.round(elapsed, 4), "cpu_s": BenchFormat.round(payCPU, 4),
                    "cpu_us_per_payment": BenchFormat.round(payMicros, 2), "payments_per_s": BenchFormat.round(Double(payments) / elapsed, 1),
                    "errors": errors, "connections_opened": opened, "requests": transfers,
                    "requests_per_payment": BenchFormat.round(requestsPerPayment, 3), "connection_reuse": BenchFormat.round(reuse, 4),
                    "peak_rss_mb": BenchFormat.round(after.peakRSSMB, 1),
                ],
                "parts": [
                    "sign_us": BenchFormat.round(parts.sign, 2), "verify_us": BenchFormat.round(parts.verify, 2),
                    "round_trip_us": BenchFormat.round(parts.roundTrip, 2), "journal_us": BenchFormat.round(parts.journal, 2),
                    "sum_us": BenchFormat.round(parts.sum, 2),
                ],
                "ratio_to_parts": BenchFormat.round(ratio, 3),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            if let firstError { printError("bench pay: \(errors) of \(payments) payments failed; first: \(firstError)") }
        } else {
            print(
                "bench pay: \(wallet), \(payments) payments, \(concurrency) in flight, "
                    + (adapterOnly ? "the adapter alone (no WalletClient, no journal), " : "journal \(journal), ")
                    + (endpoint == nil ? "embedded sandbox (its CPU is counted too)" : "sandbox at \(baseURL) (client CPU only)"))
            print(
                String(
                    format: "  wall %.3f s, %.0f payments/s, %d errors, peak RSS %.1f MB", elapsed, Double(payments) / elapsed, errors,
                    after.peakRSSMB))
            print(
                String(
                    format: "  %d requests (%.2f per payment), %d connections opened (%.2f%% reuse)", transfers, requestsPerPayment, opened,
                    reuse * 100))
            if let firstError { print("  first error: \(firstError)") }
            let rows: [(String, Double)] = [
                (adapterOnly ? "signed payment through the adapter" : "signed payment through WalletClient", payMicros),
                (String(format: "  sign (%.2f per payment)", requestsPerPayment), parts.sign),
                (String(format: "  verify (%.2f per payment)", requestsPerPayment), parts.verify),
                (String(format: "  plain libcurl POST round trip (%.2f)", requestsPerPayment), parts.roundTrip),
                ("  journal commits, bare", parts.journal),
                ("sum of the parts", parts.sum),
            ]
            print(BenchFormat.pad("client CPU µs per payment", 44) + BenchFormat.leftPad("µs", 10))
            for (name, value) in rows { print(BenchFormat.pad(name, 44) + BenchFormat.leftPad(BenchFormat.fixed(value), 10)) }
            print(String(format: "ratio to the sum of its parts: %.2fx", ratio))
        }
        print(String(format: "BENCH requests=%d wall_s=%.4f cpu_s=%.4f", payments, elapsed, payCPU))
    }

    /// Runs `count` payments, `concurrency` at a time; returns how many failed and the first
    /// failure.
    static func payAll(
        count: Int, concurrency: Int, on transport: CurlTransport? = nil, _ pay: @escaping @Sendable (Int) async throws -> Void
    ) async -> (errors: Int, first: String?) {
        if let transport, #available(macOS 15.0, *) {
            return await withTaskExecutorPreference(transport.taskExecutor) { await payAll(count: count, concurrency: concurrency, pay) }
        }
        return await withTaskGroup(of: (Int, String?).self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var errors = 0
                    var first: String?
                    for index in stride(from: worker, to: count, by: concurrency) {
                        do {
                            try await pay(index)
                        } catch {
                            errors += 1
                            if first == nil { first = "\(error)" }
                        }
                    }
                    return (errors, first)
                }
            }
            var errors = 0
            var first: String?
            for await (count, message) in group {
                errors += count
                if first == nil { first = message }
            }
            return (errors, first)
        }
    }

    static func amount(_ wallet: String) -> Money {
        switch wallet {
        case "paytm": Money(minorUnits: 1000, currency: .inr)
        case "dana": Money(minorUnits: 1_000_000, currency: .idr)
        case "tng": Money(minorUnits: 1000, currency: .myr)
        default: Money(minorUnits: 1000, currency: .php)
        }
    }

    static func openJournal(_ journal: String, directory: String, name: String) throws -> any PaymentJournal {
        switch journal {
        case "none": return InMemoryPaymentJournal()
        case "sqlite": return try SQLitePaymentJournal(path: directory + "/" + name)
        default: return try SQLitePaymentJournal(path: journal)
        }
    }

    /// The parts of one payment, in client CPU µs.
    struct Parts {
        var sign = 0.0
        var verify = 0.0
        var roundTrip = 0.0
        var journal = 0.0
        var sum: Double { sign + verify + roundTrip + journal }
    }

    /// Measures each part per request and scales it by the requests a payment made.
    static func parts(
        wallet: String, baseURL: String, caBundle: String?, profile: PartnerProfile, journal: String, directory: String, requestsPerPayment: Double,
        count: Int
    ) async throws -> Parts {
        let duration = Duration.milliseconds(500)
        let body = Array(
            #"{"partnerReferenceNo":"B0000000-1","merchantId":"216620000000000000001","amount":{"value":"10000.00","currency":"IDR"},"validUpTo":"2026-11-24T10:19:05+07:00","additionalInfo":{"productCode":"51051000100000000001","order":{"orderTitle":"walletbridge bench"}}}"#
                .utf8)
        let timestamp = "2026-11-24T10:04:05+07:00"
        var parts = Parts()
        let path: String
        switch wallet {
        case "paytm":
            path = "/theia/api/v1/initiateTransaction"
            let checksum = try PaytmChecksum(merchantKey: SecretBytes(utf8: SandboxCredentials.paytmMerchantKey))
            let made = try checksum.generate(for: body).checksum
            parts.sign = try BenchSample.measure(for: duration) { _ = try checksum.generate(for: body) }.cpuMicrosPerOperation
            parts.verify = BenchSample.measure(for: duration) { _ = checksum.verify(made, for: body) }.cpuMicrosPerOperation
        case "dana":
            path = "/payment-gateway/v1.0/debit/payment-host-to-host.htm"
            let key = try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM)
            let signer = SNAPRSASigner(privateKey: key)
            let verifier = SNAPSignatureVerifier(publicKey: key.publicKey)
            let made = try signer.sign(method: "POST", path: path, body: body, timestamp: timestamp).value
            parts.sign = try BenchSample.measure(for: duration) {
                _ = try signer.sign(method: "POST", path: path, body: body, timestamp: timestamp)
            }.cpuMicrosPerOperation
            parts.verify = try BenchSample.measure(for: duration) {
                try verifier.verifyTransaction(signature: made, method: "POST", path: path, body: body, timestamp: timestamp)
            }.cpuMicrosPerOperation
        default:
            path = "/aps/api/v1/payments/pay"
            let key = try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM)
            let signer = AlipayPlusSigner(privateKey: key)
            let verifier = AlipayPlusVerifier(keys: PublicKeyStore(version: "1", key: key.publicKey))
            let message = AlipayPlusSignedMessage.request(path: path, clientId: profile.clientID, requestTime: timestamp, body: body)
            let header = try signer.sign(message).headerValue
            parts.sign = try BenchSample.measure(for: duration) { _ = try signer.sign(message).headerValue }.cpuMicrosPerOperation
            parts.verify = try BenchSample.measure(for: duration) { try verifier.verify(message, signatureHeader: header) }.cpuMicrosPerOperation
        }
        parts.sign *= requestsPerPayment
        parts.verify *= requestsPerPayment

        // One plain libcurl round trip: a POST of a body of the same size, with headers of the
        // same shape, to the same path of the same server (which refuses it, unsigned: the
        // client's work is the same).
        let headers = [
            "Content-Type: application/json; charset=UTF-8", "Client-Id: \(profile.clientID)", "Request-Time: \(timestamp)",
            "Signature: algorithm=RSA256,keyVersion=1,signature=" + String(repeating: "A", count: 344),
        ]
        guard let roundTrip = BenchCurlPost.loop(url: baseURL + path, body: body, headers: headers, caBundle: caBundle, count: count) else {
            throw BenchFailure(message: "the plain libcurl POST to \(baseURL + path) failed")
        }
        parts.roundTrip = roundTrip.cpuMicrosPerOperation * requestsPerPayment

        // The journal's commits for one payment, bare: intent + first attempt, the pay's
        // outcome, and per further request (a settling query) a read, an attempt and an outcome.
        let bare = try openJournal(journal == "none" ? "none" : "sqlite", directory: directory, name: "parts.sqlite")
        let queries = max(0, Int(requestsPerPayment.rounded()) - 1)
        let money = Self.amount(wallet)
        let now = Date()
        var index = 0
        let journalSample = try await BenchSample.measure(count: min(count, 1000)) {
            index += 1
            let request = PaymentRequest(
                merchantReference: "P\(index)", amount: money, customer: CustomerCredential("\(wallet)-pays"), orderDescription: "bench")
            let intent = JournalEntry.intent(wallet: wallet, request, at: now)
            _ = try await bare.beginFirstAttempt(intent, operation: .pay, at: now)
            let pending = queries > 0
            _ = try await bare.recordOutcome(
                intent.id, JournalOutcome(operation: .pay, state: pending ? .pending : .succeeded, walletReference: "W\(index)"), at: now)
            for attempt in 0..<queries {
                _ = try await bare.entry(intent.id)
                try await bare.recordAttempt(intent.id, operation: .inquire, attempt: attempt + 1, at: now)
                _ = try await bare.recordOutcome(
                    intent.id,
                    JournalOutcome(operation: .inquire, state: attempt == queries - 1 ? .succeeded : .pending, walletReference: "W\(index)"), at: now)
            }
        }
        parts.journal = journalSample.cpuMicrosPerOperation
        return parts
    }
}
