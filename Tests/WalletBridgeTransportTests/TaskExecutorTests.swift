import Foundation
import Testing
import WalletBridgeHTTP
import WalletBridgeSandbox
@testable import WalletBridgeTransport

/// `CurlTransport.taskExecutor`: tasks that prefer it run on the transport's curl thread, and
/// after shutdown they keep running elsewhere (nothing hangs).
@Suite("CurlTransport's task executor", .timeLimit(.minutes(1)))
struct TaskExecutorTests {
    @Test func requestsOfATaskThatPrefersItRunOnTheCurlThreadAndComplete() async throws {
        guard #available(macOS 15.0, *) else { return }
        let sandbox = try await WalletSandbox.start()
        let transport = try CurlTransport()
        let request = TransportRequest(
            method: .post, url: sandbox.baseURL + "/sandbox/echo", headerFields: [.contentType: "application/json"], body: Array("{}".utf8))
        let (onThread, statuses) = try await withTaskExecutorPreference(transport.taskExecutor) {
            var names: [Bool] = []
            var statuses: [Int] = []
            for _ in 0..<20 {
                statuses.append(try await transport.send(request).status)
                names.append(transport.isOnTransportThread)
            }
            // Children inherit the preference: 50 at once, all on the one thread.
            let concurrent = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for _ in 0..<50 { group.addTask { (try await transport.send(request).status, transport.isOnTransportThread) } }
                return try await group.reduce(into: [(Int, Bool)]()) { $0.append($1) }
            }
            return (names + concurrent.map(\.1), statuses + concurrent.map(\.0))
        }
        #expect(statuses.count == 70 && statuses.allSatisfy { $0 == 200 })
        #expect(onThread.allSatisfy { $0 }, "\(onThread.filter { !$0 }.count) of \(onThread.count) resumed elsewhere")

        // Without the preference, the same code resumes on the cooperative pool.
        _ = try await transport.send(request)
        #expect(!transport.isOnTransportThread)
        await transport.shutdown()
        await sandbox.shutdown()
    }

    @Test func afterShutdownATaskThatPrefersItStillRuns() async throws {
        guard #available(macOS 15.0, *) else { return }
        let transport = try CurlTransport()
        await transport.shutdown()
        let outcome = await withTaskExecutorPreference(transport.taskExecutor) { () async -> String in
            await Task.yield()
            do {
                _ = try await transport.send(TransportRequest(method: .get, url: "http://127.0.0.1:9/"))
                return "sent"
            } catch let error as TransportError {
                return "\(error.kind)"
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome == "cancelled", "a shut-down transport refuses, and the task goes on elsewhere")
    }
}
