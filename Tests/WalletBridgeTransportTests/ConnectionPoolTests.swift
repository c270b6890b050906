import Foundation
import Testing
import WalletBridgeHTTP
import WalletBridgeTransport

/// The connection pool of `CurlTransport`: bounded at any concurrency, and reused once warm,
/// seen from both ends (the transport's statistics and the server's count of connections).
@Suite("Connection pool")
struct ConnectionPoolTests {
    /// Sends `count` POSTs to `url`, `concurrency` at once; the statuses that were not 200.
    private func send(_ transport: CurlTransport, url: String, count: Int, concurrency: Int) async throws -> [Int] {
        let request = TransportRequest(method: .post, url: url, headerFields: [.contentType: "application/json"], body: Array(#"{"n":1}"#.utf8))
        return try await withThrowingTaskGroup(of: [Int].self) { group in
            for lane in 0..<concurrency {
                let share = count / concurrency + (lane < count % concurrency ? 1 : 0)
                group.addTask {
                    var bad: [Int] = []
                    for _ in 0..<share {
                        let status = try await transport.send(request).status
                        if status != 200 { bad.append(status) }
                    }
                    return bad
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    @Test func sixtyFourThenAThousandInFlightStayWithinTheCapAndReuse() async throws {
        let server = try ConnectionCountingServer()
        let cap = CurlTransportConfiguration.defaultMaxConnectionsPerHost
        try await withCurlTransport { transport in
            // 6,400 requests can open at most `cap` (64) connections: at least 99% reuse one,
            // whatever the scheduling.
            let requests = 100 * cap
            let sixtyFour = try await send(transport, url: server.url, count: requests, concurrency: 64)
            #expect(sixtyFour.isEmpty)
            let afterSixtyFour = transport.statistics
            #expect(afterSixtyFour.transfers == requests)
            #expect(afterSixtyFour.connectionsOpened <= cap, "\(afterSixtyFour)")
            #expect(afterSixtyFour.connectionsOpened + afterSixtyFour.connectionsReused == requests, "\(afterSixtyFour)")
            #expect(Double(afterSixtyFour.connectionsReused) >= 0.99 * Double(requests), "\(afterSixtyFour)")

            // A thousand in flight: the surplus waits for a connection instead of opening one.
            let thousand = try await send(transport, url: server.url, count: requests, concurrency: 1_000)
            #expect(thousand.isEmpty)
            let afterThousand = transport.statistics
            let reused = afterThousand.connectionsReused - afterSixtyFour.connectionsReused
            #expect(afterThousand.connectionsOpened <= cap, "\(afterThousand)")
            #expect(Double(reused) >= 0.99 * Double(requests), "\(afterThousand)")

            #expect(server.accepted == afterThousand.connectionsOpened, "the server saw the connections the transport counted")
            #expect(server.peakOpen <= cap)
            #expect(server.requests == 2 * requests)
        }
        server.stop()
    }

    @Test func theCapIsPerHostAndTheTotalCapSpansHosts() async throws {
        let first = try ConnectionCountingServer()
        let second = try ConnectionCountingServer()
        try await withCurlTransport(configuration: CurlTransportConfiguration(maxConnectionsPerHost: 3)) { transport in
            async let one = send(transport, url: first.url, count: 200, concurrency: 50)
            async let two = send(transport, url: second.url, count: 200, concurrency: 50)
            let (firstBad, secondBad) = try await (one, two)
            #expect(firstBad.isEmpty && secondBad.isEmpty)
            #expect(first.accepted <= 3 && second.accepted <= 3, "\(first.accepted) and \(second.accepted) connections")
            #expect(first.peakOpen <= 3 && second.peakOpen <= 3)
            #expect(transport.statistics.connectionsOpened == first.accepted + second.accepted)
        }
        first.stop()
        second.stop()

        // The total cap holds whatever the per-host cap says.
        let third = try ConnectionCountingServer()
        try await withCurlTransport(configuration: CurlTransportConfiguration(maxTotalConnections: 4)) { transport in
            let bad = try await send(transport, url: third.url, count: 400, concurrency: 100)
            #expect(bad.isEmpty)
            #expect(third.accepted <= 4, "\(third.accepted) connections")
            #expect(transport.statistics.connectionsOpened == third.accepted)
        }
        third.stop()
    }

    @Test func aConnectionIdleForLongerThanTheIdleTimeoutIsNotReused() async throws {
        let server = try ConnectionCountingServer()
        try await withCurlTransport(configuration: CurlTransportConfiguration(idleTimeout: .seconds(1))) { transport in
            let warm = try await send(transport, url: server.url, count: 2, concurrency: 1)
            #expect(warm.isEmpty)
            #expect(transport.statistics.connectionsOpened == 1)
            // curl counts idle time in whole seconds and retires a connection idle for more than
            // the limit: 2.5 s is past it however the clock rounds.
            try await Task.sleep(for: .milliseconds(2_500))
            let later = try await send(transport, url: server.url, count: 1, concurrency: 1)
            #expect(later.isEmpty)
            #expect(transport.statistics.connectionsOpened == 2)
            #expect(transport.statistics.connectionsReused == 1)
        }
        server.stop()
    }

    @Test func poolDefaultsAreDocumentedValues() {
        let configuration = CurlTransportConfiguration()
        #expect(configuration.maxConnectionsPerHost == 64)
        #expect(configuration.maxTotalConnections == 256)
        #expect(configuration.idleTimeout == .seconds(30))
        #expect(configuration.description.contains("maxConnectionsPerHost: 64"))
    }
}
