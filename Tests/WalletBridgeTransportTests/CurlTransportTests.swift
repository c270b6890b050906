import Foundation
import HTTPTypes
import Testing
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTesting
import WalletBridgeTransport

@Suite("CurlTransport")
struct CurlTransportTests {
    @Test func getsAndPostsAgainstTheSandbox() async throws {
        let sandbox = try await WalletSandbox.start()
        try await withCurlTransport { transport in
            let health = try await transport.send(TransportRequest(method: .get, url: sandbox.baseURL + "/sandbox/health"))
            #expect(health.status == 200)
            #expect(String(decoding: health.body, as: UTF8.self) == #"{"status":"ok"}"#)
            #expect(health.headerFields[.contentType]?.hasPrefix("application/json") == true, "header lookup ignores case")

            let missing = try await transport.send(TransportRequest(method: .post, url: sandbox.baseURL + "/nowhere", body: Array("{}".utf8)))
            #expect(missing.status == 404, "non-2xx is a response, not an error")
        }
        await sandbox.shutdown()
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let sandbox = try await WalletSandbox.start()
        try await withCurlTransport { transport in
            for _ in 0..<10 {
                let response = try await transport.send(TransportRequest(method: .get, url: sandbox.baseURL + "/sandbox/health"))
                #expect(response.status == 200)
            }
            #expect(transport.statistics.transfers == 10)
            #expect(transport.statistics.connectionsOpened == 1)
        }
        await sandbox.shutdown()
    }

    @Test func aPooledConnectionTheServerClosedIsReplacedTransparently() async throws {
        let first = try await WalletSandbox.start()
        let port = first.port
        try await withCurlTransport { transport in
            let url = "http://127.0.0.1:\(port)/sandbox/health"
            #expect(try await transport.send(TransportRequest(method: .get, url: url)).status == 200)
            // The server goes away (closing the kept-alive connection) and comes back.
            await first.shutdown()
            var configuration = WalletSandbox.Configuration()
            configuration.port = port
            let second = try await WalletSandbox.start(configuration)
            #expect(try await transport.send(TransportRequest(method: .get, url: url)).status == 200, "a stale pooled connection is not an error")
            #expect(transport.statistics.connectionsOpened == 2)
            await second.shutdown()
        }
    }

    @Test func manyConcurrentRequestsShareOneThread() async throws {
        let sandbox = try await WalletSandbox.start()
        try await withCurlTransport { transport in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await transport.send(TransportRequest(method: .get, url: sandbox.baseURL + "/sandbox/health")).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 100)
            #expect(statuses.allSatisfy { $0 == 200 })
        }
        await sandbox.shutdown()
    }

    @Test func closedPortIsCouldNotConnectAndNeverReachedTheServer() async throws {
        let closed = try SilentServer(listening: false)
        try await withCurlTransport { transport in
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .post, url: closed.url, body: Array("{}".utf8)))
            }
            #expect(error?.kind == .couldNotConnect)
            #expect(error?.mayHaveReachedServer == false)
            #expect(error?.curlCode == 7)
        }
    }

    @Test func silentServerTimesOutAndMayHaveReceivedTheRequest() async throws {
        let silent = try SilentServer()
        try await withCurlTransport { transport in
            // The server never answers: only the 300 ms deadline ends the request (no wall-clock
            // assertion: a loaded machine may take longer to get here).
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .post, url: silent.url, body: Array("{}".utf8), timeout: .milliseconds(300)))
            }
            #expect(error?.kind == .timeout)
            #expect(error?.mayHaveReachedServer == true, "the request was written before the deadline")
        }
    }

    @Test func cancellingTheTaskAbandonsTheRequest() async throws {
        let silent = try SilentServer()
        try await withCurlTransport(configuration: CurlTransportConfiguration(requestTimeout: .seconds(60))) { transport in
            let task = Task { try await transport.send(TransportRequest(method: .get, url: silent.url)) }
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - started < .seconds(30), "ended by the cancel, not by the 60 s deadline")
            guard case .failure(let error as TransportError) = result else {
                Issue.record("expected a TransportError, got \(result)")
                return
            }
            #expect(error.kind == .cancelled)
        }
    }

    @Test func shutdownRefusesNewRequestsAndIsIdempotent() async throws {
        let transport = try CurlTransport()
        #expect(transport.isRunning)
        await transport.shutdown()
        await transport.shutdown()
        #expect(!transport.isRunning)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(TransportRequest(method: .get, url: "http://127.0.0.1:9/"))
        }
        #expect(error?.kind == .cancelled)
        #expect(error?.mayHaveReachedServer == false)
    }

    @Test func headerInjectionCannotBeExpressedAndOtherSchemesAreRefusedBeforeSending() async throws {
        // `HTTPField` replaces CR, LF and NUL in a value, so no header line can be smuggled in.
        let injected = TransportRequest(method: .get, url: "http://127.0.0.1:9/", headerFields: [.xTest: "a\r\nEvil: 1"])
        let value = try #require(injected.headerFields[.xTest])
        #expect(!value.contains("\r") && !value.contains("\n") && value.hasSuffix("Evil: 1"))
        try await withCurlTransport { transport in
            let file = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .get, url: "file:///etc/passwd"))
            }
            #expect(file?.kind == .other)
        }
    }

    @Test func tlsFailuresAreTypedAndNeverReachTheServer() async throws {
        let sandbox = try await WalletSandbox.start()
        // The sandbox speaks plain HTTP, so a TLS handshake with it fails.
        let tlsURL = "https://127.0.0.1:\(sandbox.port)/sandbox/health"
        try await withCurlTransport { transport in
            let error = await #expect(throws: TransportError.self) { _ = try await transport.send(TransportRequest(method: .get, url: tlsURL)) }
            #expect(error?.kind == .tls)
            #expect(error?.mayHaveReachedServer == false)
        }
        try await withCurlTransport(configuration: CurlTransportConfiguration(caBundlePath: "/nonexistent/ca.pem")) { transport in
            let error = await #expect(throws: TransportError.self) { _ = try await transport.send(TransportRequest(method: .get, url: tlsURL)) }
            #expect(error?.kind == .tls)
        }
        await sandbox.shutdown()
    }

    @Test func proxySettingIsUsed() async throws {
        let sandbox = try await WalletSandbox.start()
        let deadProxy = try SilentServer(listening: false)
        try await withCurlTransport(configuration: CurlTransportConfiguration(proxy: "http://127.0.0.1:\(deadProxy.port)")) { transport in
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .get, url: sandbox.baseURL + "/sandbox/health"))
            }
            #expect(error?.kind == .couldNotConnect, "the request went to the (dead) proxy, not straight to the sandbox")
        }
        await sandbox.shutdown()
    }

    @Test func tlsVerificationIsOnByDefault() {
        let configuration = CurlTransportConfiguration()
        #expect(configuration.verifyTLS)
        let withPassword = CurlTransportConfiguration(clientCertificate: .init(certificatePath: "/c.pem", keyPassword: "hunter2"))
        #expect(!withPassword.description.contains("hunter2"))
    }

    @Test func mockTransportRecordsAndScripts() async throws {
        let mock = MockTransport.sequence([
            .success(TransportResponse(status: 200, body: Array("one".utf8))),
            .failure(TransportError(.timeout, "scripted", mayHaveReachedServer: true)),
        ])
        let first = try await mock.send(TransportRequest(method: .post, url: "https://example.invalid/a"))
        #expect(first.body == Array("one".utf8))
        await #expect(throws: TransportError.self) { _ = try await mock.send(TransportRequest(method: .post, url: "https://example.invalid/b")) }
        #expect(mock.requests.map(\.url) == ["https://example.invalid/a", "https://example.invalid/b"])
    }

    @Test func headersNeverPrintValues() {
        // `HTTPFields` itself prints values (its debug description): only the request's and the
        // response's own descriptions are safe to log.
        let headers: HTTPFields = [.signature: "algorithm=RSA256,signature=SECRET", .authorization: "Bearer TOKEN"]
        let request = TransportRequest(method: .post, url: "https://x.invalid/", headerFields: headers, body: Array("secret-body".utf8))
        for text in [
            request.description, "\(request)", TransportResponse(status: 200, headerFields: headers, body: Array("secret-body".utf8)).description,
        ] {
            #expect(!text.contains("SECRET") && !text.contains("TOKEN") && !text.contains("secret-body"), "\(text)")
        }
    }
}
