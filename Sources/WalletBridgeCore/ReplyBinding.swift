/// The law every adapter applies before a wallet's reply may change a payment's or a refund's
/// state: the reply must be **bound** to the operation it answers.
///
/// A reply that reports success or cancellation counts only when
/// - it names at least one reference that identifies the operation (ours, or the wallet's when
///   we already hold it),
/// - every reference it names agrees, byte for byte, with the one we hold, and
/// - it states an amount, and that amount (currency included) equals what we asked for.
///
/// A failure, a pending state or an undecided state counts when it contradicts nothing: every
/// reference and amount it names agrees with ours (wallets often send a bare code on failure).
/// Anything else becomes `unknown` with ``WalletError/Category/invalidPartnerResponse``.
///
/// Adapters (ours and partners' own) describe what the reply names and call
/// ``payment(_:)`` or ``refund(_:)``:
/// ```swift
/// let binding = ReplyBinding(
///     references: [
///         .ours("paymentRequestId", held: query.merchantReference, named: reply.paymentRequestId),
///         .wallets("paymentId", held: query.walletReference, named: reply.paymentId),
///     ],
///     expectedAmount: query.expectedAmount,
///     statedAmount: .init(reply.paymentAmount.map { try $0.money() }))
/// let status = binding.payment(mappedStatus)
/// ```
public struct ReplyBinding: Sendable, Equatable {
    /// One reference a reply may name, and the value we hold for it.
    public struct Reference: Sendable, Equatable {
        /// The wire field (`paymentRequestId`, `txnId`, `originalPartnerReferenceNo`...), for messages.
        public var field: String
        /// What we hold; nil when we do not know it yet (the wallet's reference before its first reply).
        public var held: String?
        /// What the reply names; nil or empty when it names nothing.
        public var named: String?
        /// Whether an agreeing value identifies the operation (our reference, or the wallet's
        /// reference we hold); false for context such as a merchant id or the parent payment of a refund.
        public var identifies: Bool

        /// Creates a reference check.
        public init(field: String, held: String?, named: String?, identifies: Bool) {
            self.field = field
            self.held = held
            self.named = named.flatMap { $0.isEmpty ? nil : $0 }
            self.identifies = identifies
        }

        /// Our reference for the operation (always held).
        public static func ours(_ field: String, held: String, named: String?) -> Reference {
            Reference(field: field, held: held, named: named, identifies: true)
        }

        /// The wallet's reference for the operation: identifies only once we hold it.
        public static func wallets(_ field: String, held: String?, named: String?) -> Reference {
            Reference(field: field, held: held, named: named, identifies: true)
        }

        /// Context that must agree when named but does not identify the operation alone.
        public static func context(_ field: String, held: String?, named: String?) -> Reference {
            Reference(field: field, held: held, named: named, identifies: false)
        }

        /// Whether the reply names this reference and we hold it, and the two agree.
        var agrees: Bool { held.map { h in named.map { ReplyBinding.same(h, $0) } ?? false } ?? false }
        /// Whether the reply names a value other than the one we hold.
        var contradicts: Bool { guard let held, let named else { return false }; return !ReplyBinding.same(held, named) }
    }

    /// What the reply says about the amount.
    public enum StatedAmount: Sendable, Equatable {
        /// The reply names no amount.
        case absent
        /// The reply names this amount.
        case stated(Money)
        /// The reply names an amount that does not parse (the message says why).
        case malformed(String)
    }

    /// The references the reply may name.
    public var references: [Reference]
    /// The amount we asked for; nil when the caller does not know it (a bare inquiry by reference).
    public var expectedAmount: Money?
    /// The amount the reply states.
    public var statedAmount: StatedAmount

    /// Creates a binding check.
    public init(references: [Reference], expectedAmount: Money?, statedAmount: StatedAmount) {
        self.references = references
        self.expectedAmount = expectedAmount
        self.statedAmount = statedAmount
    }

    /// Byte-for-byte equality of two references: no Unicode normalisation, no case folding.
    /// (Swift's `==` on `String` treats canonically equivalent spellings as equal, so an NFD
    /// reference would match an NFC one.)
    public static func same(_ a: String, _ b: String) -> Bool {
        // Lengths first, then the contiguous bytes: an element-wise walk of two `UTF8View`s
        // cost over a thousand instructions per reference, several times per reply.
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a
        var b = b
        return a.withUTF8 { left in b.withUTF8 { right in left.elementsEqual(right) } }
    }

    /// The first thing the reply contradicts, or nil when it contradicts nothing.
    public var contradiction: String? {
        if let wrong = references.first(where: \.contradicts) {
            return "the reply is about \(wrong.field) \(wrong.named ?? ""), not \(wrong.held ?? "")"
        }
        switch statedAmount {
        case .malformed(let why):
            return "the reply carries a malformed amount: \(why)"
        case .stated(let amount):
            if let expectedAmount, amount != expectedAmount {
                return "the reply's amount \(amount) does not match the expected \(expectedAmount)"
            }
            return nil
        case .absent:
            return nil
        }
    }

    /// Why a success or cancellation is not bound, or nil when it is.
    public var unbound: String? {
        if let contradiction { return contradiction }
        guard references.contains(where: { $0.identifies && $0.agrees }) else {
            let fields = references.filter(\.identifies).map(\.field).joined(separator: " or ")
            return "the reply names none of our references (\(fields)), so it may be about another operation"
        }
        guard case .stated = statedAmount else {
            return "the reply does not state the amount, so it cannot be bound to this operation"
        }
        return nil
    }

    /// Whether a success or cancellation reply is bound.
    public var isBound: Bool { unbound == nil }

    /// A wallet reference (`paymentId`, `txnId`, `referenceNo`, `refundId`...) the reply names,
    /// adopted only when the reply names one of our identifying references, agreeing, and
    /// contradicts nothing: a replayed reply about another payment never lends its reference.
    public func lends(_ named: String?) -> String? {
        guard let named, !named.isEmpty, contradiction == nil, references.contains(where: { $0.identifies && $0.agrees }) else { return nil }
        return named
    }

    /// The amount the reply stated, if it stated a well-formed one.
    public var confirmedAmount: Money? {
        if case .stated(let amount) = statedAmount { return amount }
        return nil
    }

    /// `status` when the reply is allowed to say it; otherwise `unknown(invalidPartnerResponse)`.
    public func payment(_ status: PaymentStatus) -> PaymentStatus {
        switch status {
        case .succeeded, .cancelled:
            if let why = unbound { return .unknown(Self.untrusted(why)) }
            return status
        case .failed, .pending, .unknown:
            if let why = contradiction { return .unknown(Self.untrusted(why)) }
            return status
        }
    }

    /// `status` when the reply is allowed to say it; otherwise `unknown(invalidPartnerResponse)`.
    public func refund(_ status: RefundStatus) -> RefundStatus {
        switch status {
        case .succeeded:
            if let why = unbound { return .unknown(Self.untrusted(why)) }
            return status
        case .failed, .pending, .unknown:
            if let why = contradiction { return .unknown(Self.untrusted(why)) }
            return status
        }
    }

    static func untrusted(_ why: String) -> WalletError {
        WalletError(.invalidPartnerResponse, why, mayHaveCharged: true)
    }
}

extension ReplyBinding.StatedAmount {
    /// Wraps an amount conversion: `absent` for nil, `malformed` when it throws.
    public init(_ convert: () throws -> Money?) {
        do {
            if let money = try convert() { self = .stated(money) } else { self = .absent }
        } catch let error as WalletError {
            self = .malformed(error.message)
        } catch {
            self = .malformed("\(error)")
        }
    }
}
