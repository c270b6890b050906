import WalletBridgeCore

/// One payment of a hosted ``SandboxWalletEmulation`` as the sandbox's ledger keeps it: what the
/// wallet charged, refunded and cancelled under one merchant reference. The emulation reads and
/// changes it through ``SandboxEmulationLedger``; the sandbox reports it as ground truth
/// (`WalletSandbox.ledgerSnapshot(wallet:)`, `GET /sandbox/ledger`).
public struct SandboxLedgerRecord: Sendable, Equatable {
    /// Where the payment stands.
    public enum State: String, Sendable, Equatable, CaseIterable {
        /// Not decided yet.
        case processing
        /// Paid.
        case succeeded
        /// Refused; nothing charged.
        case failed
        /// Cancelled before it was paid.
        case cancelled
    }

    /// One refund applied to the payment.
    public struct Refund: Sendable, Equatable {
        /// The merchant's refund reference.
        public var reference: String
        /// The wallet's refund reference.
        public var walletReference: String
        /// The amount refunded, in the payment's currency.
        public var amount: Money

        /// Creates a refund.
        public init(reference: String, walletReference: String, amount: Money) {
            self.reference = reference
            self.walletReference = walletReference
            self.amount = amount
        }
    }

    /// The merchant's reference (the ledger's key, with the wallet).
    public let merchantReference: String
    /// The wallet's reference.
    public var walletReference: String
    /// What the merchant charges.
    public var amount: Money
    /// The customer who pays.
    public var customerID: String
    /// Where the payment stands.
    public var state: State
    /// Debits applied: count each one (more than 1 is a double charge, which the sandbox
    /// reports and the contract suite fails).
    public var charges: Int
    /// Cancels applied.
    public var cancels: Int
    /// Refunds applied, oldest first.
    public var refunds: [Refund]
    /// What the paying request said, for the emulation's own idempotency check (a replay with
    /// other content is inconsistent); opaque to the sandbox.
    public var content: String
    /// The wallet's result code for a failed payment, to answer inquiries with.
    public var resultCode: String?

    /// A new payment: nothing charged, refunded or cancelled yet.
    public init(
        merchantReference: String, walletReference: String, amount: Money, customerID: String, content: String = "",
        state: State = .processing, resultCode: String? = nil
    ) {
        self.merchantReference = merchantReference
        self.walletReference = walletReference
        self.amount = amount
        self.customerID = customerID
        self.content = content
        self.state = state
        self.resultCode = resultCode
        charges = 0
        cancels = 0
        refunds = []
    }

    /// Refunded so far.
    public var refunded: Money {
        Money(minorUnits: refunds.reduce(0) { $0 + $1.amount.minorUnits }, currency: amount.currency)
    }
}
