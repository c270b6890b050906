import ArgumentParser

/// `walletbridge bench transport`: N keep-alive POSTs through `CurlTransport`, beside a plain
/// libcurl loop in the same process with `--baseline`.
struct BenchTransportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Keep-alive POSTs through CurlTransport, optionally beside a plain libcurl loop (--baseline)."
    )

    @Option(help: "URL to POST to (default: an embedded sandbox's echo endpoint).")
    var url: String?

    @Option(help: "Requests to send.")
    var requests: Int = 10_000

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 1

    @Option(help: "File whose bytes are the request body.")
    var body: String?

    @Flag(help: "Also run a plain libcurl loop in this process (easy handle when --concurrency is 1, multi handle otherwise).")
    var baseline = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        throw ValidationError("bench transport: being built (issue 15)")
    }
}
