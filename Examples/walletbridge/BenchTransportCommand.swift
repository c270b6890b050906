import ArgumentParser
import Foundation
import HTTPTypes
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

/// `walletbridge bench transport`: N keep-alive POSTs through `CurlTransport`, beside a plain
/// libcurl loop in the same process with `--baseline`.
///
/// Client CPU is `getrusage(RUSAGE_SELF)` (user + system) around each timed loop, wall time a
/// monotonic clock. Without `--url` the server is an embedded sandbox, whose CPU then counts
/// too; real figures come from a sandbox in another process (`walletbridge sandbox`, pinned
/// with `taskset -c 0`, the client with `taskset -c 1`). The last line printed is
/// `BENCH requests=N wall_s=X cpu_s=Y` for the WalletBridge run.
struct BenchTransportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Keep-alive POSTs through CurlTransport, optionally beside a plain libcurl loop (--baseline)."
    )

    @Option(help: "URL to POST to (default: an embedded sandbox's echo endpoint, /sandbox/echo).")
    var url: String?

    @Option(help: "Requests to send (timed, after an untimed warm-up).")
    var requests: Int = 10_000

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 1

    @Option(help: "File whose bytes are the request body (default: a 160-byte JSON payment).")
    var body: String?

    @Option(help: "PEM bundle of trusted CAs, for an https --url (the CA `walletbridge sandbox --tls` prints).")
    var caBundle: String?

    @Flag(help: "Run the WalletBridge side on the transport's own thread (CurlTransport.taskExecutor): no thread hop per request.")
    var onTransportThread = false

    @Flag(help: "Also run a plain libcurl loop in this process (easy handle when --concurrency is 1, multi handle otherwise).")
    var baseline = false

    @Flag(help: "Print one JSON object (before the BENCH line).")
    var json = false

    func validate() throws {
        if onTransportThread {
            guard #available(macOS 15.0, *) else { throw ValidationError("--on-transport-thread needs a task executor (macOS 15, or Linux)") }
        }
        guard requests > 0 else { throw ValidationError("--requests must be positive") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
    }

    func run() async throws {
        let bodyBytes: [UInt8]
        if let body {
            guard let data = FileManager.default.contents(atPath: body) else { throw ValidationError("cannot read --body \(body)") }
            bodyBytes = Array(data)
        } else {
            bodyBytes = Array(
                #"{"partnerReferenceNo":"WB-BENCH-0001","merchantId":"216620000000000000001","amount":{"value":"10000.00","currency":"IDR"},"note":"bench"}"#
                    .utf8)
        }
        var sandbox: WalletSandbox?
        let target: String
        if let url {
            target = url
        } else {
            let started = try await WalletSandbox.start()
            sandbox = started
            target = started.baseURL + "/sandbox/echo"
        }
        let workload = CurlBaseline.Workload(
            url: target, body: bodyBytes, headerLines: ["Content-Type: application/json", "Accept: application/json"], caBundle: caBundle)
        let warmUp = max(10, concurrency)

        let ours = try await BenchTransportRun.walletBridge(
            workload, requests: requests, concurrency: concurrency, warmUp: warmUp, onTransportThread: onTransportThread)
        let oursRSS = CurlBaseline.Meter.peakResidentMiB()
        var theirs: (run: CurlBaseline.Run, rss: Double)?
        if baseline {
            let defaults = CurlTransportConfiguration()
            let run =
                concurrency == 1
                ? CurlBaseline.easyPosts(workload, requests: requests, warmUp: warmUp)
                : CurlBaseline.multiPosts(
                    workload, requests: requests, concurrency: concurrency, warmUp: warmUp,
                    maxConnectionsPerHost: defaults.maxConnectionsPerHost, maxTotalConnections: defaults.maxTotalConnections)
            theirs = (run, CurlBaseline.Meter.peakResidentMiB())
        }
        if let sandbox { await sandbox.shutdown() }

        let report = BenchTransportReport(
            url: target, requests: requests, concurrency: concurrency, embeddedServer: sandbox != nil,
            walletBridge: .init(ours.run, requests: requests, peakRSS: oursRSS, reused: ours.reused, warmUpOpened: ours.warmUpOpened),
            baseline: theirs.map { .init($0.run, requests: requests, peakRSS: $0.rss, reused: nil, warmUpOpened: nil) })
        if json {
            print(report.json)
        } else {
            print(report.table)
        }
        print(String(format: "BENCH requests=%d wall_s=%.6f cpu_s=%.6f", requests, report.walletBridge.wallSeconds, report.walletBridge.cpuSeconds))
    }
}

/// The WalletBridge side of `bench transport`: the same POSTs through one `CurlTransport`.
enum BenchTransportRun {
    static func walletBridge(
        _ workload: CurlBaseline.Workload, requests: Int, concurrency: Int, warmUp: Int, onTransportThread: Bool = false
    ) async throws -> (run: CurlBaseline.Run, reused: Int, warmUpOpened: Int) {
        var fields = HTTPFields()
        for line in workload.headerLines {
            guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
            fields.append(HTTPField(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let request = TransportRequest(method: .post, url: workload.url, headerFields: fields, body: workload.body)
        let transport = try CurlTransport(configuration: CurlTransportConfiguration(caBundlePath: workload.caBundle))
        _ = await sending(onTransportThread, transport) { await send(request, through: transport, count: warmUp, concurrency: concurrency) }
        let warm = transport.statistics
        let meter = CurlBaseline.Meter()
        let errors = await sending(onTransportThread, transport) {
            await send(request, through: transport, count: requests, concurrency: concurrency)
        }
        let (wall, cpu) = meter.read()
        let after = transport.statistics
        await transport.shutdown()
        let run = CurlBaseline.Run(
            wall: wall, cpuSeconds: cpu, connectionsOpened: after.connectionsOpened - warm.connectionsOpened, errors: errors)
        return (run, after.connectionsReused - warm.connectionsReused, warm.connectionsOpened)
    }

    /// Runs `body` on the transport's own thread (its task executor) when asked and available.
    private static func sending(_ onTransportThread: Bool, _ transport: CurlTransport, _ body: () async -> Int) async -> Int {
        if onTransportThread, #available(macOS 15.0, *) {
            return await withTaskExecutorPreference(transport.taskExecutor) { await body() }
        }
        return await body()
    }

    /// Sends `request` `count` times, `concurrency` at once; the number that failed or got a
    /// non-2xx status.
    private static func send(_ request: TransportRequest, through transport: CurlTransport, count: Int, concurrency: Int) async -> Int {
        let lanes = min(concurrency, count)
        return await withTaskGroup(of: Int.self) { group in
            for lane in 0..<lanes {
                let share = count / lanes + (lane < count % lanes ? 1 : 0)
                group.addTask {
                    var errors = 0
                    for _ in 0..<share {
                        do {
                            let response = try await transport.send(request)
                            if !(200..<300).contains(response.status) { errors += 1 }
                        } catch {
                            errors += 1
                        }
                    }
                    return errors
                }
            }
            return await group.reduce(0, +)
        }
    }
}

/// What `bench transport` prints: a table, or one JSON object whose field names `make bench`
/// reads.
struct BenchTransportReport {
    struct Side {
        var wallSeconds: Double
        var cpuSeconds: Double
        var cpuMicrosPerRequest: Double
        var connectionsOpened: Int
        var connectionsReused: Int?
        var warmUpOpened: Int?
        var errors: Int
        var peakRSSMiB: Double

        init(_ run: CurlBaseline.Run, requests: Int, peakRSS: Double, reused: Int?, warmUpOpened: Int?) {
            wallSeconds = CurlBaseline.seconds(run.wall)
            cpuSeconds = run.cpuSeconds
            cpuMicrosPerRequest = run.cpuSeconds * 1e6 / Double(max(1, requests))
            connectionsOpened = run.connectionsOpened
            connectionsReused = reused
            self.warmUpOpened = warmUpOpened
            errors = run.errors
            peakRSSMiB = peakRSS
        }

        var json: String {
            var text = String(
                format: #"{"wall_s":%.6f,"cpu_s":%.6f,"cpu_us_per_request":%.3f,"connections_opened":%d,"peak_rss_mb":%.1f,"errors":%d"#,
                wallSeconds, cpuSeconds, cpuMicrosPerRequest, connectionsOpened, peakRSSMiB, errors)
            if let connectionsReused { text += ",\"connections_reused\":\(connectionsReused)" }
            return text + "}"
        }
    }

    var url: String
    var requests: Int
    var concurrency: Int
    var embeddedServer: Bool
    var walletBridge: Side
    var baseline: Side?

    var ratio: Double? {
        guard let baseline, baseline.cpuSeconds > 0 else { return nil }
        return walletBridge.cpuSeconds / baseline.cpuSeconds
    }

    var json: String {
        let ratioText = ratio.map { String(format: "%.3f", $0) } ?? "null"
        return #"{"bench":"transport","url":"# + quoted(url) + #","requests":\#(requests),"concurrency":\#(concurrency),"#
            + #""embedded_server":\#(embeddedServer),"walletbridge":"# + walletBridge.json + #","baseline":"# + (baseline?.json ?? "null")
            + #","ratio_cpu":"# + ratioText + "}"
    }

    var table: String {
        var lines = ["bench transport: \(requests) keep-alive POSTs to \(url), \(concurrency) in flight"]
        if embeddedServer {
            lines.append("  note: the server is an embedded sandbox, so its CPU is counted too; for real figures run")
            lines.append("  `taskset -c 0 walletbridge sandbox` and `taskset -c 1 walletbridge bench transport --url URL`")
        }
        let header =
            "  " + pad("", 34) + pad("wall s", 10) + pad("CPU s", 10) + pad("µs CPU/req", 12) + pad("ratio", 8) + pad("opened", 8)
            + pad("errors", 8) + "peak RSS MiB"
        lines.append(header)
        func row(_ name: String, _ side: Side, _ ratioText: String) -> String {
            "  " + pad(name, 34) + pad(String(format: "%.3f", side.wallSeconds), 10) + pad(String(format: "%.3f", side.cpuSeconds), 10)
                + pad(String(format: "%.1f", side.cpuMicrosPerRequest), 12) + pad(ratioText, 8) + pad("\(side.connectionsOpened)", 8)
                + pad("\(side.errors)", 8) + String(format: "%.1f", side.peakRSSMiB)
        }
        lines.append(row("CurlTransport", walletBridge, ratio.map { String(format: "%.2fx", $0) } ?? "-"))
        if let baseline {
            lines.append(row(concurrency == 1 ? "plain libcurl (easy handle)" : "plain libcurl (multi handle)", baseline, "1.00x"))
        }
        if let reused = walletBridge.connectionsReused {
            let share = Double(reused) * 100 / Double(max(1, requests))
            lines.append(
                String(
                    format: "  CurlTransport: %d of %d timed requests reused a connection (%.1f%%); the warm-up opened %d", reused, requests, share,
                    walletBridge.warmUpOpened ?? 0))
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
