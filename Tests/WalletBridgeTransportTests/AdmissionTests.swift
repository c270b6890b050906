import Foundation
import Testing
import WalletBridgeHTTP
import WalletBridgeTransport

/// Requests beyond ``CurlTransportConfiguration/maxConnectionsPerHost`` to one host wait in the
/// transport before they take an easy handle: they keep their deadline and their cancellation
/// there, nothing of theirs is sent, and another host's requests never wait behind them.
@Suite("Admission beyond the per-host connection cap")
struct AdmissionTests {
    private func post(_ url: String, timeout: Duration) -> TransportRequest {
        TransportRequest(method: .post, url: url, headerFields: [.contentType: "application/json"], body: Array("{}".utf8), timeout: timeout)
    }

    @Test func aRequestWaitingForAPlaceTimesOutAtItsOwnDeadlineWithNothingSent() async throws {
        let silent = try SilentServer()
        try await withCurlTransport(configuration: CurlTransportConfiguration(maxConnectionsPerHost: 1)) { transport in
            // The only place is held by a request the server never answers (60 s deadline).
            let holder = Task { try await transport.send(post(silent.url, timeout: .seconds(60))) }
            try await Task.sleep(for: .milliseconds(200))

            let started = ContinuousClock.now
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(post(silent.url, timeout: .milliseconds(300)))
            }
            let waited = ContinuousClock.now - started
            #expect(error?.kind == .timeout)
            #expect(error?.mayHaveReachedServer == false, "it never left the transport")
            #expect(error?.message.contains("no connection came free") == true, "\(String(describing: error))")
            // It ended at its own deadline, not when the holder let go (60 s): a behavioural
            // bound, far from both.
            #expect(waited < .seconds(30), "waited \(waited)")
            #expect(transport.statistics.transfers == 0, "only the holder reached curl, and it has not finished")

            holder.cancel()
            _ = await holder.result
        }
    }

    @Test func cancellingAWaitingRequestEndsItWithNothingSent() async throws {
        let silent = try SilentServer()
        try await withCurlTransport(configuration: CurlTransportConfiguration(maxConnectionsPerHost: 1)) { transport in
            let holder = Task { try await transport.send(post(silent.url, timeout: .seconds(60))) }
            try await Task.sleep(for: .milliseconds(200))
            let waiting = Task { try await transport.send(post(silent.url, timeout: .seconds(60))) }
            try await Task.sleep(for: .milliseconds(200))
            waiting.cancel()
            let error = await #expect(throws: TransportError.self) { try await waiting.value }
            #expect(error?.kind == .cancelled)
            #expect(error?.mayHaveReachedServer == false)

            holder.cancel()
            _ = await holder.result
        }
    }

    @Test func aHostThatDoesNotAnswerNeverHoldsUpAnother() async throws {
        let silent = try SilentServer()
        let live = try ConnectionCountingServer()
        // One place per host, two connections in all: the silent host's second request waits
        // in the transport, so the live host still gets the other connection.
        let configuration = CurlTransportConfiguration(maxConnectionsPerHost: 1, maxTotalConnections: 2)
        try await withCurlTransport(configuration: configuration) { transport in
            let stuck = (0..<3).map { _ in Task { try await transport.send(post(silent.url, timeout: .seconds(60))) } }
            try await Task.sleep(for: .milliseconds(200))
            let status = try await transport.send(post(live.url, timeout: .seconds(10))).status
            #expect(status == 200)
            stuck.forEach { $0.cancel() }
            for task in stuck { _ = await task.result }
        }
        live.stop()
    }

    @Test func waitingRequestsAreAdmittedAsPlacesComeFreeAndAllSucceed() async throws {
        let server = try ConnectionCountingServer()
        try await withCurlTransport(configuration: CurlTransportConfiguration(maxConnectionsPerHost: 2)) { transport in
            // 300 at once against 2 places: 298 wait in the transport, none fails or is lost.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<300 {
                    group.addTask { try await transport.send(post(server.url, timeout: .seconds(60))).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 300)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(transport.statistics.transfers == 300)
            #expect(server.peakOpen <= 2)
            #expect(server.requests == 300)
        }
        server.stop()
    }
}
