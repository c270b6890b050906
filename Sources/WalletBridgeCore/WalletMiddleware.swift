import Logging

/// Where an operation came from: the caller, or the client's own policy acting for it.
public enum WalletOperationOrigin: String, Sendable, Equatable {
    /// The caller asked for it.
    case caller
    /// The reconciliation policy issued it (an inquiry after `unknown`, a cancel after the window...).
    case reconciliation
    /// Crash recovery issued it for a journal entry left open.
    case recovery
}

/// What every middleware knows about the call in progress.
public struct WalletOperationContext: Sendable {
    /// The wallet's name (`gcash`, `paytm`, `dana`).
    public var wallet: String
    /// What the adapter declares.
    public var capabilities: WalletCapabilities
    /// One id for the caller's operation and every call the policy makes for it.
    public var correlationID: String
    /// The injected logger, already carrying wallet and correlation id.
    public var logger: Logger
    /// Who issued this operation.
    public var origin: WalletOperationOrigin
    /// 1 for the first attempt; a resend of the identical request counts up.
    public var attempt: Int

    /// Creates a context.
    public init(
        wallet: String, capabilities: WalletCapabilities, correlationID: String, logger: Logger, origin: WalletOperationOrigin = .caller,
        attempt: Int = 1
    ) {
        self.wallet = wallet
        self.capabilities = capabilities
        self.correlationID = correlationID
        self.logger = logger
        self.origin = origin
        self.attempt = attempt
    }
}

/// The rest of the chain, as seen by a middleware.
public typealias WalletNext = @Sendable (WalletOperation, WalletOperationContext) async throws(WalletError) -> WalletOutcome

/// A step around every operation of a ``WalletClient``: logging, retries, the journal,
/// reconciliation, metrics or fault injection.
///
/// Middlewares are folded around the adapter the way swift-openapi-runtime folds
/// `ClientMiddleware`s around a `ClientTransport`: the first in the list sees the operation
/// first and the outcome last. A middleware may call `next` more than once (a resend) or with
/// another operation (an inquiry after an unknown pay); those calls pass through every
/// middleware after it, so they are logged, journalled and retried like the caller's own.
///
/// ## Choose between an adapter and a middleware
/// An adapter translates one operation into one wire call of one wallet and back. Everything
/// that decides *whether* and *when* to call (resend, inquire, cancel, record, count) is a
/// middleware, and works for every adapter.
public protocol WalletMiddleware: Sendable {
    /// Handles `operation`, calling `next` to continue the chain.
    func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
}

/// Logs every operation that passes through it: references, status, partner code and error
/// category, never credentials, signatures or bodies.
public struct LoggingMiddleware: WalletMiddleware {
    /// Creates the middleware.
    public init() {}

    public func intercept(_ operation: WalletOperation, context: WalletOperationContext, next: WalletNext) async throws(WalletError) -> WalletOutcome
    {
        // This frame stays allocated while `next` runs: the logger and its messages are built
        // in non-inlined helpers.
        let log = Self.logger(for: operation, context: context)
        do throws(WalletError) {
            let outcome = try await next(operation, context)
            Self.finished(operation, outcome, log: log)
            return outcome
        } catch {
            Self.notProcessed(operation, error, log: log)
            throw error
        }
    }

    /// The context's logger with the operation's references.
    @inline(never)
    static func logger(for operation: WalletOperation, context: WalletOperationContext) -> Logger {
        var log = context.logger
        log[metadataKey: "operation"] = "\(operation.kind.rawValue)"
        if let reference = operation.merchantReference { log[metadataKey: "merchantReference"] = "\(reference)" }
        if let refund = operation.refundReference { log[metadataKey: "refundReference"] = "\(refund)" }
        if context.origin != .caller { log[metadataKey: "origin"] = "\(context.origin.rawValue)" }
        if context.attempt > 1 { log[metadataKey: "attempt"] = "\(context.attempt)" }
        if case .pay(let request) = operation { log[metadataKey: "amount"] = "\(request.amount)" }
        return log
    }

    @inline(never)
    static func finished(_ operation: WalletOperation, _ outcome: WalletOutcome, log: Logger) {
        switch outcome {
        case .payment(let result): log.info("\(operation.kind.rawValue) finished", metadata: WalletClient.metadata(result))
        case .refund(let result): log.info("\(operation.kind.rawValue) finished", metadata: WalletClient.metadata(result))
        }
    }

    @inline(never)
    static func notProcessed(_ operation: WalletOperation, _ error: WalletError, log: Logger) {
        log.warning("\(operation.kind.rawValue) not processed", metadata: WalletClient.metadata(error))
    }
}
