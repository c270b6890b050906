import Foundation
import Logging

/// What partner code calls: forwards to one adapter, checks requests against its declared
/// capabilities first, and logs every operation with a correlation id.
///
/// Logs carry references, statuses and partner codes, never credentials, signatures or
/// bodies. The logger is injected, so parallel tests and multi-tenant servers stay apart.
public struct WalletClient: Sendable {
    /// The adapter calls go to.
    public let adapter: any WalletAdapter
    /// Where operations are logged.
    public let logger: Logger

    /// Creates a client. The default logger discards everything.
    public init(adapter: any WalletAdapter, logger: Logger = Logger(label: "walletbridge", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.adapter = adapter
        self.logger = logger
    }

    /// Takes a payment. See ``WalletAdapter/pay(_:)``.
    public func pay(_ request: PaymentRequest, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        try await logged("pay", correlationID, ["merchantReference": "\(request.merchantReference)", "amount": "\(request.amount)"], WalletClient.metadata) { () throws(WalletError) in
            guard adapter.capabilities.supports(.pay) else { throw WalletError(.invalidRequest, "\(adapter.walletName) does not support pay", mayHaveCharged: false) }
            try adapter.capabilities.check(request.amount)
            return try await adapter.pay(request)
        }
    }

    /// Reads a payment's state. See ``WalletAdapter/inquire(_:)``.
    public func inquire(_ query: PaymentQuery, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        try await logged("inquire", correlationID, ["merchantReference": "\(query.merchantReference)"], WalletClient.metadata) { () throws(WalletError) in
            try await adapter.inquire(query)
        }
    }

    /// Cancels a payment. See ``WalletAdapter/cancel(_:)``.
    public func cancel(_ query: PaymentQuery, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        try await logged("cancel", correlationID, ["merchantReference": "\(query.merchantReference)"], WalletClient.metadata) { () throws(WalletError) in
            guard adapter.capabilities.supports(.cancel) else { throw WalletError(.invalidRequest, "\(adapter.walletName) does not support cancel", mayHaveCharged: false) }
            return try await adapter.cancel(query)
        }
    }

    /// Refunds a payment. See ``WalletAdapter/refund(_:)``.
    public func refund(_ request: RefundRequest, correlationID: String? = nil) async throws(WalletError) -> RefundResult {
        let metadata: Logger.Metadata = ["merchantReference": "\(request.merchantReference)", "refundReference": "\(request.refundReference)"]
        return try await logged("refund", correlationID, metadata, WalletClient.metadata) { () throws(WalletError) in
            guard adapter.capabilities.supports(.refund) else { throw WalletError(.invalidRequest, "\(adapter.walletName) does not support refund", mayHaveCharged: false) }
            guard request.amount.minorUnits > 0 else { throw WalletError(.invalidRequest, "the refund amount must be positive, got \(request.amount)", mayHaveCharged: false) }
            return try await adapter.refund(request)
        }
    }

    /// Reads a refund's state. See ``WalletAdapter/inquireRefund(_:)``.
    public func inquireRefund(_ query: RefundQuery, correlationID: String? = nil) async throws(WalletError) -> RefundResult {
        try await logged("inquireRefund", correlationID, ["refundReference": "\(query.refundReference)"], WalletClient.metadata) { () throws(WalletError) in
            try await adapter.inquireRefund(query)
        }
    }

    /// Verifies a notification. See ``WalletAdapter/verifyNotification(_:)``.
    public func verifyNotification(_ notification: InboundNotification, correlationID: String? = nil) throws(WalletError) -> VerifiedNotification {
        let log = operationLogger("notification", correlationID, [:])
        do throws(WalletError) {
            let verified = try adapter.verifyNotification(notification)
            var metadata = WalletClient.metadata(verified.notification.payment)
            metadata["kind"] = "\(verified.notification.kind.rawValue)"
            metadata["merchantReference"] = "\(verified.notification.payment.merchantReference)"
            log.info("notification verified", metadata: metadata)
            return verified
        } catch {
            log.warning("notification rejected", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    /// Runs one operation, logging its outcome (or why it was not processed).
    private func logged<Result>(
        _ operation: String,
        _ correlationID: String?,
        _ metadata: Logger.Metadata,
        _ describe: (Result) -> Logger.Metadata,
        _ body: () async throws(WalletError) -> Result
    ) async throws(WalletError) -> Result {
        let log = operationLogger(operation, correlationID, metadata)
        do throws(WalletError) {
            let result = try await body()
            log.info("\(operation) finished", metadata: describe(result))
            return result
        } catch {
            log.warning("\(operation) not processed", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    func operationLogger(_ operation: String, _ correlationID: String?, _ metadata: Logger.Metadata) -> Logger {
        var log = logger
        for (key, value) in metadata { log[metadataKey: key] = value }
        log[metadataKey: "wallet"] = "\(adapter.walletName)"
        log[metadataKey: "operation"] = "\(operation)"
        log[metadataKey: "correlationID"] = "\(correlationID ?? UUID().uuidString.lowercased())"
        return log
    }

    static func metadata(_ result: PaymentResult) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["status": "\(result.status.name)"]
        if let walletReference = result.walletReference { metadata["walletReference"] = "\(walletReference)" }
        if let partner = result.partnerResult { metadata["partnerCode"] = "\(partner.code)" }
        if let error = result.status.error { metadata["reason"] = "\(error.category.rawValue)" }
        return metadata
    }

    private static func metadata(_ result: RefundResult) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["status": "\(result.status.name)"]
        if let walletRefundReference = result.walletRefundReference { metadata["walletRefundReference"] = "\(walletRefundReference)" }
        if let partner = result.partnerResult { metadata["partnerCode"] = "\(partner.code)" }
        return metadata
    }

    static func metadata(_ error: WalletError) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["error": "\(error.category.rawValue)", "message": "\(error.message)"]
        if let code = error.partnerCode { metadata["partnerCode"] = "\(code)" }
        return metadata
    }
}
