import Foundation
import WalletBridgeCore

/// A hosted emulation's view of the sandbox's ledger: its own payments, by merchant reference,
/// kept with the built-in wallets' (and saved in the state file when the sandbox has one).
public struct SandboxEmulationLedger: Sendable {
    /// The emulation's wallet name: the only wallet this view reads or changes.
    public let wallet: String
    private let ledger: SandboxLedger
    private let clock: @Sendable () -> Date

    init(wallet: String, ledger: SandboxLedger, clock: @escaping @Sendable () -> Date) {
        self.wallet = wallet
        self.ledger = ledger
        self.clock = clock
    }

    /// The payment `merchantReference`, if the ledger has it.
    public func payment(_ merchantReference: String) -> SandboxLedgerRecord? {
        ledger.read { state in state.payment(wallet, merchantReference: merchantReference).flatMap { Self.record($0, in: state) } }
    }

    /// The payment whose wallet reference is `walletReference`, if the ledger has it.
    public func payment(walletReference: String) -> SandboxLedgerRecord? {
        ledger.read { state in state.payment(wallet, walletReference: walletReference).flatMap { Self.record($0, in: state) } }
    }

    /// Reads and changes the payment `merchantReference` in one step, under the ledger's lock,
    /// so that two concurrent requests for it never both charge: `body` gets the payment (nil
    /// when the ledger has none), may create, change or remove it, and what it leaves is
    /// saved. Do not call the ledger again from inside `body`.
    /// - Throws: what `body` throws (nothing changes then), or the error writing the state file
    ///   (the change is rolled back).
    public func update<T>(_ merchantReference: String, _ body: (inout SandboxLedgerRecord?) throws -> T) throws -> T {
        let now = TimestampText.iso8601(clock(), offsetHours: 0)
        return try ledger.change { state in
            let existing = state.payment(wallet, merchantReference: merchantReference)
            let before = existing.flatMap { Self.record($0, in: state) }
            var record = before
            let result = try body(&record)
            guard record != before else { return result }
            let key = LedgerState.key(wallet, merchantReference)
            let oldRefunds = state.refunds.filter { $0.value.wallet == wallet && $0.value.merchantReference == merchantReference }
            for refundKey in oldRefunds.keys { state.refunds.removeValue(forKey: refundKey) }
            guard let record else {
                state.payments.removeValue(forKey: key)
                return result
            }
            let amount = record.amount
            state.payments[key] = LedgerPayment(
                wallet: wallet, merchantReference: merchantReference, walletReference: record.walletReference, fingerprint: record.content,
                customerID: record.customerID, amountMinor: amount.minorUnits, currency: amount.currency.code,
                customerAmountMinor: amount.minorUnits, customerCurrency: amount.currency.code, quotePair: nil, quoteRate: nil, quoteID: nil,
                state: LedgerPayment.State(rawValue: record.state.rawValue) ?? .processing, failureCode: record.resultCode, failureMessage: nil,
                inquiriesLeft: 0, createdAt: existing?.createdAt ?? now,
                completedAt: record.state == .processing ? nil : (existing?.completedAt ?? now),
                notifyURL: nil, refundedMinor: record.refunded.minorUnits, token: nil, charges: record.charges, cancels: record.cancels)
            for refund in record.refunds {
                let refundKey = LedgerState.key(wallet, refund.reference)
                state.refunds[refundKey] = LedgerRefund(
                    wallet: wallet, refundReference: refund.reference, walletRefundReference: refund.walletReference,
                    paymentWalletReference: record.walletReference, merchantReference: merchantReference,
                    amountMinor: refund.amount.minorUnits, currency: refund.amount.currency.code, fingerprint: "",
                    createdAt: oldRefunds[refundKey]?.createdAt ?? now)
            }
            return result
        }
    }

    /// A new wallet reference, `prefix` followed by the day and the sandbox's sequence number:
    /// unique in the sandbox, and ordered as the ledger lists payments.
    public func nextReference(prefix: String) throws -> String {
        let now = clock()
        return try ledger.change { $0.nextReference(prefix: prefix, date: now) }
    }

    /// The record of a ledger payment (its refunds in the order they were made).
    private static func record(_ payment: LedgerPayment, in state: LedgerState) -> SandboxLedgerRecord? {
        guard let currency = try? Currency(code: payment.currency) else { return nil }
        var record = SandboxLedgerRecord(
            merchantReference: payment.merchantReference, walletReference: payment.walletReference,
            amount: Money(minorUnits: payment.amountMinor, currency: currency), customerID: payment.customerID, content: payment.fingerprint,
            state: SandboxLedgerRecord.State(rawValue: payment.state.rawValue) ?? .processing, resultCode: payment.failureCode)
        record.charges = payment.charges ?? 0
        record.cancels = payment.cancels ?? 0
        record.refunds = state.refunds.values
            .filter { $0.wallet == payment.wallet && $0.merchantReference == payment.merchantReference }
            .sorted { ($0.createdAt, $0.refundReference) < ($1.createdAt, $1.refundReference) }
            .compactMap { refund in
                (try? Currency(code: refund.currency)).map {
                    SandboxLedgerRecord.Refund(
                        reference: refund.refundReference, walletReference: refund.walletRefundReference,
                        amount: Money(minorUnits: refund.amountMinor, currency: $0))
                }
            }
        return record
    }
}
