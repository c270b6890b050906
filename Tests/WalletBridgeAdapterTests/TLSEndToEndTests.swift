import Foundation
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeSNAP
import WalletBridgeSandbox
import WalletBridgeTransport

/// Signed payments end to end over real TLS: `CurlTransport`, trusting the sandbox's TEST ONLY
/// CA through the profile's CA bundle, to the sandbox's OpenSSL TLS front on 127.0.0.1.
@Suite("Payments over TLS against the sandbox")
struct TLSEndToEndTests {
    @Test func aGCashPaymentSucceedsOverTLS() async throws {
        try await withTLSSandboxProfile(wallet: "gcash") { sandbox, profile, transport in
            #expect(profile.baseURL.hasPrefix("https://"))
            let adapter = AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
            let ref = reference("tls-pay")
            let result = try await adapter.pay(payment(ref, try php("10.00"), customer: "gcash-pays"))
            #expect(result.status.isSucceeded)
            #expect(result.partnerResult?.code == "SUCCESS")
            let inquiry = try await adapter.inquire(PaymentQuery(merchantReference: ref, expectedAmount: try php("10.00")))
            #expect(inquiry.status.isSucceeded)
            #expect(sandbox.payment(wallet: "gcash", merchantReference: ref)?.state == "succeeded")
            #expect(transport.statistics.connectionsOpened == 1, "pay and inquire share one TLS connection")
        }
    }

    @Test(arguments: ["rsa", "token"])
    func aDANAPaymentSucceedsOverTLS(_ mode: String) async throws {
        try await withTLSSandboxProfile(wallet: "dana", snapMode: mode) { sandbox, profile, transport in
            let adapter = SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: transport)
            let ref = reference("tls-dana-\(mode)")
            let created = try await adapter.pay(payment(ref, try idr("10000"), customer: "dana-pays"))
            #expect(created.status.isPending)
            let queried = try await adapter.inquire(
                PaymentQuery(merchantReference: ref, walletReference: created.walletReference, expectedAmount: try idr("10000")))
            #expect(queried.status.isSucceeded)
            #expect(sandbox.payment(wallet: "dana", merchantReference: ref)?.state == "succeeded")
        }
    }

    @Test func theWrittenProfileFileReachesATLSSandbox() async throws {
        // What `walletbridge sandbox --tls --write-config DIR` then `walletbridge pay --config` do.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-tls-e2e-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = WalletSandbox.Configuration()
        configuration.tls = try SandboxTLS.testIdentity(writingTo: directory)
        let sandbox = try await WalletSandbox.start(configuration)
        do {
            let file = try sandbox.writeClientConfig(to: directory)
            let profile = try PartnerProfileFile(path: file).profile(for: "gcash")
            #expect(profile.caBundlePath == directory + "/test-only-ca.pem")
            try await withCurlTransport(configuration: CurlTransportConfiguration(caBundlePath: profile.caBundlePath)) { transport in
                let adapter = AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport)
                let result = try await adapter.pay(payment(reference("tls-file"), try php("12.00"), customer: "gcash-pays"))
                #expect(result.status.isSucceeded)
            }
        } catch {
            await sandbox.shutdown()
            throw error
        }
        await sandbox.shutdown()
    }
}

/// A TLS sandbox with the TEST ONLY identity of `Tests/Fixtures/tls`, the client profile of
/// `wallet` (which names the test CA as its CA bundle), and a transport configured from it.
func withTLSSandboxProfile(
    wallet: String, snapMode: String = "rsa", _ body: (WalletSandbox, PartnerProfile, CurlTransport) async throws -> Void
) async throws {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/tls").path
    var configuration = WalletSandbox.Configuration()
    configuration.tls = SandboxTLS(
        certificatePath: fixtures + "/test-only-server.pem", privateKeyPath: fixtures + "/test-only-server-key.pem",
        caBundlePath: fixtures + "/test-only-ca.pem")
    let sandbox = try await WalletSandbox.start(configuration)
    do {
        let profile = try sandbox.clientProfile(wallet: wallet, snapMode: snapMode)
        let transport = CurlTransportConfiguration(
            connectTimeout: profile.connectTimeout, requestTimeout: profile.requestTimeout, caBundlePath: profile.caBundlePath)
        try await withCurlTransport(configuration: transport) { try await body(sandbox, profile, $0) }
    } catch {
        await sandbox.shutdown()
        throw error
    }
    await sandbox.shutdown()
}
