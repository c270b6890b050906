import Foundation
import Logging
import Testing
import WalletBridgeCore

/// ``ReconciliationMiddleware`` driven by a scripted chain (no network): what it does with the
/// answers its own calls get.
@Suite struct ReconciliationMiddlewareTests {
    /// Answers each call with the next scripted result, and records the operations.
    final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [PaymentStatus]
        private(set) var calls: [String] = []
        init(_ answers: [PaymentStatus]) { self.answers = answers }
        func next(_ operation: WalletOperation) -> PaymentResult {
            lock.withLock {
                calls.append(operation.kind.rawValue)
                let status = answers.isEmpty ? .unknown(WalletError(.timeout, "script ran out")) : answers.removeFirst()
                return PaymentResult(status: status, merchantReference: "R-1", amount: Money(minorUnits: 1000, currency: .inr))
            }
        }
    }

    @Test func aResentPayThatAsksTheCustomerToActIsReturnedToTheCaller() async throws {
        let notFound = WalletError(.notFound, "Invalid Order Id.", partnerCode: "334", mayHaveCharged: false)
        // pay: unknown; inquiry: never arrived; the resent pay: a checkout token.
        let script = Script([.unknown(WalletError(.unknownOutcome, "HTTP 503")), .unknown(notFound), .pending(.token("TXN-TOKEN"))])
        // Compressed time (each 1 s wait lasts 1 ms) under a window no machine's load can exhaust.
        let window = Duration.seconds(1_000_000_000)
        let middleware = ReconciliationMiddleware(
            rule: .queryUntilExpiry(validity: window, initial: .seconds(1), cap: .seconds(30)),
            settleWithin: window, clock: PolicyClock(timeScale: 1_000))
        let context = WalletOperationContext(
            wallet: "paytm", capabilities: WalletCapabilities(operations: [.pay, .inquire], walletCurrency: .inr, currencies: [.inr]),
            correlationID: "c", logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let request = PaymentRequest(
            merchantReference: "R-1", amount: Money(minorUnits: 1000, currency: .inr), customer: CustomerCredential("paytm-pays"),
            orderDescription: "t")
        let outcome = try await middleware.intercept(.pay(request), context: context) { operation, _ in .payment(script.next(operation)) }
        // Without it the token would be lost under further inquiries, and the customer could never pay.
        #expect(outcome.payment?.status == .pending(.token("TXN-TOKEN")))
        #expect(script.calls == ["pay", "inquire", "pay"])
    }
}
