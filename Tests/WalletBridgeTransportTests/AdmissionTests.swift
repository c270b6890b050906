import Foundation
import Testing
import WalletBridgeHTTP

@testable import WalletBridgeTransport

/// Requests beyond ``CurlTransportConfiguration/maxConnectionsPerHost`` to one host wait in the
/// transport before they take an easy handle: they keep their deadline and their cancellation
/// there, nothing of theirs is sent, and another host's requests never wait behind them.
@Suite("Admission beyond the per-host connection cap", .timeLimit(.minutes(1)))
struct AdmissionTests {
    private func post(_ url: String, timeout: Duration) -> TransportRequest {
        TransportRequest(method: .post, url: url, headerFields: [.contentType: "application/json"], body: Array("{}".utf8), timeout: timeout)
    }

    /// Waits (up to 10 s) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func aRequestWaitingForAPlaceTimesOutAtItsOwnDeadlineWithNothingSent() async throws {
        let silent = try SilentServer()
        let authority = "127.0.0.1:\(silent.port)"
        try await withCurlTransport(configuration: CurlTransportConfiguration(maxConnectionsPerHost: 1)) { transport in
            // The only place is held by a request the server never answers (60 s deadline).
            let holder = Task { try await transport.send(post(silent.url, timeout: .seconds(60))) }
            try await eventually { transport.admissionLoad(authority).taken == 1 }
            #expect(transport.admissionLoad(authority).taken == 1)

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
            #expect(transport.admissionLoad(authority).waiting == 0, "the expired request left the queue")

            holder.cancel()
            _ = await holder.result
        }
    }

    @Test func cancellingAWaitingRequestEndsItWithNothingSent() async throws {
        let silent = try SilentServer()
        let authority = "127.0.0.1:\(silent.port)"
        try await withCurlTransport(configuration: CurlTransportConfiguration(maxConnectionsPerHost: 1)) { transport in
            let holder = Task { try await transport.send(post(silent.url, timeout: .seconds(60))) }
            try await eventually { transport.admissionLoad(authority).taken == 1 }
            let waiting = Task { try await transport.send(post(silent.url, timeout: .seconds(60))) }
            try await eventually { transport.admissionLoad(authority).waiting == 1 }
            #expect(transport.admissionLoad(authority).waiting == 1)
            waiting.cancel()
            let error = await #expect(throws: TransportError.self) { try await waiting.value }
            #expect(error?.kind == .cancelled)
            #expect(error?.mayHaveReachedServer == false)
            #expect(transport.admissionLoad(authority) == (taken: 1, waiting: 0))

            holder.cancel()
            _ = await holder.result
            try await eventually { transport.admissionLoad(authority).taken == 0 }
            #expect(transport.admissionLoad(authority).taken == 0, "the holder's place came back")
        }
    }

    @Test func aHostThatDoesNotAnswerNeverHoldsUpAnother() async throws {
        let silent = try SilentServer()
        let live = try ConnectionCountingServer()
        // One place per host, two connections in all: the silent host's other requests wait in
        // the transport, so the live host still gets the second connection.
        let configuration = CurlTransportConfiguration(maxConnectionsPerHost: 1, maxTotalConnections: 2)
        try await withCurlTransport(configuration: configuration) { transport in
            let stuck = (0..<3).map { _ in Task { try await transport.send(post(silent.url, timeout: .seconds(60))) } }
            try await eventually { transport.admissionLoad("127.0.0.1:\(silent.port)").waiting == 2 }
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
            // 300 at once against 2 places: the rest wait in the transport, none fails or is lost.
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

    // MARK: The gate itself

    @Test func waitersAreAdmittedInTheOrderTheyCame() async throws {
        let gate = CurlAdmission(limit: 1)
        #expect(gate.tryEnter("h"))
        #expect(!gate.tryEnter("h"))
        let order = Locked<[Int]>([])
        var tasks: [Task<Void, Never>] = []
        for index in 0..<3 {
            tasks.append(
                Task {
                    let admission = await gate.wait(for: "h", until: .now + .seconds(30))
                    order.withLock { $0.append(index) }
                    if admission == .admittedAfterWaiting || admission == .admitted { gate.leave("h") }
                })
            try await eventually { gate.load("h").waiting == index + 1 }
        }
        gate.leave("h")
        for task in tasks { await task.value }
        #expect(order.withLock { $0 } == [0, 1, 2])
        #expect(gate.load("h") == (taken: 0, waiting: 0))
    }

    @Test func aPassedDeadlineOrACancelledTaskTakesNoPlace() async throws {
        let gate = CurlAdmission(limit: 1)
        #expect(gate.tryEnter("h"))
        #expect(await gate.wait(for: "h", until: .now - .seconds(1)) == .expired)
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await gate.wait(for: "h", until: .now + .seconds(30))
        }
        #expect(await cancelled.value == .cancelled)
        #expect(gate.load("h") == (taken: 1, waiting: 0))
        gate.leave("h")
        #expect(gate.load("h") == (taken: 0, waiting: 0))
        #expect(gate.tryEnter("h"), "the place is free again")
        gate.leave("h")
    }

    @Test func idleGatesBeyondSixtyFourHostsAreDroppedAndComeBack() {
        let gate = CurlAdmission(limit: 2)
        for host in 0..<100 {
            #expect(gate.tryEnter("h\(host)"))
            gate.leave("h\(host)")
        }
        #expect(gate.gateCount <= 65)
        #expect(gate.tryEnter("h0") && gate.tryEnter("h0") && !gate.tryEnter("h0"), "a dropped host's gate starts full again")
        gate.leave("h0")
        gate.leave("h0")
    }
}
