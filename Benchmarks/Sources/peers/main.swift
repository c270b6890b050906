import AsyncHTTPClient
import Foundation
import NIOCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `peers --client asynchttpclient|urlsession --url URL [--requests N] [--concurrency C]
/// [--body FILE] [--json]`: N keep-alive POSTs of one body to one URL through a peer HTTP
/// client, C in flight, in client CPU (getrusage) and wall time (monotonic clock). Prints the
/// shape of `walletbridge bench transport --json` (`result` for the client's figures), then
/// `BENCH requests=N wall_s=X cpu_s=Y`.
struct Options {
    var client = "asynchttpclient"
    var url = ""
    var requests = 10_000
    var concurrency = 1
    var body: [UInt8] = Array(
        #"{"partnerReferenceNo":"WB-ORDER-0001","merchantId":"216620000000000000001","amount":{"value":"10000.00","currency":"IDR"}}"#.utf8)
    var json = false

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let next = rest.popFirst() else { throw Usage(message: "\(name) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--client": options.client = try value(argument)
            case "--url": options.url = try value(argument)
            case "--requests": options.requests = Int(try value(argument)) ?? 0
            case "--concurrency": options.concurrency = Int(try value(argument)) ?? 0
            case "--body":
                let path = try value(argument)
                guard let data = FileManager.default.contents(atPath: path) else { throw Usage(message: "cannot read \(path)") }
                options.body = Array(data)
            case "--json": options.json = true
            default: throw Usage(message: "unknown argument \(argument)")
            }
        }
        guard ["asynchttpclient", "urlsession"].contains(options.client) else { throw Usage(message: "--client: asynchttpclient or urlsession") }
        guard options.url.hasPrefix("http://") || options.url.hasPrefix("https://") else { throw Usage(message: "--url URL is required") }
        guard options.requests > 0, options.concurrency > 0, options.concurrency <= options.requests else {
            throw Usage(message: "--requests and --concurrency must be positive, concurrency at most requests")
        }
        return options
    }
}

struct Usage: Error { let message: String }

struct Failure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Process CPU (user + system) in seconds and peak RSS in MB, from getrusage(RUSAGE_SELF).
func usage() -> (cpu: Double, rssMB: Double) {
    var usage = rusage()
    #if os(Linux)
        _ = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
        _ = getrusage(RUSAGE_SELF, &usage)
    #endif
    let cpu =
        Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return (cpu, Double(usage.ru_maxrss) / 1024)
}

/// One POST; throws on a transport failure (any HTTP status is a completed round trip).
protocol Peer: Sendable {
    func post() async throws
    func shutdown() async throws
}

struct AsyncHTTPClientPeer: Peer {
    let client: HTTPClient
    let url: String
    let body: [UInt8]

    init(url: String, body: [UInt8], concurrency: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, concurrency))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.url = url
        self.body = body
    }

    func post() async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 8 << 20)
    }

    func shutdown() async throws { try await client.shutdown() }
}

struct URLSessionPeer: Peer {
    let session: URLSession
    let request: URLRequest

    init(url: URL, body: [UInt8], concurrency: Int) {
        let configuration = URLSessionConfiguration.default
        configuration.httpMaximumConnectionsPerHost = max(8, concurrency)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json; charset=UTF-8", forHTTPHeaderField: "Content-Type")
        self.request = request
    }

    func post() async throws {
        let request = self.request
        let session = self.session
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            session.dataTask(with: request) { _, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else if response == nil {
                    continuation.resume(throwing: Failure(message: "no response"))
                } else {
                    continuation.resume()
                }
            }.resume()
        }
    }

    func shutdown() async throws { session.finishTasksAndInvalidate() }
}

/// `count` POSTs, `concurrency` workers each sending its share in turn.
func run(_ peer: any Peer, count: Int, concurrency: Int) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                for _ in stride(from: worker, to: count, by: concurrency) { try await peer.post() }
            }
        }
        try await group.waitForAll()
    }
}

func main() async -> Int32 {
    let options: Options
    do {
        options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    } catch let usage as Usage {
        FileHandle.standardError.write(Data("peers: \(usage.message)\n".utf8))
        return 2
    } catch {
        return 2
    }
    let peer: any Peer
    if options.client == "asynchttpclient" {
        peer = AsyncHTTPClientPeer(url: options.url, body: options.body, concurrency: options.concurrency)
    } else {
        guard let url = URL(string: options.url) else { return 2 }
        peer = URLSessionPeer(url: url, body: options.body, concurrency: options.concurrency)
    }
    do {
        // Warm-up: one round at the run's concurrency, so the pool holds its connections.
        try await run(peer, count: max(10, options.concurrency), concurrency: options.concurrency)
        let clock = ContinuousClock()
        let before = usage()
        let start = clock.now
        try await run(peer, count: options.requests, concurrency: options.concurrency)
        let elapsed = clock.now - start
        let after = usage()
        try await peer.shutdown()
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpu = after.cpu - before.cpu
        let perRequest = cpu * 1e6 / Double(options.requests)
        if options.json {
            let object: [String: Any] = [
                "bench": "peer", "client": options.client, "url": options.url, "requests": options.requests, "concurrency": options.concurrency,
                "result": [
                    "wall_s": (wall * 1e4).rounded() / 1e4, "cpu_s": (cpu * 1e4).rounded() / 1e4,
                    "cpu_us_per_request": (perRequest * 100).rounded() / 100, "peak_rss_mb": (after.rssMB * 10).rounded() / 10,
                ],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "\(options.client): \(options.requests) POSTs to \(options.url), \(options.concurrency) in flight: "
                    + String(format: "wall %.3f s, CPU %.3f s, %.1f µs CPU per request, peak RSS %.1f MB", wall, cpu, perRequest, after.rssMB))
        }
        print(String(format: "BENCH requests=%d wall_s=%.4f cpu_s=%.4f", options.requests, wall, cpu))
        return 0
    } catch {
        FileHandle.standardError.write(Data("peers: \(options.client): \(error)\n".utf8))
        try? await peer.shutdown()
        return 1
    }
}

exit(await main())
