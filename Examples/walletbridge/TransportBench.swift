import CCurl
import Foundation
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeSQLite
import WalletBridgeTransport

/// HTTP round trips to the in-process sandbox's health endpoint over loopback, measured against
/// a plain libcurl `curl_easy_perform` loop (one reused easy handle) in the same process.
enum TransportBench {
    struct Row {
        let name: String
        let rate: Double
        let note: String
    }

    static func run(seconds: Int) async throws -> [Row] {
        let sandbox = try await WalletSandbox.start()
        let url = sandbox.baseURL + "/sandbox/health"
        let duration = Duration.seconds(seconds)
        var rows: [Row] = []

        let plain = CurlBaseline.easyLoop(url: url, duration: duration)
        rows.append(Row(name: "plain libcurl easy loop (baseline)", rate: plain, note: ""))

        let transport = try CurlTransport()
        let request = TransportRequest(method: .get, url: url)
        let sequential = try await measure(duration) { _ = try await transport.send(request) }
        rows.append(Row(name: "CurlTransport, sequential", rate: sequential, note: ratio(sequential, plain, "plain libcurl loop, this run")))

        let concurrent = try await measureConcurrently(duration, tasks: 16) { _ = try await transport.send(request) }
        rows.append(Row(name: "CurlTransport, 16 in flight", rate: concurrent, note: ratio(concurrent, plain, "plain libcurl loop, this run")))

        let adapter = AlipayPlusAdapter(
            configuration: try AlipayPlusConfiguration(profile: try sandbox.clientProfile(wallet: "gcash")), transport: transport)
        let amount = Money(minorUnits: 1000, currency: .php)
        var counter = 0
        let pay = try await measure(duration) {
            counter += 1
            let result = try await adapter.pay(
                PaymentRequest(
                    merchantReference: "BENCH-\(counter)", amount: amount, customer: CustomerCredential("gcash-pays"), orderDescription: "bench"))
            guard result.status == .succeeded else { throw BenchFailure(message: "bench payment ended \(result.status.name)") }
        }
        rows.append(
            Row(name: "signed GCash pay round trip", rate: pay, note: ratio(pay, sequential, "CurlTransport sequential (incl. sandbox sign+verify)")))

        // The same payment through WalletClient's middlewares: the policy's own cost, then the
        // durable journal's (intent, attempt and outcome committed with synchronous = FULL).
        let memoryClient = WalletClient(adapter: adapter, journal: InMemoryPaymentJournal())
        let viaClient = try await measure(duration) {
            counter += 1
            let result = try await memoryClient.pay(
                PaymentRequest(
                    merchantReference: "BENCH-\(counter)", amount: amount, customer: CustomerCredential("gcash-pays"), orderDescription: "bench"))
            guard result.status == .succeeded else { throw BenchFailure(message: "bench payment ended \(result.status.name)") }
        }
        rows.append(
            Row(name: "GCash pay, WalletClient + memory journal", rate: viaClient, note: ratio(viaClient, pay, "the bare adapter's pay, this run")))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("walletbridge-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sqliteClient = WalletClient(adapter: adapter, journal: try SQLitePaymentJournal(path: directory + "/journal.sqlite"))
        let durable = try await measure(duration) {
            counter += 1
            let result = try await sqliteClient.pay(
                PaymentRequest(
                    merchantReference: "BENCH-\(counter)", amount: amount, customer: CustomerCredential("gcash-pays"), orderDescription: "bench"))
            guard result.status == .succeeded else { throw BenchFailure(message: "bench payment ended \(result.status.name)") }
        }
        rows.append(
            Row(name: "GCash pay, WalletClient + SQLite journal", rate: durable, note: ratio(durable, pay, "the bare adapter's pay, this run")))

        let paytm = PaytmAdapter(configuration: try PaytmConfiguration(profile: try sandbox.clientProfile(wallet: "paytm")), transport: transport)
        let rupees = Money(minorUnits: 1000, currency: .inr)
        let paytmPay = try await measure(duration) {
            counter += 1
            let reference = "BENCH-PTM-\(counter)"
            let started = try await paytm.pay(
                PaymentRequest(merchantReference: reference, amount: rupees, customer: CustomerCredential("paytm-pays"), orderDescription: "bench"))
            let result = try await paytm.inquire(PaymentQuery(merchantReference: reference, expectedAmount: rupees))
            guard started.status.name == "pending", result.status == .succeeded else {
                throw BenchFailure(message: "bench Paytm payment ended \(result.status.name)")
            }
        }
        rows.append(
            Row(
                name: "checksummed Paytm initiate + status", rate: paytmPay,
                note: ratio(paytmPay, sequential / 2, "two CurlTransport sequential requests (incl. sandbox checksums)")))

        let rupiah = Money(minorUnits: 1_000_000, currency: .idr)
        for mode in ["rsa", "token"] {
            let dana = SNAPAdapter(
                configuration: try SNAPConfiguration(profile: try sandbox.clientProfile(wallet: "dana", snapMode: mode)), transport: transport)
            let danaPay = try await measure(duration) {
                counter += 1
                let reference = "BENCH-DANA-\(mode)-\(counter)"
                _ = try await dana.pay(
                    PaymentRequest(merchantReference: reference, amount: rupiah, customer: CustomerCredential("dana-pays"), orderDescription: "bench")
                )
                let result = try await dana.inquire(PaymentQuery(merchantReference: reference, expectedAmount: rupiah))
                guard result.status == .succeeded else { throw BenchFailure(message: "bench DANA payment ended \(result.status.name)") }
            }
            let label = mode == "rsa" ? "signed DANA debit + query (RSA mode)" : "signed SNAP debit + query (token + HMAC)"
            rows.append(
                Row(
                    name: label, rate: danaPay,
                    note: ratio(danaPay, sequential / 2, "two CurlTransport sequential requests (incl. sandbox signatures)")))
        }
        let stats = transport.statistics
        rows.append(
            Row(
                name: "  connections opened / transfers", rate: Double(stats.connectionsOpened),
                note: "\(stats.connectionsOpened) of \(stats.transfers)"))
        await transport.shutdown()
        await sandbox.shutdown()
        return rows
    }

    private static func measure(_ duration: Duration, _ body: () async throws -> Void) async throws -> Double {
        for _ in 0..<10 { try await body() }
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        while clock.now - start < duration {
            try await body()
            count += 1
        }
        return Double(count) / seconds(clock.now - start)
    }

    private static func measureConcurrently(
        _ duration: Duration, tasks: Int, _ body: @escaping @Sendable () async throws -> Void
    ) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var count = 0
                    while clock.now - start < duration {
                        try await body()
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / seconds(clock.now - start)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func ratio(_ value: Double, _ baseline: Double, _ label: String) -> String {
        baseline > 0 ? String(format: "%.2fx %@", value / baseline, label) : ""
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
