import Foundation
import HTTPTypes
import Testing
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeHTTP
import WalletBridgePaytm
import WalletBridgeSandbox
import WalletBridgeSNAP
import WalletBridgeTransport

// MARK: Harness

/// One request as the client's transport sent it.
struct WireRequest: Sendable {
    let path: String
    let headerFields: HTTPFields
    let body: [UInt8]
}

/// Passes requests on to `base` and records each one before sending it (so a request the
/// network refuses is recorded too).
final class WireRecorder: HTTPTransport, @unchecked Sendable {
    let base: any HTTPTransport
    private let lock = NSLock()
    private var log: [WireRequest] = []

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let path = URLComponents(string: request.url)?.path ?? request.url
        lock.withLock { log.append(WireRequest(path: path, headerFields: request.headerFields, body: request.body)) }
        return try await base.send(request)
    }

    /// Every request so far.
    var all: [WireRequest] { lock.withLock { log } }
    /// The requests to `path` so far.
    func requests(_ path: String) -> [WireRequest] { all.filter { $0.path == path } }
    func count(_ path: String) -> Int { requests(path).count }
}

/// The wallet's adapter for `profile` on `transport`, its signing clock (Request-Time,
/// X-TIMESTAMP, head.requestTimestamp, SNAP validUpTo) read from `now`.
func walletAdapter(
    _ wallet: SandboxWallet, _ profile: PartnerProfile, _ transport: any HTTPTransport,
    now: @escaping @Sendable () -> Date = { Date() }
) throws -> any WalletAdapter {
    switch wallet {
    case .gcash: return AlipayPlusAdapter(configuration: try AlipayPlusConfiguration(profile: profile), transport: transport, clock: now)
    case .paytm: return PaytmAdapter(configuration: try PaytmConfiguration(profile: profile), transport: transport, clock: now)
    case .dana: return SNAPAdapter(configuration: try SNAPConfiguration(profile: profile), transport: transport, clock: now)
    }
}

/// A JSON body as an object.
func jsonObject(_ body: [UInt8]) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
}

/// The part of a request body that says what is asked: the whole body, except for Paytm, whose
/// envelope's `head` carries the per-attempt timestamp and signature (the `body` member is what
/// is pinned), returned re-encoded with sorted keys.
func requestedContent(_ wallet: SandboxWallet, _ body: [UInt8]) -> [UInt8] {
    guard wallet == .paytm, let inner = jsonObject(body)?["body"],
        let data = try? JSONSerialization.data(withJSONObject: inner, options: [.sortedKeys, .withoutEscapingSlashes])
    else { return body }
    return Array(data)
}

/// The per-attempt header values that must be fresh on every attempt.
func freshHeaders(_ wallet: SandboxWallet) -> [HTTPField.Name] {
    switch wallet {
    case .gcash: return [.requestTime, .signature]
    case .paytm: return []
    case .dana: return [.xTimestamp, .xExternalID, .xSignature]
    }
}

/// The merchant reference a pay body names.
func payReference(_ wallet: SandboxWallet, _ body: [UInt8]) -> String? {
    let object = jsonObject(body)
    switch wallet {
    case .gcash: return object?["paymentRequestId"] as? String
    case .paytm: return (object?["body"] as? [String: Any])?["orderId"] as? String
    case .dana: return object?["partnerReferenceNo"] as? String
    }
}

/// A retry policy whose backoffs (with the jitter of 0.5 `fastClient` draws) are whole seconds
/// apart, so second-precision timestamps of successive attempts differ.
let secondsApartRetry = RetryPolicy(maxAttempts: 4, initialBackoff: .seconds(4), maxBackoff: .seconds(16), deadline: .seconds(120))

// MARK: Tests

/// The retry policy end to end, through `CurlTransport` to the sandbox, on a virtual clock.
@Suite("Retry policy, end to end")
struct RetryEndToEndTests {
    /// SNAP: a debit the wallet never received (an unsigned 429 before it), resent by DANA's rule.
    @Test func aResentSNAPDebitIsByteIdenticalUnderFreshHeaders() async throws {
        try await withWallet(.dana) { w in
            let clock = VirtualClock()
            let wire = WireRecorder(base: w.transport)
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let client = fastClient(try walletAdapter(.dana, w.profile, wire, now: { clock.date }), journal: journal, clock: clock)
            let ref = reference("snap-resend")
            let before = try #require(w.balance)
            w.sandbox.injectFault(.unsignedTooManyRequests(processed: false), path: SandboxWallet.dana.payPath)
            let result = try await client.pay(w.request(ref))
            #expect(result.status.isSucceeded, "\(result.status)")

            let pays = wire.requests(SandboxWallet.dana.payPath)
            try #require(pays.count == 2, "the first debit and one identical resend")
            #expect(pays[0].body == pays[1].body, "the resent body is byte-identical")
            for name in [HTTPField.Name.xExternalID, .xTimestamp, .xSignature] {
                #expect(
                    pays[0].headerFields[name] != nil && pays[0].headerFields[name] != pays[1].headerFields[name], "\(name) is fresh on every attempt"
                )
            }
            #expect(pays.allSatisfy { payReference(.dana, $0.body) == ref }, "never a new partnerReferenceNo")
            #expect(wire.requests(SandboxWallet.dana.inquiryPath).allSatisfy { jsonObject($0.body)?["originalPartnerReferenceNo"] as? String == ref })

            #expect(w.sandbox.payments(wallet: "dana").filter { $0.merchantReference == ref }.count == 1)
            #expect(w.balance == before - SandboxWallet.dana.amount.minorUnits, "charged once")
            let entries = try await journal.allEntries(wallet: "dana")
            #expect(entries.count == 1)
            #expect(entries.first?.attempts == 2)
            #expect(entries.first?.state == .succeeded)
        }
    }

    /// Alipay+: a refund whose reply is undecided (`U`) is resent under the same refundRequestId.
    @Test func aResentAlipayPlusRefundIsByteIdenticalWithAFreshRequestTime() async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let wire = WireRecorder(base: w.transport)
            let client = fastClient(try walletAdapter(.gcash, w.profile, wire, now: { clock.date }), retry: secondsApartRetry, clock: clock)
            let ref = reference("aps-refund")
            #expect(try await client.pay(w.request(ref)).status.isSucceeded)
            let paid = try #require(w.balance)

            let refundPath = SandboxWallet.gcash.refundPath
            w.sandbox.injectFault(.resultUnknown, path: refundPath)
            let refund = try await client.refund(
                RefundRequest(merchantReference: ref, refundReference: ref + "-R1", amount: SandboxWallet.gcash.refundAmount))
            #expect(refund.status == .succeeded, "\(refund.status)")

            let sent = wire.requests(refundPath)
            try #require(sent.count == 2, "the refund and one identical resend")
            #expect(sent[0].body == sent[1].body, "the resent body is byte-identical")
            for name in freshHeaders(.gcash) {
                #expect(
                    sent[0].headerFields[name] != nil && sent[0].headerFields[name] != sent[1].headerFields[name], "\(name) is fresh on every attempt"
                )
            }
            #expect(sent.allSatisfy { jsonObject($0.body)?["refundRequestId"] as? String == ref + "-R1" }, "never a new refundRequestId")
            #expect(wire.count(SandboxWallet.gcash.payPath) == 1)
            #expect(w.ledger(ref)?.refunded == SandboxWallet.gcash.refundAmount, "refunded once")
            #expect(w.balance == paid + SandboxWallet.gcash.refundAmount.minorUnits)
        }
    }

    /// A pay that cannot connect provably never left: resent identically up to maxAttempts, then
    /// thrown as not charged; the journal knows nothing reached the wallet, and recovery closes it
    /// without a request.
    @Test(arguments: SandboxWallet.allCases)
    func aPayThatCannotConnectIsResentUpToMaxAttemptsThenThrownNotCharged(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let clock = VirtualClock()
            let wire = WireRecorder(base: w.transport)
            var closed = w.profile
            closed.baseURL = "http://127.0.0.1:1"
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let client = fastClient(
                try walletAdapter(wallet, closed, wire, now: { clock.date }), journal: journal, retry: secondsApartRetry, clock: clock)
            let ref = reference("refused")
            let error = await #expect(throws: WalletError.self) { _ = try await client.pay(w.request(ref)) }
            #expect(error?.mayHaveCharged == false)
            #expect(error?.category == .partnerUnavailable)

            let pays = wire.requests(wallet.payPath)
            #expect(pays.count == secondsApartRetry.maxAttempts, "resent up to maxAttempts")
            #expect(wire.all.count == pays.count, "nothing but the pay")
            #expect(Set(pays.map { requestedContent(wallet, $0.body) }).count == 1, "every attempt asks the identical thing")
            if wallet != .paytm { #expect(Set(pays.map(\.body)).count == 1, "byte-identical bodies") }
            #expect(pays.allSatisfy { payReference(wallet, $0.body) == ref }, "never a new reference")
            for name in freshHeaders(wallet) {
                #expect(Set(pays.compactMap { $0.headerFields[name] }).count == pays.count, "\(name) is fresh on every attempt")
            }
            if wallet == .paytm {
                let stamps = pays.compactMap { (jsonObject($0.body)?["head"] as? [String: Any])?["requestTimestamp"] as? String }
                #expect(Set(stamps).count == pays.count, "head.requestTimestamp is fresh on every attempt: \(stamps)")
            }

            let entry = try #require(try await journal.entry(w.entryID(ref)))
            #expect(!entry.mayHaveReachedWallet)
            #expect(entry.attempts == pays.count)
            #expect(!entry.state.isFinal)

            // Recovery closes it without asking anyone.
            let recoveryWire = WireRecorder(base: w.transport)
            let recovering = fastClient(try walletAdapter(wallet, w.profile, recoveryWire), journal: journal)
            let report = try await recovering.recoverPending()
            #expect(report == RecoveryReport(openBefore: 1, reconciled: 1, stillOpen: 0, openReferences: []))
            #expect(recoveryWire.all.isEmpty)
            let closedEntry = try await journal.entry(w.entryID(ref))
            #expect(closedEntry?.state == .failed)
            #expect(closedEntry?.lastError?.mayHaveCharged == false)
            #expect(w.ledger(ref) == nil)
        }
    }

    /// An unsigned 429 with `Retry-After: 1` on an inquiry: the resend waits at least that long
    /// (DANA too: its profile requires signed replies, but an unsigned throttle's hint is kept).
    @Test(arguments: [SandboxWallet.gcash, .paytm, .dana])
    func retryAfterIsHonouredOnAnInquiry(_ wallet: SandboxWallet) async throws {
        try await withWallet(wallet) { w in
            let clock = VirtualClock()
            let wire = WireRecorder(base: w.transport)
            let client = fastClient(try walletAdapter(wallet, w.profile, wire, now: { clock.date }), clock: clock)
            let ref = reference("retry-after")
            _ = try await client.pay(w.request(ref))
            let policyBackoff = RetryPolicy().backoff(afterAttempt: 1, jitter: 0.5)
            #expect(policyBackoff < .seconds(1), "the policy's own backoff is shorter than the wallet's Retry-After")

            let inquiries = wire.count(wallet.inquiryPath)
            let before = clock.elapsed
            w.sandbox.injectFault(.unsignedTooManyRequests(processed: false), path: wallet.inquiryPath)
            let result = try await client.inquire(PaymentQuery(merchantReference: ref))
            let slept = clock.elapsed - before
            #expect(slept >= .seconds(1), "slept \(slept), Retry-After said 1 s")
            #expect(wire.count(wallet.inquiryPath) == inquiries + 2, "the throttled inquiry and its resend")
            #expect(result.status.isSucceeded, "\(result.status)")
            #expect(result.lastError == nil)
        }
    }

    /// GCash answers every inquiry `U`: the inline settling stops at `settleWithin` and reports
    /// the payment unknown with the reason, never resending the pay; recovery finishes later.
    @Test func settlingGivesUpAtItsDeadlineAndReportsUnknownWithTheReason() async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let wire = WireRecorder(base: w.transport)
            let journal: any PaymentJournal = InMemoryPaymentJournal()
            let client = fastClient(
                try walletAdapter(.gcash, w.profile, wire, now: { clock.date }), journal: journal, settleWithin: .seconds(10), clock: clock)
            let ref = reference("deadline")
            w.sandbox.injectFault(.resultUnknown, path: SandboxWallet.gcash.payPath)
            w.sandbox.injectFault(.resultUnknown, path: SandboxWallet.gcash.inquiryPath, count: 500)
            let result = try await client.pay(w.request(ref))
            #expect(result.status.name == "unknown", "\(result.status)")
            let reason = try #require(result.lastError ?? result.status.error)
            #expect(reason.message.contains("ran out"), "\(reason)")
            #expect(clock.elapsed <= .seconds(12), "stopped at the deadline: \(clock.elapsed)")
            #expect(wire.count(SandboxWallet.gcash.payPath) == 1, "a pay in doubt is never resent blindly")
            #expect(wire.count(SandboxWallet.gcash.inquiryPath) >= 2)
            #expect(try await journal.entry(w.entryID(ref))?.state == .unknown)
            #expect(w.ledger(ref)?.state == "succeeded", "the wallet did take it")

            // Once the wallet answers again, recovery settles it (without paying again).
            w.sandbox.clearFaults()
            let report = try await client.recoverPending()
            #expect(report.reconciled == 1 && report.stillOpen == 0)
            #expect(try await journal.entry(w.entryID(ref))?.state == .succeeded)
            #expect(wire.count(SandboxWallet.gcash.payPath) == 1)
        }
    }

    /// A read that keeps failing is resent only until the policy's deadline; the caller gets the
    /// payment's last known state (unknown) with the error.
    @Test func aFailingInquiryIsResentOnlyUntilThePolicyDeadline() async throws {
        try await withWallet(.gcash) { w in
            let clock = VirtualClock()
            let wire = WireRecorder(base: w.transport)
            let policy = RetryPolicy(maxAttempts: 100, initialBackoff: .seconds(1), maxBackoff: .seconds(1), deadline: .seconds(5))
            let client = fastClient(try walletAdapter(.gcash, w.profile, wire, now: { clock.date }), settleWithin: .zero, retry: policy, clock: clock)
            let ref = reference("read-deadline")
            w.sandbox.injectFault(.resultUnknown, path: SandboxWallet.gcash.payPath)
            #expect(try await client.pay(w.request(ref)).status.name == "unknown")

            let start = clock.elapsed
            w.sandbox.injectFault(.httpStatus(503), path: SandboxWallet.gcash.inquiryPath, count: 500)
            let result = try await client.inquire(PaymentQuery(merchantReference: ref))
            w.sandbox.clearFaults()
            #expect(result.status.name == "unknown", "\(result.status)")
            #expect(result.lastError?.message.contains("503") == true, "\(String(describing: result.lastError))")
            let attempts = wire.count(SandboxWallet.gcash.inquiryPath)
            #expect(attempts > 1 && attempts < policy.maxAttempts, "resent until the deadline, not maxAttempts: \(attempts)")
            #expect(clock.elapsed - start < policy.deadline)
        }
    }
}
