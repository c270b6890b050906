import Foundation
import Logging
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSNAP
import WalletBridgeSandbox

/// The most common onboarding mistakes, end to end through `CurlTransport` against the
/// sandbox: a wrong Paytm merchant key, a wrong GCash client id, a wrong SNAP key. The payment
/// stays `unknown` (it may have reached the wallet) unless the wallet verifiably refused it, the
/// error names the profile field to check and what the reply claimed (marked unverified), the
/// client stops after the first exchange instead of polling for 30 s (counted in requests,
/// never in wall-clock time), and no secret reaches the error or the logs.
@Suite("Configuration diagnosis end to end")
struct ConfigurationDiagnosisEndToEndTests {
    static let keys = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "Fixtures/vectors/keys")
    /// A 16-character AES key that is not the sandbox's.
    static let wrongPaytmKey = "WRONG+KEY/abc123"

    /// A client with the default policy (30 s of settling, 4 attempts) and a capturing logger.
    static func client(_ adapter: any WalletAdapter, _ lines: LogLines) -> WalletClient {
        WalletClient(adapter: adapter, logger: Logger(label: "test") { _ in LineCapturingLogHandler(lines: lines) })
    }

    /// Everything a person or a log may see of a result.
    static func everythingShown(_ result: PaymentResult, _ lines: LogLines) -> String {
        ([
            result.status.error?.description, result.status.error?.message, result.lastError?.description, result.lastError?.message,
            "\(result)",
        ].compactMap { $0 } + lines.all).joined(separator: "\n")
    }

    @Test func wrongPaytmMerchantKeyIsDiagnosedAfterOneRequest() async throws {
        try await withSandboxAdapter(
            wallet: "paytm", adjust: { $0.merchantKey = .string(Self.wrongPaytmKey) },
            build: { profile, transport in
                let counting = CountingTransport(base: transport)
                return (PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: counting), counting)
            }
        ) { _, built in
            let (adapter, counting) = built
            let lines = LogLines()
            let client = Self.client(adapter, lines)
            let ref = orderID("DIAG-PTM")
            let result = try await client.pay(payment(ref, try inr("10.00"), customer: "paytm-pays"))
            guard case .unknown(let error) = result.status else { Issue.record("expected unknown, got \(result.status)"); return }
            #expect(error.mayHaveCharged)
            #expect(error.partnerCode == nil, "an unverified reply never lends its code")
            let diagnosis = try #require(error.diagnosis)
            #expect(diagnosis.kind == .configuration)
            #expect(diagnosis.claim?.code == "2005")
            #expect(diagnosis.claim?.verified == false)
            #expect(error.message.contains("merchant_key"))
            #expect(error.message.contains(#"claimed: F 2005 ""#))
            #expect(error.message.contains("(unverified)"))
            #expect(result.lastError?.diagnosis == diagnosis)
            // One initiate; no status polling, no resend.
            #expect(counting.total == 1)
            #expect(!Self.everythingShown(result, lines).contains(Self.wrongPaytmKey))
            #expect(!Self.everythingShown(result, lines).contains(SandboxCredentials.paytmMerchantKey))

            // An inquiry with the same profile: one request, no retries, the same diagnosis.
            let inquired = try await client.inquire(PaymentQuery(merchantReference: ref))
            #expect(inquired.lastError?.diagnosis?.kind == .configuration)
            #expect(counting.total == 2)
        }
    }

    @Test func wrongGCashClientIDIsDiagnosedAfterOneRequest() async throws {
        try await withSandboxAdapter(
            wallet: "gcash", adjust: { $0.clientID = "SANDBOX_WRONG_CLIENT" },
            build: { profile, transport in
                let counting = CountingTransport(base: transport)
                return (AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: counting), counting)
            }
        ) { _, built in
            let (adapter, counting) = built
            let lines = LogLines()
            let result = try await Self.client(adapter, lines).pay(payment(reference("DIAG-GC"), try php("10.00"), customer: "gcash-pays"))
            guard case .unknown(let error) = result.status else { Issue.record("expected unknown, got \(result.status)"); return }
            #expect(error.mayHaveCharged)
            let diagnosis = try #require(error.diagnosis)
            #expect(diagnosis.kind == .configuration)
            #expect(diagnosis.claim?.code == "INVALID_CLIENT")
            #expect(error.message.contains("client_id SANDBOX_WRONG_CLIENT"))
            #expect(error.message.contains("addressed to client id \(SandboxCredentials.gcashClientID)"))
            #expect(error.message.contains("(unverified)"))
            #expect(counting.total == 1)
            let shown = Self.everythingShown(result, lines)
            #expect(!shown.contains("PRIVATE KEY"))
            #expect(!shown.contains("gcash-pays"), "the customer's access token stays out of errors and logs")
        }
    }

    @Test func wrongSNAPPrivateKeyIsAVerifiedRefusalThatNamesTheKey() async throws {
        let wrongKey = Self.keys.appendingPathComponent("test-only-partner-rsa2048-private-pkcs8.pem").path
        try await withSandboxAdapter(
            wallet: "dana", adjust: { $0.merchantKey = .file(path: wrongKey) },
            build: { profile, transport in
                let counting = CountingTransport(base: transport)
                return (SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: counting), counting)
            }
        ) { _, built in
            let (adapter, counting) = built
            let lines = LogLines()
            let result = try await Self.client(adapter, lines).pay(payment(reference("DIAG-DANA"), try idr("10000"), customer: "dana-pays"))
            // The wallet's signed answer proves it refused the request: failed, nothing charged.
            guard case .failed(let error) = result.status else { Issue.record("expected failed, got \(result.status)"); return }
            #expect(!error.mayHaveCharged)
            #expect(error.partnerCode == "4015400")
            let diagnosis = try #require(error.diagnosis)
            #expect(diagnosis.claim?.verified == true)
            #expect(error.message.contains("check merchant_key (our private key) and client_id"))
            #expect(counting.total == 1)
            #expect(!Self.everythingShown(result, lines).contains("PRIVATE KEY"))
        }
    }

    @Test func wrongSNAPKeysBothWaysAreUnknownWithTheUnverifiedClaim() async throws {
        let wrongKey = Self.keys.appendingPathComponent("test-only-partner-rsa2048-private-pkcs8.pem").path
        let wrongWalletKey = Self.keys.appendingPathComponent("test-only-merchant-rsa2048-public-spki.pem").path
        try await withSandboxAdapter(
            wallet: "dana",
            adjust: {
                $0.merchantKey = .file(path: wrongKey)
                $0.partnerPublicKeys = ["dana": .file(path: wrongWalletKey)]
            },
            build: { profile, transport in
                let counting = CountingTransport(base: transport)
                return (SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: counting), counting)
            }
        ) { _, built in
            let (adapter, counting) = built
            let lines = LogLines()
            let result = try await Self.client(adapter, lines).pay(payment(reference("DIAG-DANA2"), try idr("10000"), customer: "dana-pays"))
            guard case .unknown(let error) = result.status else { Issue.record("expected unknown, got \(result.status)"); return }
            #expect(error.mayHaveCharged)
            #expect(error.partnerCode == nil)
            #expect(error.diagnosis?.claim?.code == "4015400")
            #expect(error.message.contains("(unverified)"))
            #expect(error.message.contains("partner_public_keys"))
            #expect(counting.total == 1)
        }
    }

    @Test func aTamperedFirstReplyIsStillSettledByInquiry() async throws {
        // The same unverifiable checksum without the wallet saying "invalid checksum" is not a
        // configuration error: the client inquires, and the payment settles.
        try await withPaytm { sandbox, adapter, counting in
            let ref = orderID("DIAG-TAMPER")
            sandbox.injectFault(.tamperResponseSignature, path: "/theia/api/v1/initiateTransaction")
            let client = WalletClient(adapter: adapter, configuration: WalletClient.Configuration(settleWithin: .seconds(2)))
            let result = try await client.pay(payment(ref, try inr("10.00"), customer: "paytm-pays"))
            #expect(result.status.error?.diagnosis == nil)
            #expect(result.lastError?.diagnosis == nil)
            #expect(counting.total > 1)
        }
    }
}

/// Log lines captured by ``LineCapturingLogHandler``.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// Keeps every log line with its metadata.
struct LineCapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}
