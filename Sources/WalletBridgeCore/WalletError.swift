import WalletBridgeHTTP

/// The one error taxonomy every partner's result codes map into.
///
/// Each error keeps the partner's own code and message next to the category, and answers the
/// two questions a caller acts on: may I retry (``isRetryable``), and could the customer have
/// been charged (``mayHaveCharged``, in which case the payment must be reconciled by inquiry,
/// never treated as failed).
public struct WalletError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, independent of the partner.
    public enum Category: String, Sendable, Equatable, CaseIterable, Codable {
        /// The request is malformed or breaks a rule (missing field, bad amount, unsupported currency).
        case invalidRequest
        /// The partner rejected our credentials or our signature.
        case authenticationFailed
        /// The customer's balance does not cover the amount.
        case insufficientFunds
        /// The customer or the wallet's risk checks declined the payment.
        case declined
        /// An amount, frequency or account limit was exceeded.
        case limitExceeded
        /// The same reference was already used for a finished operation.
        case duplicate
        /// The same reference was reused with different content (the original stands).
        case inconsistentRequest
        /// The payment or refund does not exist (yet).
        case notFound
        /// The partner throttled us; see ``WalletError/retryAfter``.
        case rateLimited
        /// The partner could not be reached or reported an outage.
        case partnerUnavailable
        /// No response arrived in time.
        case timeout
        /// The partner may or may not have acted; reconcile by inquiry.
        case unknownOutcome
        /// The partner's reply was unsigned, wrongly signed, malformed, inconsistent or not
        /// bound to the request (see ``ReplyBinding``).
        case invalidPartnerResponse
        /// The payment journal could not record an intent or an outcome (storage, not the wallet).
        case journalUnavailable
    }

    /// The fields, in one shared immutable box: an error is carried inside every payment
    /// result and status, and copied through every middleware's async frame, so it is one
    /// reference wide rather than seven fields (it made a `PaymentResult` 656 bytes).
    private final class Storage: Sendable {
        let category: Category
        let message: String
        let partnerCode: String?
        let partnerMessage: String?
        let retryAfter: Duration?
        let mayHaveCharged: Bool
        let diagnosis: Diagnosis?
        let authorization: AuthorizationProblem?

        init(
            category: Category, message: String, partnerCode: String?, partnerMessage: String?, retryAfter: Duration?, mayHaveCharged: Bool,
            diagnosis: Diagnosis?, authorization: AuthorizationProblem?
        ) {
            self.category = category
            self.message = message
            self.partnerCode = partnerCode
            self.partnerMessage = partnerMessage
            self.retryAfter = retryAfter
            self.mayHaveCharged = mayHaveCharged
            self.diagnosis = diagnosis
            self.authorization = authorization
        }
    }

    private var storage: Storage

    /// What went wrong.
    public var category: Category { storage.category }
    /// Our explanation, free of secrets.
    public var message: String { storage.message }
    /// The partner's result code (`USER_BALANCE_NOT_ENOUGH`, `4035414`...), when it gave one.
    public var partnerCode: String? { storage.partnerCode }
    /// The partner's message, when it gave one.
    public var partnerMessage: String? { storage.partnerMessage }
    /// How long the partner asked us to wait, for ``Category/rateLimited``.
    public var retryAfter: Duration? { storage.retryAfter }
    /// Whether the customer could have been charged despite this error.
    public var mayHaveCharged: Bool { storage.mayHaveCharged }
    /// What the error says about its own cause (``Diagnosis/Kind/configuration``: our profile
    /// is wrong, stop waiting), when the adapter recognised it; nil otherwise.
    public var diagnosis: Diagnosis? { storage.diagnosis }
    /// Why a customer authorization no longer works (expired, revoked, a bad authorization
    /// code), when that is the cause: ask the customer to bind again (or refresh) rather than
    /// retry. Nil for every other error. Set with ``with(authorization:)``.
    public internal(set) var authorization: AuthorizationProblem? {
        get { storage.authorization }
        set {
            storage = Storage(
                category: category, message: message, partnerCode: partnerCode, partnerMessage: partnerMessage, retryAfter: retryAfter,
                mayHaveCharged: mayHaveCharged, diagnosis: diagnosis, authorization: newValue)
        }
    }

    /// Whether two errors say the same: every field equal.
    public static func == (lhs: WalletError, rhs: WalletError) -> Bool {
        if lhs.storage === rhs.storage { return true }
        return lhs.category == rhs.category && lhs.message == rhs.message && lhs.partnerCode == rhs.partnerCode
            && lhs.partnerMessage == rhs.partnerMessage && lhs.retryAfter == rhs.retryAfter && lhs.mayHaveCharged == rhs.mayHaveCharged
            && lhs.diagnosis == rhs.diagnosis && lhs.authorization == rhs.authorization
    }

    /// Creates an error; `mayHaveCharged` defaults to what the category implies.
    public init(
        _ category: Category,
        _ message: String,
        partnerCode: String? = nil,
        partnerMessage: String? = nil,
        retryAfter: Duration? = nil,
        mayHaveCharged: Bool? = nil,
        diagnosis: Diagnosis? = nil
    ) {
        storage = Storage(
            category: category, message: message, partnerCode: partnerCode, partnerMessage: partnerMessage, retryAfter: retryAfter,
            mayHaveCharged: mayHaveCharged ?? WalletError.chargeMayHaveHappened(category), diagnosis: diagnosis, authorization: nil)
    }

    /// Whether sending the same request again, under the same merchant reference and with the
    /// identical body, is appropriate (after ``retryAfter`` when given). Never when the
    /// ``diagnosis`` says waiting cannot help (our own configuration is wrong).
    public var isRetryable: Bool {
        if diagnosis?.stopsWaiting == true || authorization != nil { return false }
        switch category {
        case .rateLimited, .partnerUnavailable, .timeout, .unknownOutcome, .invalidPartnerResponse: return true
        default: return false
        }
    }

    private static func chargeMayHaveHappened(_ category: Category) -> Bool {
        switch category {
        case .timeout, .unknownOutcome, .invalidPartnerResponse, .inconsistentRequest, .duplicate: return true
        default: return false
        }
    }

    public var description: String {
        var text = "\(category.rawValue): \(message)"
        if let partnerCode { text += " [partner code \(partnerCode)" + (partnerMessage.map { ": \($0)" } ?? "") + "]" }
        return text
    }

    /// Maps a transport failure: a request that provably never left is `partnerUnavailable`
    /// (safe to resend); one that may have arrived is a `timeout` or `unknownOutcome`, whatever
    /// the kind of failure (TLS included).
    public static func transport(_ error: TransportError) -> WalletError {
        switch (error.kind, error.mayHaveReachedServer) {
        case (.timeout, true):
            return WalletError(.timeout, "no response in time; the request may have been processed: \(error.message)")
        case (.tls, true):
            // A TLS failure after the request was written (an alert on the first read): the
            // server's TLS layer most likely dropped it, but that is not proven.
            return WalletError(.unknownOutcome, "the TLS session failed after the request was written (\(error.kind.rawValue)): \(error.message)")
        case (.timeout, false), (.couldNotConnect, _), (.tls, false):
            return WalletError(.partnerUnavailable, "could not reach the partner (\(error.kind.rawValue)): \(error.message)", mayHaveCharged: false)
        case (.cancelled, false):
            return WalletError(.partnerUnavailable, "cancelled before the request was sent", mayHaveCharged: false)
        case (.cancelled, true), (.other, true):
            return WalletError(.unknownOutcome, "the exchange broke off after the request was sent (\(error.kind.rawValue)): \(error.message)")
        case (.other, false):
            return WalletError(.partnerUnavailable, "the request could not be sent: \(error.message)", mayHaveCharged: false)
        }
    }
}
