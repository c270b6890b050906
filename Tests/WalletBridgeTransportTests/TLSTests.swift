import CCurl
import Foundation
import Testing
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

/// `CurlTransport` against the sandbox serving real TLS (its OpenSSL front) on 127.0.0.1, with
/// the TEST ONLY certificates of `Tests/Fixtures/tls` (see `make-fixtures.sh` there).
@Suite("TLS against a TLS sandbox")
struct TLSTests {
    @Test func anUnknownCAIsRefusedByDefault() async throws {
        // The system's trusted CAs do not include the test CA.
        try await withTLSSandbox(TLSFixtures.server()) { sandbox in
            #expect(sandbox.baseURL == "https://127.0.0.1:\(sandbox.port)")
            try await withCurlTransport { transport in
                let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
                #expect(error?.kind == .tls)
                #expect(error?.mayHaveReachedServer == false)
            }
        }
        // A server certificate of a CA nobody trusts, against a client that trusts the test CA.
        try await withTLSSandbox(TLSFixtures.server("unknown-ca-server")) { sandbox in
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
                #expect(error?.kind == .tls)
                #expect(error?.mayHaveReachedServer == false)
            }
        }
    }

    @Test func aCustomCABundleIsAccepted() async throws {
        try await withTLSSandbox(TLSFixtures.server()) { sandbox in
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                let response = try await health(transport, sandbox)
                #expect(response.status == 200)
                #expect(String(decoding: response.body, as: UTF8.self) == #"{"status":"ok"}"#)
                // The certificate names localhost too.
                let byName = try await transport.send(TransportRequest(method: .get, url: "https://localhost:\(sandbox.port)/sandbox/health"))
                #expect(byName.status == 200)
            }
            // The profiles the sandbox hands out carry the CA bundle and the https URL.
            let profile = try sandbox.clientProfile(wallet: "gcash")
            #expect(profile.caBundlePath == TLSFixtures.path("ca"))
            #expect(profile.baseURL == sandbox.baseURL)
        }
    }

    @Test func aHostnameMismatchIsRefused() async throws {
        // Signed by the trusted test CA, but for wrong.example only.
        try await withTLSSandbox(TLSFixtures.server("wrong-host")) { sandbox in
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
                #expect(error?.kind == .tls)
                #expect(error?.mayHaveReachedServer == false)
            }
        }
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        // Signed by the trusted test CA, for 127.0.0.1, expired in 2021.
        try await withTLSSandbox(TLSFixtures.server("expired")) { sandbox in
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
                #expect(error?.kind == .tls)
                #expect(error?.mayHaveReachedServer == false)
                #expect(error?.message.contains("expired") == true, "\(String(describing: error))")
            }
        }
    }

    /// A client certificate the server refused. TLS 1.2 refuses inside the handshake: a TLS
    /// error, nothing sent. Under TLS 1.3 the client's handshake completes before the server's
    /// alert arrives, and curl meets the refusal sending or receiving: when it read the alert,
    /// a TLS error; when the server had already closed the socket, curl saw only that (a send
    /// or receive error, `.other`), which no client can tell from a dropped connection.
    private static func expectRefusedCertificate(_ error: TransportError?, maximum: SandboxTLS.ProtocolVersion) {
        if maximum == .tls1_2 {
            #expect(error?.kind == .tls, "\(String(describing: error))")
            #expect(error?.mayHaveReachedServer == false)
        } else if error?.message.contains(" alert ") == true {
            #expect(error?.kind == .tls, "\(String(describing: error))")
        } else {
            #expect(error?.kind == .other, "\(String(describing: error))")
        }
    }

    @Test(arguments: [SandboxTLS.ProtocolVersion.tls1_2, .tls1_3])
    func aSandboxThatRequiresAClientCertificateAcceptsTheConfiguredOne(maximum: SandboxTLS.ProtocolVersion) async throws {
        var tls = TLSFixtures.server()
        tls.clientCAPath = TLSFixtures.path("client-ca")
        tls.maximumVersion = maximum
        try await withTLSSandbox(tls) { sandbox in
            let merchant = CurlTransportConfiguration.ClientCertificate(
                certificatePath: TLSFixtures.path("client"), privateKeyPath: TLSFixtures.path("client-key"))
            try await withCurlTransport(configuration: TLSFixtures.client(certificate: merchant)) { transport in
                let status = try await health(transport, sandbox).status
                #expect(status == 200)
            }
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
                Self.expectRefusedCertificate(error, maximum: maximum)
            }
            let stray = CurlTransportConfiguration.ClientCertificate(
                certificatePath: TLSFixtures.path("unknown-ca-client"), privateKeyPath: TLSFixtures.path("unknown-ca-client-key"))
            try await withCurlTransport(configuration: TLSFixtures.client(certificate: stray)) { transport in
                let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
                Self.expectRefusedCertificate(error, maximum: maximum)
            }
        }
    }

    @Test(arguments: [SandboxTLS.ProtocolVersion.tls1_2, .tls1_3])
    func aServerLimitedToOneModernVersionIsAccepted(version: SandboxTLS.ProtocolVersion) async throws {
        var tls = TLSFixtures.server()
        tls.minimumVersion = version
        tls.maximumVersion = version
        try await withTLSSandbox(tls) { sandbox in
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                let status = try await health(transport, sandbox).status
                #expect(status == 200)
            }
        }
    }

    @Test func aServerLimitedToTLS11IsRefused() async throws {
        var tls = TLSFixtures.server()
        tls.minimumVersion = .tls1_1
        tls.maximumVersion = .tls1_1
        try await withTLSSandbox(tls) { sandbox in
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
                #expect(error?.kind == .tls)
                #expect(error?.mayHaveReachedServer == false)
                // The server's "protocol version" alert: the client offered nothing below TLS 1.2.
                // (Without the floor, this libcurl and OpenSSL 3 would offer TLS 1.1 and then
                // refuse the server's SHA-1 signature themselves: "legacy sigalg disallowed".)
                #expect(error?.message.contains("protocol version") == true, "\(String(describing: error))")
            }
            // The server does speak TLS 1.1: plain libcurl, allowed down to TLS 1.1 (and to
            // OpenSSL 3's security level 0, without which OpenSSL itself refuses TLS 1.1's SHA-1
            // handshake signatures), gets a response. The same call with CurlTransport's floor,
            // TLS 1.2, everything else equal, is refused: the floor alone refuses this server.
            let url = sandbox.baseURL + "/sandbox/health"
            #expect(rawCurl(url: url, minimumVersion: Int(CURL_SSLVERSION_TLSv1_1)) == CURLE_OK)
            #expect(rawCurl(url: url, minimumVersion: Int(CURL_SSLVERSION_TLSv1_2)) == CURLE_SSL_CONNECT_ERROR)
        }
    }

    @Test func connectionsAreReusedOverTLS() async throws {
        try await withTLSSandbox(TLSFixtures.server()) { sandbox in
            try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
                for _ in 0..<50 {
                    let status = try await health(transport, sandbox).status
                    #expect(status == 200)
                }
                #expect(transport.statistics.transfers == 50)
                #expect(transport.statistics.connectionsOpened == 1)
            }
        }
    }

    @Test func shutdownClosesKeptAliveTLSConnections() async throws {
        let sandbox = try await WalletSandbox.start(TLSFixtures.configuration(TLSFixtures.server()))
        try await withCurlTransport(configuration: TLSFixtures.client()) { transport in
            let status = try await health(transport, sandbox).status
            #expect(status == 200)
            // The transport keeps that connection; shutting the sandbox down must not wait for it.
            await sandbox.shutdown()
            let error = await #expect(throws: TransportError.self) { try await health(transport, sandbox) }
            #expect(error?.kind == .couldNotConnect)
        }
    }

    @Test func aKeyThatDoesNotMatchTheCertificateIsRefusedAtStart() async throws {
        var tls = TLSFixtures.server()
        tls.privateKeyPath = TLSFixtures.path("wrong-host-key")
        let error = await #expect(throws: SandboxError.self) { _ = try await WalletSandbox.start(TLSFixtures.configuration(tls)) }
        // OpenSSL finds the mismatch as it loads the key.
        #expect(error?.message.contains("test-only-wrong-host-key.pem") == true, "\(String(describing: error))")
        var missing = TLSFixtures.server()
        missing.certificatePath = TLSFixtures.directory + "/nonexistent.pem"
        await #expect(throws: SandboxError.self) { _ = try await WalletSandbox.start(TLSFixtures.configuration(missing)) }
    }

    @Test func theBuiltInIdentityIsTheFixtures() throws {
        #expect(SandboxTLSCredentials.caCertificatePEM == (try TLSFixtures.text("ca")))
        #expect(SandboxTLSCredentials.serverCertificatePEM == (try TLSFixtures.text("server")))
        #expect(SandboxTLSCredentials.serverPrivateKeyPEM == (try TLSFixtures.text("server-key")))
    }

    @Test func theBuiltInIdentityServesTLS() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tls = try SandboxTLS.testIdentity(writingTo: directory)
        #expect(tls.caBundlePath == directory + "/test-only-ca.pem")
        try await withTLSSandbox(tls) { sandbox in
            let profile = try sandbox.clientProfile(wallet: "dana")
            try await withCurlTransport(configuration: CurlTransportConfiguration(caBundlePath: profile.caBundlePath)) { transport in
                let status = try await health(transport, sandbox).status
                #expect(status == 200)
            }
            // The profile file names the CA bundle for every wallet.
            let file = try sandbox.writeClientConfig(to: directory + "/profiles")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
            let wallets = json?["wallets"] as? [String: [String: Any]] ?? [:]
            #expect(Set(wallets.keys) == ["gcash", "tng", "paytm", "dana"])
            for (name, table) in wallets {
                #expect(table["ca_bundle"] as? String == tls.caBundlePath, "\(name)")
                #expect((table["base_url"] as? String)?.hasPrefix("https://127.0.0.1:") == true, "\(name)")
            }
        }
    }
}

// MARK: Helpers

/// The TEST ONLY TLS fixtures (`Tests/Fixtures/tls`).
enum TLSFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tls").path

    /// `test-only-NAME.pem`.
    static func path(_ name: String) -> String { directory + "/test-only-\(name).pem" }

    static func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    /// A sandbox TLS configuration presenting `test-only-NAME.pem` (its key beside it), with the
    /// test CA as the clients' CA bundle.
    static func server(_ name: String = "server") -> SandboxTLS {
        SandboxTLS(certificatePath: path(name), privateKeyPath: path(name + "-key"), caBundlePath: path("ca"))
    }

    static func configuration(_ tls: SandboxTLS) -> WalletSandbox.Configuration {
        var configuration = WalletSandbox.Configuration()
        configuration.tls = tls
        return configuration
    }

    /// A transport that trusts the test CA (and presents `certificate`).
    static func client(certificate: CurlTransportConfiguration.ClientCertificate? = nil) -> CurlTransportConfiguration {
        CurlTransportConfiguration(
            connectTimeout: .seconds(5), requestTimeout: .seconds(10), caBundlePath: path("ca"), clientCertificate: certificate)
    }
}

func withTLSSandbox(_ tls: SandboxTLS, _ body: (WalletSandbox) async throws -> Void) async throws {
    let sandbox = try await WalletSandbox.start(TLSFixtures.configuration(tls))
    do {
        try await body(sandbox)
    } catch {
        await sandbox.shutdown()
        throw error
    }
    await sandbox.shutdown()
}

@discardableResult
func health(_ transport: CurlTransport, _ sandbox: WalletSandbox) async throws -> TransportResponse {
    try await transport.send(TransportRequest(method: .get, url: sandbox.baseURL + "/sandbox/health"))
}

/// One GET with plain libcurl (no CurlTransport): TLS versions from `minimumVersion` up,
/// OpenSSL's security level 0, the test CA trusted. Returns curl's result code.
func rawCurl(url: String, minimumVersion: Int) -> CURLcode {
    // curl_global_init ran when the test's CurlTransport was created.
    guard let easy = curl_easy_init() else { return CURLE_FAILED_INIT }
    defer { curl_easy_cleanup(easy) }
    _ = wb_curl_easy_setopt_string(easy, CURLOPT_URL, url)
    _ = wb_curl_easy_setopt_string(easy, CURLOPT_CAINFO, TLSFixtures.path("ca"))
    _ = wb_curl_easy_setopt_long(easy, CURLOPT_SSLVERSION, minimumVersion)
    _ = wb_curl_easy_setopt_string(easy, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0")
    _ = wb_curl_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
    _ = wb_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
    _ = wb_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, 10_000)
    return curl_easy_perform(easy)
}
