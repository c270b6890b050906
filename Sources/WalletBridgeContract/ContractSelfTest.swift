import Foundation
import Logging
import WalletBridgeCore

/// The harness tested on itself: deliberately broken adapters, each wrapping a correct one
/// with one flaw, run through the suite. Each must be caught by at least one scenario; a
/// harness that lets one through has failed.
public enum ContractSelfTest {
    /// One deliberate flaw.
    public enum Flaw: String, Sendable, CaseIterable {
        /// Takes a reply whose signature did not verify for a success.
        case skipsSignatureVerification = "skips-signature-verification"
        /// Takes a verified reply bound to another reference or amount for a success.
        case acceptsForeignReply = "accepts-reply-bound-elsewhere"
        /// Reports a pay whose outcome is open (timeout, 5xx) as failed.
        case timeoutAsFailure = "reports-timeout-as-failure"
        /// Sends a pay in doubt again under a new reference.
        case resendsUnderNewReference = "resends-under-new-reference"
        /// Rounds the amount through floating point.
        case floatingPointMoney = "rounds-money-through-float"
        /// Maps insufficient funds to a generic decline.
        case insufficientFundsAsDecline = "insufficient-funds-as-decline"
        /// Treats an inquiry's refusal as the payment's failure.
        case inquiryRefusalAsFailure = "inquiry-refusal-as-payment-failure"
        /// Verifies a notification after re-serialising its JSON.
        case reserialisesNotification = "verifies-reserialised-notification"
        /// Does not check a notification's signed time, so a replayed (stale) one verifies.
        /// The harness builds it from the profile without `notificationClockToleranceSeconds`.
        case acceptsStaleNotification = "accepts-a-stale-notification"
        /// Logs the merchant's secret.
        case logsSecret = "logs-a-secret"
    }

    /// Wraps `adapter` with `flaw`; `secret` is what ``Flaw/logsSecret`` logs.
    public static func broken(_ adapter: any WalletAdapter, flaw: Flaw, logger: Logger, secret: String) -> any WalletAdapter {
        BrokenAdapter(base: adapter, flaw: flaw, logger: logger, secret: secret)
    }

    /// What a self-test found for one flaw: the scenarios that caught it (none: let through).
    public struct Finding: Sendable, Equatable {
        /// The flaw.
        public var flaw: Flaw
        /// The scenario ids that failed against it.
        public var caughtBy: [String]
    }
}

/// A correct adapter with one flaw.
struct BrokenAdapter: WalletAdapter {
    let base: any WalletAdapter
    let flaw: ContractSelfTest.Flaw
    let logger: Logger
    let secret: String

    var walletName: String { base.walletName }
    var capabilities: WalletCapabilities { base.capabilities }
    var reconciliationRule: ReconciliationRule { base.reconciliationRule }
    func pinned(_ request: PaymentRequest) -> PaymentRequest { base.pinned(request) }

    func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult {
        var request = request
        switch flaw {
        case .floatingPointMoney:
            // The classic: minor units through a Double, truncated.
            let scale = pow(10, Double(request.amount.currency.minorUnitExponent))
            let major = Double(request.amount.minorUnits) / scale
            request.amount = Money(minorUnits: Int64(major * scale), currency: request.amount.currency)
        case .logsSecret:
            logger.info("paying with merchant key \(secret)")
        default:
            break
        }
        var result = try await base.pay(request)
        switch (flaw, result.status) {
        case (.timeoutAsFailure, .unknown(let error)):
            result.status = .failed(WalletError(error.category, error.message, mayHaveCharged: false))
        case (.resendsUnderNewReference, .unknown):
            var again = request
            again.merchantReference = request.merchantReference + "-2"
            var second = try await base.pay(again)
            second.merchantReference = request.merchantReference
            result = second
        default:
            result = mistreat(result)
        }
        return result
    }

    func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        do throws(WalletError) {
            return mistreat(try await base.inquire(query))
        } catch {
            guard flaw == .inquiryRefusalAsFailure else { throw error }
            return PaymentResult(
                status: .failed(error), merchantReference: query.merchantReference, walletReference: query.walletReference,
                amount: query.expectedAmount)
        }
    }

    func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult { mistreat(try await base.cancel(query)) }
    func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult { try await base.refund(request) }
    func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult { try await base.inquireRefund(query) }

    func verifyNotification(_ notification: InboundNotification) throws(WalletError) -> VerifiedNotification {
        guard flaw == .reserialisesNotification,
            let object = try? JSONSerialization.jsonObject(with: Data(notification.body)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
        else {
            return try base.verifyNotification(notification)
        }
        var copy = notification
        copy.body = Array(data)
        return try base.verifyNotification(copy)
    }

    /// The flaws that misread a result.
    private func mistreat(_ result: PaymentResult) -> PaymentResult {
        var result = result
        switch (flaw, result.status) {
        case (.skipsSignatureVerification, .unknown(let error)) where error.message.lowercased().contains("signature"):
            result.status = .succeeded
        case (.acceptsForeignReply, .unknown(let error))
        where error.category == .invalidPartnerResponse && !error.message.lowercased().contains("signature"):
            result.status = .succeeded
        case (.insufficientFundsAsDecline, .failed(let error)) where error.category == .insufficientFunds:
            result.status = .failed(WalletError(.declined, error.message, partnerCode: error.partnerCode, mayHaveCharged: false))
        default:
            break
        }
        return result
    }
}
