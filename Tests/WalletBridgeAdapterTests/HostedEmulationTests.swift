import Foundation
import Testing
import WalletBridgeCore
import WalletBridgeSandbox
import HTTPTypes
import WalletBridgeHTTP
import WalletBridgeTransport

/// A partner's emulation of a wallet WalletBridge does not ship (ToyPay, in
/// HostedEmulationExample.swift), hosted by the sandbox and driven through `WalletClient`, its
/// own adapter (below) and `CurlTransport` over 127.0.0.1: the sandbox applies the
/// wallet-independent faults around it, and its ledger is the sandbox's ground truth.
@Suite("Hosted emulation")
struct HostedEmulationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theSampleMatchesTheGuide() throws {
        let source = try String(
            contentsOf: Self.root.appendingPathComponent("Tests/WalletBridgeAdapterTests/HostedEmulationExample.swift"), encoding: .utf8)
        let guide = try String(contentsOf: Self.root.appendingPathComponent("Specs/AddingAWallet.md"), encoding: .utf8)
        let begin = try #require(source.range(of: "// GUIDE-BEGIN\n"))
        let end = try #require(source.range(of: "// GUIDE-END"))
        let sample = String(source[begin.upperBound..<end.lowerBound])
        #expect(guide.contains("```swift\n" + sample + "```"), "Specs/AddingAWallet.md's hosting sample differs from HostedEmulationExample.swift")
    }

    /// A ToyPay sandbox, a client over the real transport (waits on a virtual clock), and the
    /// statuses of every exchange; everything is shut down after `body`.
    func withToyPay(_ body: (WalletSandbox, WalletClient, StatusLog) async throws -> Void) async throws {
        let sandbox = try await startToyPaySandbox()
        let curl = try CurlTransport()
        let log = StatusLog(base: curl)
        do {
            let adapter = try ToyPayAdapter(profile: try sandbox.clientProfile(wallet: "toypay"), transport: log)
            try await body(sandbox, fastClient(adapter), log)
        } catch {
            await curl.shutdown()
            await sandbox.shutdown()
            throw error
        }
        await curl.shutdown()
        await sandbox.shutdown()
    }

    func toyPayment(_ reference: String, _ amount: String, customer: String = "toy-pays") throws -> PaymentRequest {
        PaymentRequest(
            merchantReference: reference, amount: try Money(parsing: amount, currency: .usd), customer: CustomerCredential(customer),
            orderDescription: "toy")
    }

    @Test func aPaymentGoesThroughAndTheLedgerIsTheSandboxs() async throws {
        try await withToyPay { sandbox, client, log in
            let result = try await client.pay(try toyPayment("TOY-OK", "10.00"))
            #expect(result.status == .succeeded)
            #expect(result.walletReference == "TOY-TOY-OK")
            #expect(log.statuses("/toypay/pay") == [200])
            let entry = try #require(sandbox.ledgerSnapshot(wallet: "toypay").first)
            #expect(
                entry.merchantReference == "TOY-OK" && entry.charges == 1 && entry.state == "succeeded" && entry.amountMinor == 1000
                    && entry.currency == "USD")
            #expect(sandbox.payments(wallet: "toypay").map(\.walletReference) == ["TOY-TOY-OK"])

            let declined = try await client.pay(try toyPayment("TOY-NO", "10.00", customer: "toy-declines"))
            #expect(declined.status.isFinal && declined.status != .succeeded)

            let transport = try CurlTransport()
            let served = try await transport.send(TransportRequest(method: .get, url: "\(sandbox.baseURL)/sandbox/ledger?wallet=toypay"))
            await transport.shutdown()
            #expect(try JSONDecoder().decode([SandboxLedgerEntry].self, from: Data(served.body)) == sandbox.ledgerSnapshot(wallet: "toypay"))
        }
    }

    @Test func a503BeforeTheCommitIsResentUnderTheSameReferenceAndChargedOnce() async throws {
        try await withToyPay { sandbox, client, log in
            sandbox.injectFault(.httpStatus(503), operation: "pay", wallet: "toypay")
            let result = try await client.pay(try toyPayment("TOY-503", "12.00"))
            #expect(result.status == .succeeded)
            #expect(log.statuses("/toypay/pay") == [503, 200], "the 503 came from the sandbox, before the emulation ran")
            #expect(log.statuses("/toypay/status").first == 200, "the client asked before resending")
            let entry = try #require(sandbox.ledgerSnapshot(wallet: "toypay").first { $0.merchantReference == "TOY-503" })
            #expect(entry.charges == 1)
        }
    }

    /// Magic amounts, by the emulation's `amountFields`: 51 a 500 after the commit, 52 a 503
    /// before it, 53 a 429 with Retry-After, 55 a slow body. One charge each, never failed.
    @Test(arguments: [("10.51", 500), ("10.52", 503), ("10.53", 429), ("10.55", 200)])
    func aMagicAmountHitsTheFirstPayAndThePaymentIsChargedOnce(amount: String, firstStatus: Int) async throws {
        try await withToyPay { sandbox, client, log in
            let reference = "TOY-MAGIC-" + amount
            let result = try await client.pay(try toyPayment(reference, amount))
            #expect(result.status == .succeeded, "\(amount): \(result.status)")
            #expect(log.statuses("/toypay/pay").first == firstStatus)
            let entry = try #require(sandbox.ledgerSnapshot(wallet: "toypay").first { $0.merchantReference == reference })
            #expect(entry.charges == 1 && entry.state == "succeeded")
        }
    }

    @Test func aWireFaultIsOfferedToTheEmulationWhichHonoursIt() async throws {
        try await withToyPay { sandbox, client, log in
            sandbox.injectFault(.tamperResponseSignature, operation: "pay", wallet: "toypay")
            let result = try await client.pay(try toyPayment("TOY-TAMPER", "13.00"))
            #expect(result.status == .succeeded, "settled by inquiry, not by the tampered reply")
            #expect(log.statuses("/toypay/pay") == [200] && !log.statuses("/toypay/status").isEmpty)
            #expect(sandbox.ledgerSnapshot(wallet: "toypay").first { $0.merchantReference == "TOY-TAMPER" }?.charges == 1)
        }
    }

    @Test func theProfileIsWrittenWithTheBuiltInOnesAndNamesMustBeUnique() async throws {
        let sandbox = try await startToyPaySandbox()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-toypay-\(UUID().uuidString)").path
        let written = try PartnerProfileFile(path: try sandbox.writeClientConfig(to: directory))
        let toy = try written.profile(for: "toypay")
        #expect(toy.baseURL == sandbox.baseURL && toy.scheme == "toypay" && toy.clientID == "toy-merchant")
        #expect(try toy.merchantKey?.loadText().trimmingCharacters(in: .newlines) == ToyPayWire.key)
        #expect(try written.profile(for: "gcash").clientID == SandboxCredentials.gcashClientID)
        try? FileManager.default.removeItem(atPath: directory)
        await sandbox.shutdown()

        var clash = WalletSandbox.Configuration()
        clash.emulations = [RenamedEmulation(wallet: "gcash")]
        await #expect(throws: SandboxError.self) { _ = try await WalletSandbox.start(clash) }
    }
}

/// ToyPay under another name.
struct RenamedEmulation: SandboxWalletEmulation {
    let wallet: String
    let base = ToyPayEmulation()
    var referenceFields: [String] { base.referenceFields }
    var amountFields: [String] { base.amountFields }
    func handles(_ request: SandboxRequest) -> Bool { base.handles(request) }
    func operation(of request: SandboxRequest) -> WalletCapabilities.Operation? { base.operation(of: request) }
    func clientProfile(baseURL: String) throws -> PartnerProfile { try base.clientProfile(baseURL: baseURL) }
    func handle(_ request: SandboxRequest, context: SandboxEmulationContext) async -> SandboxReply { await base.handle(request, context: context) }
}

/// The partner's own adapter for ToyPay: one signed exchange per call, every reply verified and
/// bound to our reference and amount (`ReplyBinding`); pay and inquire only.
struct ToyPayAdapter: WalletAdapter {
    let walletName = "toypay"
    let baseURL: String
    let transport: any HTTPTransport

    init(profile: PartnerProfile, transport: any HTTPTransport) throws {
        baseURL = profile.baseURL
        self.transport = transport
    }

    var capabilities: WalletCapabilities { WalletCapabilities(operations: [.pay, .inquire], walletCurrency: .usd, currencies: [.usd]) }
    var reconciliationRule: ReconciliationRule { .queryUntilExpiry(validity: .seconds(60), initial: .seconds(1), cap: .seconds(5)) }

    func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult {
        let message = ToyPayWire.Message(reference: request.merchantReference, amount: request.amount.decimalString, customer: request.customer.value)
        do {
            return try await exchange("/toypay/pay", message, expected: request.amount)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: request.merchantReference, amount: request.amount)
        }
    }

    func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try await exchange("/toypay/status", ToyPayWire.Message(reference: query.merchantReference), expected: query.expectedAmount)
    }

    /// Sends `message` signed; a reply that is not a 200 signed with our key throws (an error
    /// that may have charged, for a pay).
    private func exchange(_ path: String, _ message: ToyPayWire.Message, expected: Money?) async throws(WalletError) -> PaymentResult {
        let body = (try? Array(JSONEncoder().encode(message))) ?? []
        let response: TransportResponse
        do {
            response = try await transport.send(
                TransportRequest(
                    method: .post, url: baseURL + path,
                    headerFields: [.contentType: "application/json", .toySignature: ToyPayWire.sign(body)], body: body))
        } catch {
            throw WalletError.transport(error)
        }
        guard response.status == 200 else {
            let throttled = response.status == 429
            throw WalletError(
                throttled ? .rateLimited : .unknownOutcome, "HTTP \(response.status)", retryAfter: throttled ? .seconds(1) : nil, mayHaveCharged: true
            )
        }
        guard response.head.headerFields[.toySignature] == ToyPayWire.sign(response.body),
            let reply = try? JSONDecoder().decode(ToyPayWire.Message.self, from: Data(response.body))
        else {
            throw WalletError(.invalidPartnerResponse, "the reply is unsigned, wrongly signed or malformed")
        }
        let status: PaymentStatus
        switch reply.status {
        case "PAID": status = .succeeded
        case "DECLINED": status = .failed(WalletError(.declined, "declined", partnerCode: "DECLINED"))
        case "UNKNOWN_REFERENCE": status = .unknown(WalletError(.notFound, "the wallet does not know the payment", mayHaveCharged: false))
        case "INCONSISTENT": throw WalletError(.inconsistentRequest, "the reference was used with another amount")
        default: throw WalletError(.invalidPartnerResponse, "unknown status \(reply.status ?? "none")")
        }
        let binding = ReplyBinding(
            references: [.ours("reference", held: message.reference, named: reply.reference)], expectedAmount: expected,
            statedAmount: .init { try reply.amount.map { try Money(parsing: $0, currency: .usd) } })
        return PaymentResult(
            status: binding.payment(status), merchantReference: message.reference, walletReference: binding.lends(reply.walletReference),
            amount: binding.confirmedAmount ?? expected)
    }

    func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult { throw Self.unsupported }
    func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult { throw Self.unsupported }
    func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult { throw Self.unsupported }
    func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification { throw Self.unsupported }
    static let unsupported = WalletError(.invalidRequest, "ToyPay does not support this", mayHaveCharged: false)
}

/// Passes requests on and keeps each exchange's path and HTTP status.
final class StatusLog: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let lock = NSLock()
    private var entries: [(path: String, status: Int)] = []

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let response = try await base.send(request)
        let path = URLComponents(string: request.url)?.path ?? request.url
        lock.withLock { entries.append((path, response.status)) }
        return response
    }

    /// The statuses of the exchanges with `path`, in order.
    func statuses(_ path: String) -> [Int] { lock.withLock { entries.filter { $0.path == path }.map(\.status) } }
}
