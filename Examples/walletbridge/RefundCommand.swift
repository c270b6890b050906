import ArgumentParser
import Foundation
import WalletBridgeCore

/// `walletbridge refund`: refunds part or all of a succeeded payment.
struct RefundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refund", abstract: "Refund part or all of a succeeded payment.")

    @OptionGroup var options: WalletOptions

    @Option(help: "The payment's merchant reference.")
    var merchantReference: String

    @Option(parsing: .unconditional, help: "Amount to refund in major units (positive).")
    var amount: String

    @Option(help: "ISO 4217 currency (the payment's).")
    var currency: String

    @Option(help: "Refund reference (idempotency key); generated when omitted.")
    var refundReference: String?

    @Option(help: "Reason shown to the customer.")
    var reason: String?

    @Flag(help: "Return the first answer instead of querying a pending refund until it is final.")
    var noWait = false

    @Option(help: "Seconds to wait for a final refund status.")
    var timeout: Int = 30

    func run() async throws {
        let money = try WalletOptions.money(amount, currency)
        let refundReference = self.refundReference ?? merchantReference + "-R" + String(PayCommand.newReference().suffix(6))
        let session = try await WalletSession.open(options)
        let output: JSONOutput
        do throws(WalletError) {
            let request = RefundRequest(merchantReference: merchantReference, refundReference: refundReference, amount: money, reason: reason)
            var result = try await session.client.refund(request, correlationID: session.correlationID)
            let deadline = ContinuousClock.now + .seconds(timeout)
            let canQuery = session.client.adapter.capabilities.supports(.inquireRefund)
            while !noWait, canQuery, RefundCommand.isOpen(result.status), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(300))
                let query = RefundQuery(
                    refundReference: refundReference, walletRefundReference: result.walletRefundReference, merchantReference: merchantReference,
                    expectedAmount: money)
                let next = try await session.client.inquireRefund(query, correlationID: session.correlationID)
                result = RefundResult(
                    status: next.status, refundReference: next.refundReference,
                    walletRefundReference: next.walletRefundReference ?? result.walletRefundReference,
                    merchantReference: merchantReference, amount: next.amount ?? result.amount, partnerResult: next.partnerResult)
            }
            output = ResultOutput.refund(result)
        } catch {
            output = await ResultOutput.refund(
                after: error, client: session.client, refundReference: refundReference, merchantReference: merchantReference, amount: money)
        }
        await session.close()
        try ResultOutput.finish(output, json: options.json)
    }

    /// Pending or unknown: the refund's fate is still open.
    static func isOpen(_ status: RefundStatus) -> Bool {
        switch status {
        case .pending, .unknown: return true
        case .succeeded, .failed: return false
        }
    }
}
