import Foundation
import HTTPTypes
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSandbox
import WalletBridgeTransport

@Suite("Sandbox")
struct SandboxTests {
    @Test func ledgerPersistsAcrossRestartsThroughTheStateFile() async throws {
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("wb-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: stateFile) }
        var configuration = WalletSandbox.Configuration()
        configuration.stateFile = stateFile
        let ref = reference("persist")

        let first = try await WalletSandbox.start(configuration)
        try await withCurlTransport { transport in
            let adapter = AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: try first.clientProfile()), transport: transport)
            #expect(try await adapter.pay(payment(ref, try php("10.00"), customer: "gcash-slow")).status.isPending)
            #expect(try await adapter.inquire(PaymentQuery(merchantReference: ref)).status.isPending)
        }
        await first.shutdown()

        let second = try await WalletSandbox.start(configuration)
        try await withCurlTransport { transport in
            let adapter = AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: try second.clientProfile()), transport: transport)
            #expect(try await adapter.inquire(PaymentQuery(merchantReference: ref)).status.isPending, "inquiry 2 of 3")
            #expect(try await adapter.inquire(PaymentQuery(merchantReference: ref)).status.isSucceeded, "inquiry 3 of 3, counted across restarts")
        }
        await second.shutdown()
    }

    @Test func aCorruptStateFileIsAClearErrorAndIsLeftAlone() async throws {
        let stateFile = FileManager.default.temporaryDirectory.appendingPathComponent("wb-bad-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: stateFile) }
        try "{not json".write(toFile: stateFile, atomically: true, encoding: .utf8)
        var configuration = WalletSandbox.Configuration()
        configuration.stateFile = stateFile
        let error = await #expect(throws: SandboxError.self) { _ = try await WalletSandbox.start(configuration) }
        #expect(error?.message.contains(stateFile) == true)
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8) == "{not json", "nothing is lost")
    }

    @Test func busyPortAndNonLoopbackHostAreRefused() async throws {
        let running = try await WalletSandbox.start()
        var sameport = WalletSandbox.Configuration()
        sameport.port = running.port
        await #expect(throws: SandboxError.self) { _ = try await WalletSandbox.start(sameport) }
        var everywhere = WalletSandbox.Configuration()
        everywhere.host = "0.0.0.0"
        await #expect(throws: SandboxError.self) { _ = try await WalletSandbox.start(everywhere) }
        await running.shutdown()
        await running.shutdown()  // idempotent
    }

    @Test func signedButMalformedRequestsGetParamIllegalAndUnsignedOnesAreRefused() async throws {
        let sandbox = try await WalletSandbox.start()
        try await withCurlTransport { transport in
            let signer = AlipayPlusSigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.merchantPrivateKeyPEM))
            func send(_ body: String, signed: Bool = true) async throws -> String {
                let path = AlipayPlusConfiguration.Paths().pay
                let time = "2026-11-24T10:04:05+00:00"
                var headers: HTTPFields = [.contentType: "application/json", .clientID: SandboxCredentials.gcashClientID, .requestTime: time]
                if signed {
                    let header = try signer.sign(
                        .request(path: path, clientId: SandboxCredentials.gcashClientID, requestTime: time, body: Array(body.utf8)))
                    headers.append(HTTPField(name: .signature, value: header.headerValue))
                }
                let response = try await transport.send(
                    TransportRequest(method: .post, url: sandbox.baseURL + path, headerFields: headers, body: Array(body.utf8)))
                #expect(response.headerFields[.signature] != nil, "even rejections are signed")
                return String(decoding: response.body, as: UTF8.self)
            }
            #expect(try await send("not json").contains(#""resultCode":"PARAM_ILLEGAL""#))
            #expect(try await send(#"{"paymentRequestId":"X"}"#).contains("PARAM_ILLEGAL"))
            let badAmount =
                #"{"productCode":"AGREEMENT_PAYMENT","paymentRequestId":"X","paymentAmount":{"currency":"XYZ","value":"100"},"paymentMethod":{"paymentMethodType":"GCASH","paymentMethodId":"gcash-pays"}}"#
            #expect(try await send(badAmount).contains("PARAM_ILLEGAL"))
            #expect(
                try await send(badAmount.replacingOccurrences(of: "XYZ", with: "PHP").replacingOccurrences(of: "gcash-pays", with: "nobody"))
                    .contains("INVALID_ACCESS_TOKEN"))
            #expect(try await send(badAmount.replacingOccurrences(of: "XYZ", with: "PHP"), signed: false).contains("PARAM_ILLEGAL"))
        }
        await sandbox.shutdown()
    }

    @Test func fxQuotesAreExactAndRoundHalfUp() throws {
        let (yen, yenQuote) = try #require(SandboxFX.convert(Money(minorUnits: 1000, currency: .jpy), to: .php))
        #expect(yen == Money(minorUnits: 38_500, currency: .php))
        #expect(yenQuote?.rate == "0.385")
        // 100.00 PHP * 0.017167 = 1.7167 USD -> 1.72; 0.29 PHP -> 0.004978 -> 0.00.
        #expect(SandboxFX.convert(Money(minorUnits: 10_000, currency: .php), to: .usd)?.0 == Money(minorUnits: 172, currency: .usd))
        #expect(SandboxFX.convert(Money(minorUnits: 29, currency: .php), to: .usd)?.0 == Money(minorUnits: 0, currency: .usd))
        #expect(SandboxFX.convert(Money(minorUnits: 1, currency: .kwd), to: .php) == nil, "no rate, no quote")
        #expect(SandboxFX.convert(Money(minorUnits: .max, currency: .usd), to: .php) == nil, "overflow is refused, not wrapped")
    }

    @Test func writtenProfileLoadsAndPointsAtTheSandbox() async throws {
        let sandbox = try await WalletSandbox.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-cfg-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try WalletSandbox.writeClientConfig(to: directory, baseURL: sandbox.baseURL)
        let profile = try PartnerProfileFile(path: path).profile(for: "gcash")
        #expect(profile.baseURL == sandbox.baseURL)
        #expect(profile.merchantKey?.description == "file \(directory)/gcash-merchant-private.pem")
        _ = try AlipayPlusConfiguration(profile: profile)
        #expect(profile.notifyURL == nil, "without a notify base the profiles name no notify URL")
        let notified = try WalletSandbox.writeClientConfig(
            to: directory + "/notified", baseURL: sandbox.baseURL, notifyBase: "http://127.0.0.1:9000/")
        for wallet in ["gcash", "tng", "paytm", "dana"] {
            #expect(try PartnerProfileFile(path: notified).profile(for: wallet).notifyURL == "http://127.0.0.1:9000/notify/\(wallet)")
        }
        await sandbox.shutdown()
    }
}
