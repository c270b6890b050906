import Foundation

/// A durable record of every payment and refund the client starts, so that a process that dies
/// between sending and reading the answer forgets nothing.
///
/// The client records the **intent** before the first byte is sent (wallet, operation,
/// references, the pinned inputs that shape the body, the amount), then every attempt and every
/// outcome. Outcomes go through ``JournalTransition``: a final state is never overwritten, and a
/// refused transition is recorded as an event. The journal never stores the customer
/// credential, a token or any other secret; recovery inquires, it never pays again.
///
/// ``InMemoryPaymentJournal`` serves one process and tests; `SQLitePaymentJournal`
/// (`WalletBridgeSQLite`, GRDB with WAL and durable commits) is the durable default.
public protocol PaymentJournal: Sendable {
    /// Records `intent` unless an entry with its id exists; returns the entry as stored (the
    /// existing one when there was one, so the caller can compare and resume).
    func begin(_ intent: JournalEntry) async throws -> JournalEntry
    /// Records a new `intent` together with its first attempt, in one durable step (one commit
    /// on the payment's hot path instead of two). When an entry with the id exists, records
    /// nothing and returns it with `inserted == false`.
    func beginFirstAttempt(
        _ intent: JournalEntry, operation: WalletCapabilities.Operation, at: Date
    ) async throws -> (entry: JournalEntry, inserted: Bool)
    /// The entry with `id`, if any.
    func entry(_ id: JournalEntry.ID) async throws -> JournalEntry?
    /// Records that an attempt of `operation` is about to be sent (so a crash during it leaves
    /// the entry marked as possibly reached).
    func recordAttempt(_ id: JournalEntry.ID, operation: WalletCapabilities.Operation, attempt: Int, at: Date) async throws
    /// Applies an outcome through ``JournalTransition`` and returns the entry as it now stands
    /// with the transition's verdict.
    func recordOutcome(_ id: JournalEntry.ID, _ outcome: JournalOutcome, at: Date) async throws -> (JournalEntry, JournalTransition.Verdict)
    /// Every entry that is not final, oldest first (optionally of one wallet).
    func openEntries(wallet: String?) async throws -> [JournalEntry]
    /// Every entry of a wallet (or all), oldest first, for reports and tests.
    func allEntries(wallet: String?) async throws -> [JournalEntry]
    /// The events recorded for an entry, oldest first.
    func events(_ id: JournalEntry.ID) async throws -> [JournalEvent]
    /// Claims a notification's deduplication key; false when it was claimed before.
    func claimNotification(_ key: String, wallet: String, at: Date) async throws -> Bool
    /// Gives a claim back because processing did not finish.
    func releaseNotification(_ key: String, wallet: String) async throws
    /// Deletes final entries (and their events) last updated before `cutoff`, and notification
    /// claims older than it; returns how many entries went.
    func purge(before cutoff: Date) async throws -> Int
    /// Leases open entries to a reconciler (see the default implementation's documentation).
    func leaseOpenEntries(wallet: String?, owner: String, limit: Int, for duration: Duration, at now: Date) async throws -> [JournalLease]
    /// Gives back a reconciler's lease on an entry.
    func releaseLease(_ id: JournalEntry.ID, owner: String) async throws
    /// Whether notification claims are made in the transaction that records their effect.
    var claimsNotificationsWithOutcome: Bool { get }
    /// Whether a notification key is claimed, without claiming it.
    func isNotificationClaimed(_ key: String, wallet: String) async throws -> Bool
    /// Claims a notification key and records its effect on an entry as one change; nil for a redelivery.
    func recordOutcome(
        _ id: JournalEntry.ID, _ outcome: JournalOutcome, claimingNotification key: String, wallet: String, at now: Date
    ) async throws -> (JournalEntry, JournalTransition.Verdict)?
}

/// One open entry a reconciler holds a lease on, from
/// ``PaymentJournal/leaseOpenEntries(wallet:owner:limit:for:at:)``.
public struct JournalLease: Sendable, Equatable {
    /// The entry as it stood when the lease was taken.
    public var entry: JournalEntry
    /// Who holds the lease.
    public var owner: String
    /// When the lease expires (another owner may take the entry over after it); nil for journals
    /// without leases (one process: nothing to contend with).
    public var until: Date?
    /// The owner of an earlier lease on the entry that had expired when this one was taken (an
    /// instance that died or stalled while reconciling it): a takeover. Nil otherwise.
    public var previousOwner: String?

    /// Whether the lease took the entry over from another owner whose lease had expired.
    public var isTakeover: Bool { previousOwner != nil }

    /// Creates a lease.
    public init(entry: JournalEntry, owner: String, until: Date?, previousOwner: String? = nil) {
        self.entry = entry
        self.owner = owner
        self.until = until
        self.previousOwner = previousOwner
    }
}

extension PaymentJournal {
    /// Leases up to `limit` open entries (optionally of one wallet) to `owner` until `at + duration`,
    /// oldest first, so that several processes reconciling one journal never act on the same
    /// payment at once. An entry whose lease has expired is taken over (see
    /// ``JournalLease/previousOwner``); one leased by anyone (the caller included) and not yet
    /// expired is skipped.
    ///
    /// The default, for journals one process owns (``InMemoryPaymentJournal``, the SQLite
    /// journal), has nothing to contend with: it returns every open entry, unleased, whatever
    /// `limit`. A shared journal (the PostgreSQL one) overrides it.
    public func leaseOpenEntries(
        wallet: String?, owner: String, limit: Int, for duration: Duration, at now: Date
    ) async throws -> [JournalLease] {
        try await openEntries(wallet: wallet).map { JournalLease(entry: $0, owner: owner, until: nil) }
    }

    /// Gives back `owner`'s lease on the entry `id` (a lease held by another owner is left
    /// alone). The default does nothing.
    public func releaseLease(_ id: JournalEntry.ID, owner: String) async throws {}

    /// Whether this journal claims a notification's deduplication key in the same transaction
    /// that records the notification's effect
    /// (``recordOutcome(_:_:claimingNotification:wallet:at:)``). When true, ``WalletClient``
    /// only checks the key up front (``isNotificationClaimed(_:wallet:)``) and claims it with the
    /// effect, so a crash between the two can never leave a claim without its effect. The
    /// default is false: the key is claimed up front with ``claimNotification(_:wallet:at:)``
    /// and given back when processing does not finish.
    public var claimsNotificationsWithOutcome: Bool { false }

    /// Whether `key` from `wallet` is claimed (a read that claims nothing). The default answers
    /// false (unknown: the claim made with the effect decides).
    public func isNotificationClaimed(_ key: String, wallet: String) async throws -> Bool { false }

    /// Claims the notification `key` of `wallet` and applies `outcome` to the entry `id` as one
    /// change: when the key was claimed before, nothing is applied and the result is nil (a
    /// redelivery). When the transition is refused (the outcome contradicts a final state), the
    /// refusal is recorded but the key is not kept claimed, so a later delivery is looked at
    /// again.
    ///
    /// The default claims with ``claimNotification(_:wallet:at:)``, then records with
    /// ``recordOutcome(_:_:at:)``, and gives the claim back when recording throws or is refused;
    /// a journal shared by several processes does both in one transaction.
    public func recordOutcome(
        _ id: JournalEntry.ID, _ outcome: JournalOutcome, claimingNotification key: String, wallet: String, at now: Date
    ) async throws -> (JournalEntry, JournalTransition.Verdict)? {
        guard try await claimNotification(key, wallet: wallet, at: now) else { return nil }
        let recorded: (JournalEntry, JournalTransition.Verdict)
        do {
            recorded = try await recordOutcome(id, outcome, at: now)
        } catch {
            try? await releaseNotification(key, wallet: wallet)
            throw error
        }
        if case .refused = recorded.1 { try await releaseNotification(key, wallet: wallet) }
        return recorded
    }

    /// ``begin(_:)`` then ``recordAttempt(_:operation:attempt:at:)``, for journals without a
    /// single-commit form.
    public func beginFirstAttempt(
        _ intent: JournalEntry, operation: WalletCapabilities.Operation, at: Date
    ) async throws -> (entry: JournalEntry, inserted: Bool) {
        if let existing = try await entry(intent.id) { return (existing, false) }
        _ = try await begin(intent)
        try await recordAttempt(intent.id, operation: operation, attempt: 1, at: at)
        return (try await entry(intent.id) ?? intent, true)
    }
}

/// One payment or refund in the journal.
public struct JournalEntry: Sendable, Equatable, Codable {
    /// `wallet/payment/merchantReference` or `wallet/refund/refundReference`.
    public typealias ID = String

    /// Payment or refund.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// A payment, keyed by its merchant reference.
        case payment
        /// A refund, keyed by its refund reference.
        case refund
    }

    /// Where the entry stands (payments use every case; refunds never `cancelled`).
    public enum State: String, Sendable, Equatable, Codable, CaseIterable {
        /// The intent is recorded; no answer yet.
        case created
        /// In progress at the wallet.
        case pending
        /// Might have happened: reconcile.
        case unknown
        /// Final: the money moved.
        case succeeded
        /// Final: no money moved.
        case failed
        /// Final: cancelled before money moved.
        case cancelled

        /// Whether the state can no longer change.
        public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    /// The entry's id.
    public var id: ID
    /// The wallet's name.
    public var wallet: String
    /// Payment or refund.
    public var kind: Kind
    /// The payment's merchant reference.
    public var merchantReference: String
    /// The wallet's payment reference, once known.
    public var walletReference: String?
    /// The refund reference (refunds).
    public var refundReference: String?
    /// The wallet's refund reference, once known (refunds).
    public var walletRefundReference: String?
    /// Amount in minor units.
    public var amountMinorUnits: Int64
    /// ISO 4217 code.
    public var currency: String
    /// Pinned inputs that shape the request body (description, notify and redirect URLs,
    /// validity, refund reason), never secrets.
    public var pinned: PinnedInputs
    /// Where it stands.
    public var state: State
    /// The error of a failed or unknown state, or the last error that left the state unchanged.
    public var lastError: StoredError?
    /// The wallet's raw result code of the last answer.
    public var partnerCode: String?
    /// Attempts started.
    public var attempts: Int
    /// Attempts that provably never reached the wallet (refused connection, DNS).
    public var unsentAttempts: Int
    /// Whether any attempt may have reached the wallet (false: provably nothing was sent, so
    /// recovery can close the entry without asking the wallet).
    public var mayHaveReachedWallet: Bool { attempts > unsentAttempts }
    /// When the intent was recorded.
    public var createdAt: Date
    /// When the entry last changed.
    public var updatedAt: Date

    /// The id of a payment entry.
    public static func paymentID(wallet: String, merchantReference: String) -> ID { "\(wallet)/payment/\(merchantReference)" }
    /// The id of a refund entry.
    public static func refundID(wallet: String, refundReference: String) -> ID { "\(wallet)/refund/\(refundReference)" }

    /// The amount.
    public var amount: Money? {
        guard let currency = try? Currency(code: currency) else { return nil }
        return Money(minorUnits: amountMinorUnits, currency: currency)
    }

    /// Inputs that shape a request body, recorded so a resend is identical. Never secrets.
    public struct PinnedInputs: Sendable, Equatable, Codable {
        /// Order description.
        public var orderDescription: String?
        /// Notify URL.
        public var notifyURL: String?
        /// Redirect URL.
        public var redirectURL: String?
        /// Validity (SNAP `validUpTo`).
        public var validUntil: Date?
        /// Refund reason.
        public var reason: String?

        /// Creates pinned inputs.
        public init(
            orderDescription: String? = nil, notifyURL: String? = nil, redirectURL: String? = nil, validUntil: Date? = nil, reason: String? = nil
        ) {
            self.orderDescription = orderDescription
            self.notifyURL = notifyURL
            self.redirectURL = redirectURL
            self.validUntil = validUntil
            self.reason = reason
        }
    }

    /// Creates an entry.
    public init(
        id: ID, wallet: String, kind: Kind, merchantReference: String, walletReference: String? = nil, refundReference: String? = nil,
        walletRefundReference: String? = nil, amountMinorUnits: Int64, currency: String, pinned: PinnedInputs = PinnedInputs(),
        state: State = .created, lastError: StoredError? = nil, partnerCode: String? = nil,
        attempts: Int = 0, unsentAttempts: Int = 0, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.wallet = wallet
        self.kind = kind
        self.merchantReference = merchantReference
        self.walletReference = walletReference
        self.refundReference = refundReference
        self.walletRefundReference = walletRefundReference
        self.amountMinorUnits = amountMinorUnits
        self.currency = currency
        self.pinned = pinned
        self.state = state
        self.lastError = lastError
        self.partnerCode = partnerCode
        self.attempts = attempts
        self.unsentAttempts = unsentAttempts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The intent of a payment.
    public static func intent(wallet: String, _ request: PaymentRequest, at now: Date) -> JournalEntry {
        JournalEntry(
            id: paymentID(wallet: wallet, merchantReference: request.merchantReference), wallet: wallet, kind: .payment,
            merchantReference: request.merchantReference, amountMinorUnits: request.amount.minorUnits, currency: request.amount.currency.code,
            pinned: PinnedInputs(
                orderDescription: request.orderDescription, notifyURL: request.notifyURL, redirectURL: request.redirectURL,
                validUntil: request.validUntil),
            createdAt: now, updatedAt: now)
    }

    /// The intent of a refund.
    public static func intent(wallet: String, _ request: RefundRequest, at now: Date) -> JournalEntry {
        JournalEntry(
            id: refundID(wallet: wallet, refundReference: request.refundReference), wallet: wallet, kind: .refund,
            merchantReference: request.merchantReference, walletReference: request.walletReference, refundReference: request.refundReference,
            amountMinorUnits: request.amount.minorUnits, currency: request.amount.currency.code, pinned: PinnedInputs(reason: request.reason),
            createdAt: now, updatedAt: now)
    }

    /// Whether `request` is the same payment as this entry (amount, currency and every pinned
    /// input that shapes the body): a resend under the same reference must not change what the
    /// wallet is asked.
    public func matches(_ request: PaymentRequest) -> Bool {
        amountMinorUnits == request.amount.minorUnits && currency == request.amount.currency.code
            && pinned.orderDescription == request.orderDescription && pinned.notifyURL == request.notifyURL
            && pinned.redirectURL == request.redirectURL
            && (request.validUntil == nil || pinned.validUntil == nil || pinned.validUntil == request.validUntil)
    }

    /// Whether `request` is the same refund as this entry.
    public func matches(_ request: RefundRequest) -> Bool {
        ReplyBinding.same(merchantReference, request.merchantReference) && amountMinorUnits == request.amount.minorUnits
            && currency == request.amount.currency.code
    }

    /// The payment as the journal knows it.
    public var paymentResult: PaymentResult {
        let status: PaymentStatus
        switch state {
        case .succeeded: status = .succeeded
        case .cancelled: status = .cancelled
        case .failed: status = .failed(lastError?.walletError ?? WalletError(.declined, "the payment failed", mayHaveCharged: false))
        case .pending: status = .pending(nil)
        case .unknown, .created:
            status = .unknown(
                lastError?.walletError
                    ?? WalletError(
                        .unknownOutcome,
                        mayHaveReachedWallet
                            ? "no verified answer yet; the payment may have been charged: reconcile"
                            : "recorded, not yet sent"))
        }
        var result = PaymentResult(
            status: status, merchantReference: merchantReference, walletReference: walletReference, amount: amount,
            partnerResult: partnerCode.map { PartnerResult(code: $0, status: nil, message: nil) })
        if state == .pending { result.lastError = lastError?.walletError }
        return result
    }

    /// The refund as the journal knows it.
    public var refundResult: RefundResult {
        let status: RefundStatus
        switch state {
        case .succeeded: status = .succeeded
        case .failed, .cancelled: status = .failed(lastError?.walletError ?? WalletError(.declined, "the refund failed", mayHaveCharged: false))
        case .pending: status = .pending
        case .unknown, .created: status = .unknown(lastError?.walletError ?? WalletError(.unknownOutcome, "no verified answer yet: reconcile"))
        }
        return RefundResult(
            status: status, refundReference: refundReference ?? "", walletRefundReference: walletRefundReference,
            merchantReference: merchantReference, amount: amount,
            partnerResult: partnerCode.map { PartnerResult(code: $0, status: nil, message: nil) })
    }
}

/// A ``WalletError`` as the journal stores it (no secrets: errors never carry any).
public struct StoredError: Sendable, Equatable, Codable {
    /// Category.
    public var category: WalletError.Category
    /// Message.
    public var message: String
    /// Partner code.
    public var partnerCode: String?
    /// Partner message.
    public var partnerMessage: String?
    /// Whether the customer may have been charged.
    public var mayHaveCharged: Bool

    /// Stores `error`.
    public init(_ error: WalletError) {
        category = error.category
        message = error.message
        partnerCode = error.partnerCode
        partnerMessage = error.partnerMessage
        mayHaveCharged = error.mayHaveCharged
    }

    /// The error again.
    public var walletError: WalletError {
        WalletError(category, message, partnerCode: partnerCode, partnerMessage: partnerMessage, mayHaveCharged: mayHaveCharged)
    }
}

/// One thing that happened to a journal entry.
public struct JournalEvent: Sendable, Equatable, Codable {
    /// When.
    public var at: Date
    /// `intent`, `attempt`, `outcome`, `kept`, `refused`, `not-sent`.
    public var kind: String
    /// The operation it concerns.
    public var operation: String
    /// A line for people: the state, code and reason.
    public var detail: String

    /// Creates an event.
    public init(at: Date, kind: String, operation: String, detail: String) {
        self.at = at
        self.kind = kind
        self.operation = operation
        self.detail = detail
    }
}

/// What one answer (or failure) says, as the journal applies it.
public struct JournalOutcome: Sendable, Equatable {
    /// The operation that produced it.
    public var operation: WalletCapabilities.Operation
    /// The state the answer reports; nil when the call failed without a status (an error on an
    /// inquiry, which says nothing about the payment).
    public var state: JournalEntry.State?
    /// The error carried by the answer, or the call's error.
    public var error: WalletError?
    /// The wallet's payment reference, when the answer names one.
    public var walletReference: String?
    /// The wallet's refund reference, when the answer names one.
    public var walletRefundReference: String?
    /// The wallet's raw code.
    public var partnerCode: String?
    /// Whether the attempt provably never reached the wallet.
    public var notSent: Bool
    /// Apply only if, when applied, no attempt may have reached the wallet and the entry is
    /// still `created` (recovery closing an entry nothing ever left for): checked inside the
    /// journal's own transaction, so a resend in the meantime is never closed as failed.
    public var onlyIfNeverSent: Bool = false

    /// Creates an outcome.
    public init(
        operation: WalletCapabilities.Operation, state: JournalEntry.State?, error: WalletError? = nil, walletReference: String? = nil,
        walletRefundReference: String? = nil, partnerCode: String? = nil, notSent: Bool = false
    ) {
        self.operation = operation
        self.state = state
        self.error = error
        self.walletReference = walletReference
        self.walletRefundReference = walletRefundReference
        self.partnerCode = partnerCode
        self.notSent = notSent
    }

    /// The outcome a payment result reports.
    public init(_ operation: WalletCapabilities.Operation, _ result: PaymentResult) {
        let state: JournalEntry.State
        switch result.status {
        case .succeeded: state = .succeeded
        case .failed: state = .failed
        case .cancelled: state = .cancelled
        case .pending: state = .pending
        case .unknown: state = .unknown
        }
        self.init(
            operation: operation, state: state, error: result.status.error ?? result.lastError, walletReference: result.walletReference,
            partnerCode: result.partnerResult?.code)
    }

    /// The outcome a refund result reports.
    public init(_ operation: WalletCapabilities.Operation, _ result: RefundResult) {
        let state: JournalEntry.State
        switch result.status {
        case .succeeded: state = .succeeded
        case .failed: state = .failed
        case .pending: state = .pending
        case .unknown: state = .unknown
        }
        self.init(
            operation: operation, state: state, error: result.status.error, walletRefundReference: result.walletRefundReference,
            partnerCode: result.partnerResult?.code)
    }

    /// A call that threw: with `mayHaveCharged == false` from a mutating call, provably not sent.
    public static func threw(_ operation: WalletCapabilities.Operation, _ error: WalletError) -> JournalOutcome {
        JournalOutcome(operation: operation, state: nil, error: error, partnerCode: error.partnerCode, notSent: !error.mayHaveCharged)
    }
}

/// The journal's state machine: what an outcome may do to an entry. Pure, shared by every
/// journal implementation.
public enum JournalTransition {
    /// What happened to the entry.
    public enum Verdict: Sendable, Equatable {
        /// The outcome changed the state.
        case applied
        /// The outcome did not change the state (same state, a late pending, an error that says
        /// nothing about the payment), but its details were kept.
        case kept
        /// The outcome contradicts a final state and was refused (and recorded as an event).
        case refused(String)
    }

    /// Applies `outcome` to `entry`.
    public static func apply(_ outcome: JournalOutcome, to entry: JournalEntry, at now: Date) -> (JournalEntry, Verdict) {
        var next = entry
        next.updatedAt = now
        if let reference = outcome.walletReference, next.walletReference == nil { next.walletReference = reference }
        if let reference = outcome.walletRefundReference, next.walletRefundReference == nil { next.walletRefundReference = reference }
        if outcome.onlyIfNeverSent, entry.mayHaveReachedWallet || entry.state != .created {
            return (entry, .kept)
        }
        guard let incoming = outcome.state else {
            // A call that failed says nothing about the payment: keep the state, note the error
            // (never over the reason of a final state).
            if let error = outcome.error, !entry.state.isFinal { next.lastError = StoredError(error) }
            if outcome.notSent, outcome.operation == .pay || outcome.operation == .refund, next.unsentAttempts < next.attempts {
                next.unsentAttempts += 1
            }
            return (next, .kept)
        }
        if entry.state.isFinal {
            // The same final state again, or a late pending or unknown: nothing changes.
            if incoming == entry.state || !incoming.isFinal { return (entry, .kept) }
            return (
                entry, .refused("the entry is \(entry.state.rawValue), a final state; \(outcome.operation.rawValue) reported \(incoming.rawValue)")
            )
        }
        switch incoming {
        case .succeeded, .failed, .cancelled:
            next.state = incoming
            next.lastError = outcome.error.map(StoredError.init)
            next.partnerCode = outcome.partnerCode ?? next.partnerCode
            return (next, .applied)
        case .pending:
            next.state = .pending
            next.lastError = outcome.error.map(StoredError.init)
            next.partnerCode = outcome.partnerCode ?? next.partnerCode
            return (next, entry.state == .pending ? .kept : .applied)
        case .unknown:
            if entry.state == .pending {
                // Still pending as far as anyone has proven; keep the error beside it.
                next.lastError = outcome.error.map(StoredError.init)
                return (next, .kept)
            }
            next.state = .unknown
            next.lastError = outcome.error.map(StoredError.init)
            next.partnerCode = outcome.partnerCode ?? next.partnerCode
            return (next, entry.state == .unknown ? .kept : .applied)
        case .created:
            return (next, .kept)
        }
    }
}
