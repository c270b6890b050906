import CoreMetrics
import Foundation

/// The metrics a ``WalletClient`` records, through swift-metrics, on a factory you inject.
///
/// Nothing is bootstrapped globally: every handle is made with the ``factory`` given here (set
/// ``WalletClient/Configuration/metrics`` and the client creates one `WalletMetrics` for its
/// lifetime). Handles are made once per label and dimension values, then served from a
/// lock-protected cache, so a hot path never asks the factory for a handle per call (in the
/// style of Hummingbird's `MetricsMiddleware`).
///
/// ## Metrics
/// Labels start with ``labelPrefix`` (`walletbridge` by default).
///
/// | Label | Kind | Dimensions | Counts |
/// | --- | --- | --- | --- |
/// | `walletbridge_calls_total` | counter | `wallet`, `operation`, `outcome` | each operation a caller asked for (pay, inquire, cancel, refund, inquireRefund) |
/// | `walletbridge_call_duration_seconds` | timer | `wallet`, `operation`, `outcome` | the latency of that call, settling and retries included |
/// | `walletbridge_call_errors_total` | counter | `wallet`, `operation`, `error` | calls that threw, by ``WalletError/Category`` |
/// | `walletbridge_attempts_total` | counter | `wallet`, `operation`, `outcome` | each adapter call: every wire attempt, the policy's inquiries, resends and cancels included |
/// | `walletbridge_retries_total` | counter | `wallet`, `operation` | attempts beyond the first of one operation, and reconciliation resends of a pay |
/// | `walletbridge_reconciliations_started_total` | counter | `wallet` | settlements of an open payment by the wallet's rule |
/// | `walletbridge_reconciliations_finished_total` | counter | `wallet`, `result` | their end: `succeeded`, `failed`, `cancelled`, or `open` (gave up) |
/// | `walletbridge_payments_final_total` | counter | `wallet`, `status` | payments the journal moved from an open to a final state: once per payment |
///
/// `outcome` is a status name (`succeeded`, `failed`, `cancelled`, `pending`, `unknown`) or
/// `error` when the call threw; `status` is `succeeded`, `failed` or `cancelled`. The success
/// rate of payments is `payments_final{status="succeeded"}` divided by the sum of
/// `payments_final` over every status.
///
/// Dimensions are bounded: wallet names, operation names, status names and error categories.
/// References, amounts, bodies and credentials are never a label or a dimension.
public struct WalletMetrics: Sendable {
    /// What a call or an attempt ended with, as the `outcome` dimension.
    public enum Outcome: String, Sendable, Equatable, CaseIterable {
        /// The payment or refund succeeded.
        case succeeded
        /// The payment or refund failed.
        case failed
        /// The payment was cancelled.
        case cancelled
        /// In process at the wallet.
        case pending
        /// Might have happened: to reconcile.
        case unknown
        /// The call threw a ``WalletError``.
        case error

        /// The outcome an operation returned (its status's name).
        public init(_ outcome: WalletOutcome) {
            switch outcome {
            case .payment(let result): self.init(result.status)
            case .refund(let result): self.init(result.status)
            }
        }

        /// A payment status's outcome.
        public init(_ status: PaymentStatus) {
            switch status {
            case .succeeded: self = .succeeded
            case .failed: self = .failed
            case .cancelled: self = .cancelled
            case .pending: self = .pending
            case .unknown: self = .unknown
            }
        }

        /// A refund status's outcome.
        public init(_ status: RefundStatus) {
            switch status {
            case .succeeded: self = .succeeded
            case .failed: self = .failed
            case .pending: self = .pending
            case .unknown: self = .unknown
            }
        }
    }

    /// How a reconciliation ended, as the `result` dimension.
    public enum ReconciliationResult: String, Sendable, Equatable, CaseIterable {
        /// Settled: the payment succeeded.
        case succeeded
        /// Settled: the payment failed.
        case failed
        /// Settled: the payment was cancelled.
        case cancelled
        /// Gave up (deadline, budget, or the wallet never decided): the payment is still open.
        case open

        /// The result a settlement returned: its status when final, otherwise `open`.
        public init(_ status: PaymentStatus) {
            switch status {
            case .succeeded: self = .succeeded
            case .failed: self = .failed
            case .cancelled: self = .cancelled
            case .pending, .unknown: self = .open
            }
        }
    }

    /// Where every handle is made.
    public let factory: any MetricsFactory
    /// What every label starts with (`walletbridge`).
    public let labelPrefix: String
    private let cache: HandleCache

    /// Creates the metrics on `factory`.
    /// - Parameters:
    ///   - factory: The metrics backend (a Prometheus registry, an OTel exporter, `TestMetrics`...);
    ///     never the global `MetricsSystem` unless you pass it.
    ///   - labelPrefix: Prepended, with `_`, to every label.
    public init(factory: any MetricsFactory, labelPrefix: String = "walletbridge") {
        self.factory = factory
        self.labelPrefix = labelPrefix
        self.cache = HandleCache()
    }

    // MARK: Handles

    /// `<prefix>_calls_total{wallet, operation, outcome}`.
    public func calls(wallet: String, operation: WalletCapabilities.Operation, outcome: Outcome) -> Counter {
        counter(.calls, wallet: wallet, operation: operation.rawValue, value: outcome.rawValue)
    }

    /// `<prefix>_call_duration_seconds{wallet, operation, outcome}`.
    public func callDuration(wallet: String, operation: WalletCapabilities.Operation, outcome: Outcome) -> CoreMetrics.Timer {
        let key = HandleKey(metric: .callDuration, wallet: wallet, operation: operation.rawValue, value: outcome.rawValue)
        return cache.timer(key) {
            CoreMetrics.Timer(label: label(.callDuration), dimensions: key.dimensions, preferredDisplayUnit: .seconds, factory: factory)
        }
    }

    /// `<prefix>_call_errors_total{wallet, operation, error}`.
    public func callErrors(wallet: String, operation: WalletCapabilities.Operation, category: WalletError.Category) -> Counter {
        counter(.callErrors, wallet: wallet, operation: operation.rawValue, value: category.rawValue)
    }

    /// `<prefix>_attempts_total{wallet, operation, outcome}`.
    public func attempts(wallet: String, operation: WalletCapabilities.Operation, outcome: Outcome) -> Counter {
        counter(.attempts, wallet: wallet, operation: operation.rawValue, value: outcome.rawValue)
    }

    /// `<prefix>_retries_total{wallet, operation}`.
    public func retries(wallet: String, operation: WalletCapabilities.Operation) -> Counter {
        counter(.retries, wallet: wallet, operation: operation.rawValue)
    }

    /// `<prefix>_reconciliations_started_total{wallet}`.
    public func reconciliationsStarted(wallet: String) -> Counter {
        counter(.reconciliationsStarted, wallet: wallet)
    }

    /// `<prefix>_reconciliations_finished_total{wallet, result}`.
    public func reconciliationsFinished(wallet: String, result: ReconciliationResult) -> Counter {
        counter(.reconciliationsFinished, wallet: wallet, value: result.rawValue)
    }

    /// `<prefix>_payments_final_total{wallet, status}`; nil for a state that is not final.
    public func paymentsFinal(wallet: String, status: JournalEntry.State) -> Counter? {
        guard status.isFinal else { return nil }
        return counter(.paymentsFinal, wallet: wallet, value: status.rawValue)
    }

    // MARK: Recording

    /// Counts a payment that the journal has just made final: call it with what
    /// ``PaymentJournal/recordOutcome(_:_:at:)`` returned. Only a transition from an open state
    /// to a final one counts (the verdict is ``JournalTransition/Verdict/applied`` and the entry
    /// is now final), so a replayed answer, a late notification or a second caller's answer
    /// about a payment already final never counts twice. Refund entries are not counted.
    public func recorded(_ entry: JournalEntry, verdict: JournalTransition.Verdict) {
        guard entry.kind == .payment, verdict == .applied else { return }
        paymentsFinal(wallet: entry.wallet, status: entry.state)?.increment()
    }

    /// The full label of `metric`.
    func label(_ metric: Metric) -> String { "\(labelPrefix)_\(metric.rawValue)" }

    private func counter(_ metric: Metric, wallet: String, operation: String? = nil, value: String? = nil) -> Counter {
        let key = HandleKey(metric: metric, wallet: wallet, operation: operation, value: value)
        return cache.counter(key) { Counter(label: label(metric), dimensions: key.dimensions, factory: factory) }
    }

    /// Each metric's label after the prefix.
    enum Metric: String, Sendable, Hashable {
        case calls = "calls_total"
        case callDuration = "call_duration_seconds"
        case callErrors = "call_errors_total"
        case attempts = "attempts_total"
        case retries = "retries_total"
        case reconciliationsStarted = "reconciliations_started_total"
        case reconciliationsFinished = "reconciliations_finished_total"
        case paymentsFinal = "payments_final_total"

        /// The name of the third dimension, when the metric has one.
        var valueDimension: String? {
            switch self {
            case .calls, .callDuration, .attempts: return "outcome"
            case .callErrors: return "error"
            case .reconciliationsFinished: return "result"
            case .paymentsFinal: return "status"
            case .retries, .reconciliationsStarted: return nil
            }
        }
    }

    /// One handle's identity: the metric and its dimension values.
    struct HandleKey: Sendable, Hashable {
        var metric: Metric
        var wallet: String
        var operation: String?
        var value: String?

        /// The dimensions, in a fixed order: wallet, operation, then the metric's own.
        var dimensions: [(String, String)] {
            var dimensions = [("wallet", wallet)]
            if let operation { dimensions.append(("operation", operation)) }
            if let value, let name = metric.valueDimension { dimensions.append((name, value)) }
            return dimensions
        }
    }

    /// The handles made so far. A final class, so that copies of a `WalletMetrics` share it.
    final class HandleCache: @unchecked Sendable {
        // @unchecked: every access to the dictionaries holds `lock`.
        private let lock = NSLock()
        private var counters: [HandleKey: Counter] = [:]
        private var timers: [HandleKey: CoreMetrics.Timer] = [:]

        func counter(_ key: HandleKey, make: () -> Counter) -> Counter {
            lock.withLock {
                if let cached = counters[key] { return cached }
                let made = make()
                counters[key] = made
                return made
            }
        }

        func timer(_ key: HandleKey, make: () -> CoreMetrics.Timer) -> CoreMetrics.Timer {
            lock.withLock {
                if let cached = timers[key] { return cached }
                let made = make()
                timers[key] = made
                return made
            }
        }
    }
}
