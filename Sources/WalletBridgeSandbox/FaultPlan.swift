import Foundation
import WalletBridgeTesting

/// Wallet-side faults drawn from a seed: each fault kind has a rate per wallet, and whether a
/// request or a notification is hit is a pure function of (seed, wallet, operation, merchant
/// reference, how many times that reference was seen for that operation), so the same request
/// meets the same fault in every run, whatever the concurrency. (How many requests a payment
/// makes can still depend on timing: the number of inquiries that fit in a window, or a
/// notification's confirming inquiry beside the client's own.) `walletbridge sandbox --faults
/// PROFILE --seed N` starts a sandbox with one of the documented ``profile(_:seed:)``s.
///
/// Request faults are exclusive (at most one per request); timestamp skew is drawn on its own
/// and may come with any of them. Focused tests keep using the per-path queue
/// (``WalletSandbox/injectFault(_:path:count:)``), which wins over the plan.
///
/// **Magic amounts** trigger one fault on the first pay request of a reference, whatever the
/// plan, the way DANA's test script does it. They go by the amount's last two digits in minor
/// units (PHP 10.51, INR 10.51, IDR 10000.51):
///
/// | ends in | fault |
/// |---|---|
/// | 51 | HTTP 500 after the ledger commits (unsigned) |
/// | 52 | HTTP 503 before the ledger commits |
/// | 53 | HTTP 429 with `Retry-After: 1`, not processed |
/// | 54 | the wallet's own in-process answer (Alipay+ `U`, SNAP `2025400`) |
/// | 55 | a slow body |
/// | 56 | processed, then the wallet's unknown result (Alipay+ `UNKNOWN_EXCEPTION`, SNAP 500) |
public struct FaultPlan: Sendable, Equatable {
    /// A kind of wallet-side fault.
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        /// The wallet's own in-process or unknown result (Alipay+ `U`, SNAP `202`/`2025400`,
        /// Paytm `PENDING`), after the ledger commits.
        case inProcess = "in-process"
        /// A 5xx before the ledger commits (nothing happened).
        case serverErrorBeforeCommit = "5xx-before-commit"
        /// A 5xx after the ledger commits (the payment exists; the answer is lost).
        case serverErrorAfterCommit = "5xx-after-commit"
        /// HTTP 429 with `Retry-After`, not processed.
        case tooManyRequests = "429"
        /// A body sent in two halves with a pause between them.
        case slowBody = "slow-body"
        /// The request's SNAP access token expires just before it is checked (token mode).
        case tokenExpiry = "token-expiry"
        /// The reply's and the notification's signed timestamps are skewed (drawn on its own).
        case timestampSkew = "timestamp-skew"
        /// A notification delivered twice.
        case notificationDuplicated = "notification-duplicated"
        /// A notification delivered late.
        case notificationDelayed = "notification-delayed"
        /// A notification held back until the next one of its wallet has gone out.
        case notificationOutOfOrder = "notification-out-of-order"
        /// A notification never sent.
        case notificationNeverSent = "notification-never-sent"

        /// The request faults, in draw order (exclusive).
        public static let requestKinds: [Kind] = [
            .inProcess, .serverErrorBeforeCommit, .serverErrorAfterCommit, .tooManyRequests, .slowBody, .tokenExpiry,
        ]
        /// The notification faults, in draw order (exclusive).
        public static let notificationKinds: [Kind] = [
            .notificationDuplicated, .notificationDelayed, .notificationOutOfOrder, .notificationNeverSent,
        ]

        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    /// The seed every draw starts from.
    public var seed: UInt64
    /// Rates per wallet (`gcash`, `paytm`, `dana`); a wallet not listed uses ``defaultRates``.
    public var rates: [String: [Kind: Double]]
    /// Rates for wallets not in ``rates``.
    public var defaultRates: [Kind: Double]
    /// The pause in the middle of a slow body.
    public var slowBodyPause: Duration
    /// The largest timestamp skew (drawn in `-skew...skew`); keep it inside the clients'
    /// tolerance to test tolerance, or beyond it to test rejection.
    public var maxSkew: Duration
    /// How late a delayed notification goes out.
    public var notificationDelay: Duration

    /// Creates a plan.
    public init(
        seed: UInt64, defaultRates: [Kind: Double] = [:], rates: [String: [Kind: Double]] = [:], slowBodyPause: Duration = .milliseconds(300),
        maxSkew: Duration = .seconds(120), notificationDelay: Duration = .seconds(2)
    ) {
        self.seed = seed
        self.defaultRates = defaultRates
        self.rates = rates
        self.slowBodyPause = slowBodyPause
        self.maxSkew = maxSkew
        self.notificationDelay = notificationDelay
    }

    /// The documented profiles: `none`, `flaky` and `chaos`.
    public static let profileNames = ["none", "flaky", "chaos"]

    /// A documented profile (see `Specs/Sandbox.md`), or nil for an unknown name.
    /// - `none`: no faults (magic amounts still work).
    /// - `flaky`: about 1 request in 14 hit: 2% in-process, 1% each of 5xx before and after
    ///   the commit, 429 and slow body, 1% token expiry; 3% skew; 2% of notifications
    ///   duplicated, delayed, 1% out of order or never sent.
    /// - `chaos`: about 1 request in 5 hit: 5% in-process, 4% 5xx before and 4% after the
    ///   commit, 3% 429, 2% slow body, 2% token expiry; 10% skew; 5% of notifications each
    ///   duplicated, delayed, out of order, and 3% never sent.
    public static func profile(_ name: String, seed: UInt64) -> FaultPlan? {
        switch name {
        case "none":
            return FaultPlan(seed: seed)
        case "flaky":
            return FaultPlan(
                seed: seed,
                defaultRates: [
                    .inProcess: 0.02, .serverErrorBeforeCommit: 0.01, .serverErrorAfterCommit: 0.01, .tooManyRequests: 0.01, .slowBody: 0.01,
                    .tokenExpiry: 0.01, .timestampSkew: 0.03,
                    .notificationDuplicated: 0.02, .notificationDelayed: 0.02, .notificationOutOfOrder: 0.01, .notificationNeverSent: 0.01,
                ])
        case "chaos":
            return FaultPlan(
                seed: seed,
                defaultRates: [
                    .inProcess: 0.05, .serverErrorBeforeCommit: 0.04, .serverErrorAfterCommit: 0.04, .tooManyRequests: 0.03, .slowBody: 0.02,
                    .tokenExpiry: 0.02, .timestampSkew: 0.10,
                    .notificationDuplicated: 0.05, .notificationDelayed: 0.05, .notificationOutOfOrder: 0.05, .notificationNeverSent: 0.03,
                ])
        default:
            return nil
        }
    }

    /// The rate of `kind` for `wallet`.
    public func rate(_ kind: Kind, wallet: String) -> Double {
        (rates[wallet] ?? defaultRates)[kind] ?? 0
    }

    /// Whether the plan injects nothing (magic amounts aside).
    public var isEmpty: Bool {
        (rates.values.flatMap(\.values) + defaultRates.values).allSatisfy { $0 <= 0 }
    }

    /// The request fault drawn for the `attempt`-th request (1-based) of `operation` about
    /// `reference` at `wallet`, if any. A pure function.
    public func requestFault(wallet: String, operation: String, reference: String, attempt: Int) -> Kind? {
        let draw = SeededDraw.unit(seed: seed, "request", wallet, operation, reference, String(attempt))
        return Self.pick(draw, among: Kind.requestKinds) { rate($0, wallet: wallet) }
    }

    /// The timestamp skew drawn for that request, if any, in `-maxSkew...maxSkew`.
    public func skew(wallet: String, operation: String, reference: String, attempt: Int) -> Duration? {
        let hit = SeededDraw.unit(seed: seed, "skew", wallet, operation, reference, String(attempt))
        guard hit < rate(.timestampSkew, wallet: wallet) else { return nil }
        let amount = SeededDraw.unit(seed: seed, "skew-amount", wallet, operation, reference, String(attempt))
        return maxSkew * (amount * 2 - 1)
    }

    /// The notification fault drawn for the notification `label` (such as
    /// `PAYMENT_RESULT WB-1`) of `wallet`, if any. A pure function.
    public func notificationFault(wallet: String, label: String) -> Kind? {
        let draw = SeededDraw.unit(seed: seed, "notification", wallet, label)
        return Self.pick(draw, among: Kind.notificationKinds) { rate($0, wallet: wallet) }
    }

    /// The fault a magic amount triggers (by the last two digits of its minor units), if any.
    public static func magicFault(minorUnits: Int64) -> SandboxFault? {
        switch abs(minorUnits) % 100 {
        case 51: return .serverErrorAfterCommit(500)
        case 52: return .httpStatus(503)
        case 53: return .unsignedTooManyRequests(processed: false)
        case 54: return .walletInProcess
        case 55: return .slowBody(.milliseconds(300))
        case 56: return .resultUnknown
        default: return nil
        }
    }

    /// The sandbox fault that carries out a request fault kind.
    func sandboxFault(_ kind: Kind) -> SandboxFault? {
        switch kind {
        case .inProcess: return .walletInProcess
        case .serverErrorBeforeCommit: return .httpStatus(503)
        case .serverErrorAfterCommit: return .serverErrorAfterCommit(500)
        case .tooManyRequests: return .unsignedTooManyRequests(processed: false)
        case .slowBody: return .slowBody(slowBodyPause)
        case .tokenExpiry: return .expireToken
        default: return nil
        }
    }

    private static func pick(_ draw: Double, among kinds: [Kind], rate: (Kind) -> Double) -> Kind? {
        var cumulative = 0.0
        for kind in kinds {
            cumulative += max(0, rate(kind))
            if draw < cumulative { return kind }
        }
        return nil
    }
}

/// Carries a plan out: counts each reference's requests per operation (so draws replay), and
/// remembers which magic amounts have fired. One per sandbox.
///
/// It remembers every reference it has seen (a few dozen bytes each): a standalone sandbox
/// under a long run grows with the number of payments, like its ledger.
final class FaultPlanState: @unchecked Sendable {
    let plan: FaultPlan
    private let lock = NSLock()
    private var attempts: [String: Int] = [:]
    private var magicFired: Set<String> = []
    private var counts: [FaultPlan.Kind: Int] = [:]

    init(plan: FaultPlan) {
        self.plan = plan
    }

    /// What hits one wallet request: a fault (magic amount first, then the plan), and a skew.
    /// `carriesToken` says whether the request has an access token (a token expiry needs one:
    /// drawn for a request without, it injects nothing and is not counted).
    func draw(
        wallet: String, operation: String, reference: String?, amountMinor: Int64?, carriesToken: Bool = false
    ) -> (fault: SandboxFault?, skew: Duration?) {
        guard let reference, !reference.isEmpty else { return (nil, nil) }
        let key = "\(wallet)|\(operation)|\(reference)"
        let (attempt, magic): (Int, SandboxFault?) = lock.withLock {
            attempts[key, default: 0] += 1
            var magic: SandboxFault?
            if operation == "pay", let amountMinor, let fault = FaultPlan.magicFault(minorUnits: amountMinor), magicFired.insert(key).inserted {
                magic = fault
            }
            return (attempts[key] ?? 1, magic)
        }
        if let magic { return (magic, nil) }
        guard operation != "token" else { return (nil, nil) }
        var kind = plan.requestFault(wallet: wallet, operation: operation, reference: reference, attempt: attempt)
        if kind == .tokenExpiry, !carriesToken { kind = nil }
        let skew = plan.skew(wallet: wallet, operation: operation, reference: reference, attempt: attempt)
        lock.withLock {
            if let kind { counts[kind, default: 0] += 1 }
            if skew != nil { counts[.timestampSkew, default: 0] += 1 }
        }
        return (kind.flatMap(plan.sandboxFault), skew)
    }

    /// Counts a notification fault.
    func countNotification(_ kind: FaultPlan.Kind) {
        lock.withLock { counts[kind, default: 0] += 1 }
    }

    /// Faults injected so far, by kind.
    var injected: [FaultPlan.Kind: Int] { lock.withLock { counts } }
}

/// The task-locals through which the responder hands a request's planned fault and skew to
/// the wallet that handles it (concurrent requests never see each other's).
enum SandboxRequestScope {
    /// The plan's fault for the request being handled.
    @TaskLocal static var plannedFault: SandboxFault?
    /// How far the request's signed timestamps are moved.
    @TaskLocal static var skew: Duration?
}

/// The merchant reference and amount of a wallet request, read from its JSON body at any depth
/// (Paytm's sits inside `body`), for drawing faults.
struct SandboxRequestSummary {
    var reference: String?
    var amountMinor: Int64?

    /// Reads the first of `referenceFields` found, and the first of `amountFields`: an object's
    /// `value`, or the field itself when it is a string; a decimal (`"10.51"`) or minor units
    /// (`"1051"`).
    init(body: [UInt8], referenceFields: [String], amountFields: [String]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) else { return }
        func find(_ names: [String], in value: Any) -> Any? {
            guard let dictionary = value as? [String: Any] else { return nil }
            for name in names { if let found = dictionary[name] { return found } }
            for member in dictionary.values { if let found = find(names, in: member) { return found } }
            return nil
        }
        reference = find(referenceFields, in: object) as? String
        let amount = find(amountFields, in: object)
        if let object = amount as? [String: Any], let value = object["value"] as? String {
            amountMinor = Self.minorUnits(value)
        } else if let value = amount as? String {
            amountMinor = Self.minorUnits(value)
        }
    }

    /// `"10.51"` → 1051, `"1051"` → 1051.
    static func minorUnits(_ text: String) -> Int64? {
        guard let dot = text.firstIndex(of: ".") else { return Int64(text) }
        let fraction = text[text.index(after: dot)...]
        guard let whole = Int64(text[..<dot]), let cents = Int64(fraction.prefix(2).padding(toLength: 2, withPad: "0", startingAt: 0)) else {
            return nil
        }
        return whole * 100 + cents
    }
}
