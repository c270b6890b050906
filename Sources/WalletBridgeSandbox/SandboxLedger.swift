import Foundation

/// A payment the sandbox wallet knows about.
struct LedgerPayment: Codable, Sendable, Equatable {
    enum State: String, Codable, Sendable { case processing, succeeded, failed, cancelled }

    var wallet: String
    var merchantReference: String
    var walletReference: String
    /// The request's business content; a replay with other content is inconsistent.
    var fingerprint: String
    var customerID: String
    var amountMinor: Int64
    var currency: String
    var customerAmountMinor: Int64
    var customerCurrency: String
    var quotePair: String?
    var quoteRate: String?
    var quoteID: String?
    var state: State
    var failureCode: String?
    var failureMessage: String?
    var inquiriesLeft: Int
    var createdAt: String
    var completedAt: String?
    var notifyURL: String?
    var refundedMinor: Int64
    /// Paytm's `txnToken` for the checkout (nil for other wallets).
    var token: String?
    /// Debits applied for this payment (ground truth: more than 1 is a double charge). Nil in
    /// state files written before it was counted.
    var charges: Int?
    /// Cancels applied to this payment.
    var cancels: Int?
}

/// A refund the sandbox wallet knows about.
struct LedgerRefund: Codable, Sendable, Equatable {
    var wallet: String
    var refundReference: String
    var walletRefundReference: String
    var paymentWalletReference: String
    var merchantReference: String
    var amountMinor: Int64
    var currency: String
    var fingerprint: String
    var createdAt: String
    /// Paytm refunds start `pending` and settle on the next status query; nil is settled.
    var pending: Bool?
}

/// Everything the sandbox remembers, as saved in its state file.
struct LedgerState: Codable, Sendable, Equatable {
    var payments: [String: LedgerPayment] = [:]
    var refunds: [String: LedgerRefund] = [:]
    /// Customer id → balance in minor units of the customer's currency.
    var balances: [String: Int64] = [:]
    var sequence: Int = 0
    /// Notifications already started (`wallet|type|reference`), so each is sent once.
    var notified: Set<String> = []
    /// The DANA-style wallet's authorization codes and bindings (see `DANAAuthorizations.swift`).
    var danaAuthorizations: DANAAuthorizationBook?
    /// The Alipay+ wallets' customer authorizations (consent sessions, codes, bindings); absent
    /// in state files written before they existed.
    var alipayAuthorizations: SandboxAuthorizations.State?
    /// The Paytm-style wallet's OTPs and Auto Debit bindings (see `PaytmAuthorizations.swift`);
    /// absent in state files written before they existed.
    var paytmAuthorizations: PaytmAuthorizationBook?

    static func key(_ wallet: String, _ reference: String) -> String { "\(wallet)|\(reference)" }

    func payment(_ wallet: String, merchantReference: String) -> LedgerPayment? {
        payments[LedgerState.key(wallet, merchantReference)]
    }

    func payment(_ wallet: String, walletReference: String) -> LedgerPayment? {
        payments.values.first { $0.wallet == wallet && $0.walletReference == walletReference }
    }

    func balance(of customer: SandboxCustomer) -> Int64 { balances[customer.id] ?? customer.openingBalance }

    /// The most recently created payment of `wallet` that `isOther` accepts (references are
    /// issued in sequence, so the longest, then greatest, is the newest).
    func mostRecentPayment(_ wallet: String, where isOther: (LedgerPayment) -> Bool) -> LedgerPayment? {
        payments.values.filter { $0.wallet == wallet && isOther($0) }
            .max { ($0.walletReference.count, $0.walletReference) < ($1.walletReference.count, $1.walletReference) }
    }

    /// Takes the payment's customer amount from the customer's balance and counts the charge;
    /// false, and nothing taken, when the balance is short.
    mutating func charge(_ payment: inout LedgerPayment, customer: SandboxCustomer) -> Bool {
        let balance = balance(of: customer)
        guard payment.customerAmountMinor <= balance else { return false }
        balances[customer.id] = balance - payment.customerAmountMinor
        payment.charges = (payment.charges ?? 0) + 1
        return true
    }

    mutating func nextReference(prefix: String, date: Date) -> String {
        sequence += 1
        let day = Int(date.timeIntervalSince1970 / 86_400)
        let number = String(sequence)
        return "\(prefix)\(day)\(String(repeating: "0", count: max(0, 8 - number.count)))\(number)"
    }
}

/// The sandbox's ledger: one lock around the state, saved to the state file after every
/// change (write to a temporary file, then rename), so a crash never leaves half a ledger
/// and a later CLI run sees the same payments.
final class SandboxLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var state: LedgerState
    private let stateFile: String?

    init(stateFile: String?) throws {
        self.stateFile = stateFile
        if let stateFile, let data = FileManager.default.contents(atPath: stateFile), !data.isEmpty {
            do {
                state = try JSONDecoder().decode(LedgerState.self, from: data)
            } catch {
                throw SandboxError("the sandbox state file \(stateFile) is not readable (\(error)); move it away to start afresh")
            }
        } else {
            state = LedgerState()
        }
    }

    /// Reads the state.
    func read<T>(_ body: (LedgerState) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(state)
    }

    /// Changes the state and saves it; a failed save rolls the change back. Without a state
    /// file the change is made in place (no copy, no comparison).
    func change<T>(_ body: (inout LedgerState) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard stateFile != nil else { return try body(&state) }
        var copy = state
        let result = try body(&copy)
        if copy != state {
            try save(copy)
            state = copy
        }
        return result
    }

    private func save(_ state: LedgerState) throws {
        guard let stateFile else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = URL(fileURLWithPath: stateFile)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(state).write(to: url, options: .atomic)
        // It holds the sandbox's issued (test-only) tokens: readable by its owner only.
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: stateFile)
    }
}

/// A sandbox set-up or runtime failure.
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
