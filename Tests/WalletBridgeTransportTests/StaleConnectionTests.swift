import Foundation
import Testing
import WalletBridgeHTTP
import WalletBridgeTransport

/// "EPIPE after idle" (stripe-node #1040): a request that fails on a reused connection before
/// any response byte is resent once, on a new connection; nothing else is ever resent.
///
/// The server in these tests kills the kept-alive connection only once the next request's head
/// has arrived on it (FIN, then a reset for the unread rest), so there is no sleep and no race
/// with libcurl's dead-connection check before reuse, which would otherwise spot an idle close
/// and quietly open a new connection.
@Suite("CurlTransport stale connections")
struct StaleConnectionTests {
    /// Larger than libcurl's 64 KiB limit for sending a POST body with the request head, and
    /// than what the loopback socket buffers take in while the server is not reading: the
    /// client is still streaming the body when the connection dies, so the write fails
    /// (CURLE_SEND_ERROR), a case libcurl does not retry by itself.
    static let largeBody = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)

    @Test func aLargeRequestThatDiesOnAReusedConnectionIsResentOnceOnANewOne() async throws {
        let server = try ScriptedHTTPServer(scripts: [
            [.answer("first"), .dieAfterRequestHead],
            [.answerEcho],
        ])
        try await withCurlTransport { transport in
            let first = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/first"))
            #expect(first.status == 200)
            #expect(String(decoding: first.body, as: UTF8.self) == "first")

            let second = try await transport.send(TransportRequest(method: .post, url: server.baseURL + "/second", body: Self.largeBody))
            #expect(second.status == 200)
            #expect(String(decoding: second.body, as: UTF8.self) == "/second \(Self.largeBody.count)", "the whole body arrived on the new connection")

            #expect(transport.staleConnectionResends == 1)
            #expect(transport.statistics.staleConnectionResends == 1)
            #expect(transport.statistics.transfers == 3, "first, the attempt that died, the resend")
            #expect(transport.statistics.connectionsOpened == 2)
        }
        server.stop()
        #expect(server.accepted == 2)
        #expect(
            server.seen == [
                .init(connection: 0, method: "GET", path: "/first", bodyBytes: 0, complete: true),
                .init(connection: 0, method: "POST", path: "/second", bodyBytes: 0, complete: false),
                .init(connection: 1, method: "POST", path: "/second", bodyBytes: Self.largeBody.count, complete: true),
            ], "the dead connection saw the head only; the new one the whole request, once")
    }

    @Test func aSmallRequestOnADeadConnectionIsRetriedByLibcurlAloneNotTwice() async throws {
        // libcurl (7.88 at least) retries by itself when a reused connection is found closed
        // while it waits for the response; the transfer then reports a new connection, and
        // the transport must not add a resend of its own.
        let server = try ScriptedHTTPServer(scripts: [
            [.answer("first"), .dieAfterRequestHead],
            [.answerEcho],
        ])
        try await withCurlTransport { transport in
            _ = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/first"))
            let second = try await transport.send(TransportRequest(method: .post, url: server.baseURL + "/second", body: Array(#"{"a":1}"#.utf8)))
            #expect(second.status == 200)
            #expect(String(decoding: second.body, as: UTF8.self) == "/second 7")
            #expect(transport.staleConnectionResends == 0)
            #expect(transport.statistics.transfers == 2)
            #expect(transport.statistics.connectionsOpened == 2)
        }
        server.stop()
        #expect(server.accepted == 2)
        #expect(server.seen.filter { $0.complete && $0.path == "/second" }.count == 1)
    }

    @Test func aFreshConnectionClosedAfterTheRequestIsNotResent() async throws {
        let server = try ScriptedHTTPServer(scripts: [[.closeAfterRequest]])
        try await withCurlTransport { transport in
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .post, url: server.baseURL + "/pay", body: Array("{}".utf8)))
            }
            #expect(error?.curlCode == 52, "empty reply")
            #expect(error?.kind == .other)
            #expect(error?.mayHaveReachedServer == true)
            #expect(transport.staleConnectionResends == 0)
            #expect(transport.statistics.transfers == 1)
        }
        server.stop()
        #expect(server.accepted == 1)
        #expect(server.seen.count == 1)
    }

    @Test func aResponseByteRulesOutTheResend() async throws {
        let server = try ScriptedHTTPServer(scripts: [[.answer("first"), .resetAfterResponseHead]])
        try await withCurlTransport { transport in
            _ = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/first"))
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .post, url: server.baseURL + "/pay", body: Array("{}".utf8)))
            }
            #expect(error?.curlCode == 56, "the connection was reset: the 'died' family, on a reused connection, yet not resent")
            #expect(error?.mayHaveReachedServer == true)
            #expect(transport.staleConnectionResends == 0)
            #expect(transport.statistics.connectionsOpened == 1)
        }
        server.stop()
        #expect(server.accepted == 1)
    }

    @Test func aTimeoutOnAReusedConnectionIsNotResent() async throws {
        // After answering, the server reads the next request and never answers.
        let server = try ScriptedHTTPServer(scripts: [[.answer("first")]])
        try await withCurlTransport { transport in
            _ = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/first"))
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    TransportRequest(method: .post, url: server.baseURL + "/pay", body: Array("{}".utf8), timeout: .milliseconds(200)))
            }
            #expect(error?.kind == .timeout)
            #expect(error?.mayHaveReachedServer == true)
            #expect(transport.staleConnectionResends == 0)
            #expect(transport.statistics.connectionsOpened == 1)
        }
        server.stop()
        #expect(server.accepted == 1)
    }

    @Test func aResendThatFailsOnItsOwnConnectionIsFinal() async throws {
        let server = try ScriptedHTTPServer(scripts: [
            [.answer("first"), .dieAfterRequestHead],
            [.closeAfterRequest],
            [.answerEcho],
        ])
        try await withCurlTransport { transport in
            _ = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/first"))
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .post, url: server.baseURL + "/pay", body: Self.largeBody))
            }
            #expect(error?.curlCode == 52, "the resend's own failure: an empty reply on the new connection")
            #expect(error?.mayHaveReachedServer == true)
            #expect(transport.staleConnectionResends == 1, "resent once, never twice")
            #expect(transport.statistics.connectionsOpened == 2)
        }
        server.stop()
        #expect(server.accepted == 2, "no third connection")
    }

    @Test func aResendThatNeverLeftStillReportsThatTheFirstAttemptMayHaveArrived() async throws {
        // The server stops listening after the first connection: the resend is refused. A
        // "could not connect" error would read as "never reached the server", which is not
        // true of the first attempt, so the first attempt's failure is what is reported.
        let server = try ScriptedHTTPServer(scripts: [[.answer("first"), .dieAfterRequestHead]], closeListenerAfterFirstAccept: true)
        try await withCurlTransport { transport in
            _ = try await transport.send(TransportRequest(method: .get, url: server.baseURL + "/first"))
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .post, url: server.baseURL + "/pay", body: Self.largeBody))
            }
            #expect(error?.kind == .other)
            #expect(error?.curlCode == 55, "the first attempt's send failure")
            #expect(error?.mayHaveReachedServer == true)
            #expect(error?.message.contains("failed too") == true, "the resend's failure is in the message: \(error?.message ?? "")")
            #expect(transport.staleConnectionResends == 1)
        }
        server.stop()
        #expect(server.accepted == 1)
    }
}
