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
        var log = operationLogger("pay", correlationID)
        log[metadataKey: "merchantReference"] = "\(request.merchantReference)"
        log[metadataKey: "amount"] = "\(request.amount)"
        do throws(WalletError) {
            guard adapter.capabilities.supports(.pay) else { throw WalletError(.invalidRequest, "\(adapter.walletName) does not support pay") }
            try adapter.capabilities.check(request.amount)
            let result = try await adapter.pay(request)
            log.info("pay finished", metadata: WalletClient.metadata(result))
            return result
        } catch {
            log.warning("pay not processed", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    /// Reads a payment's state. See ``WalletAdapter/inquire(_:)``.
    public func inquire(_ query: PaymentQuery, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        var log = operationLogger("inquire", correlationID)
        log[metadataKey: "merchantReference"] = "\(query.merchantReference)"
        do throws(WalletError) {
            let result = try await adapter.inquire(query)
            log.info("inquire finished", metadata: WalletClient.metadata(result))
            return result
        } catch {
            log.warning("inquire not processed", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    /// Cancels a payment. See ``WalletAdapter/cancel(_:)``.
    public func cancel(_ query: PaymentQuery, correlationID: String? = nil) async throws(WalletError) -> PaymentResult {
        var log = operationLogger("cancel", correlationID)
        log[metadataKey: "merchantReference"] = "\(query.merchantReference)"
        do throws(WalletError) {
            guard adapter.capabilities.supports(.cancel) else { throw WalletError(.invalidRequest, "\(adapter.walletName) does not support cancel") }
            let result = try await adapter.cancel(query)
            log.info("cancel finished", metadata: WalletClient.metadata(result))
            return result
        } catch {
            log.warning("cancel not processed", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    /// Refunds a payment. See ``WalletAdapter/refund(_:)``.
    public func refund(_ request: RefundRequest, correlationID: String? = nil) async throws(WalletError) -> RefundResult {
        var log = operationLogger("refund", correlationID)
        log[metadataKey: "merchantReference"] = "\(request.merchantReference)"
        log[metadataKey: "refundReference"] = "\(request.refundReference)"
        do throws(WalletError) {
            guard adapter.capabilities.supports(.refund) else { throw WalletError(.invalidRequest, "\(adapter.walletName) does not support refund") }
            guard request.amount.minorUnits > 0 else { throw WalletError(.invalidRequest, "the refund amount must be positive, got \(request.amount)") }
            let result = try await adapter.refund(request)
            log.info("refund finished", metadata: ["status": "\(result.status.name)"])
            return result
        } catch {
            log.warning("refund not processed", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    /// Reads a refund's state. See ``WalletAdapter/inquireRefund(_:)``.
    public func inquireRefund(_ query: RefundQuery, correlationID: String? = nil) async throws(WalletError) -> RefundResult {
        var log = operationLogger("inquireRefund", correlationID)
        log[metadataKey: "refundReference"] = "\(query.refundReference)"
        do throws(WalletError) {
            let result = try await adapter.inquireRefund(query)
            log.info("inquireRefund finished", metadata: ["status": "\(result.status.name)"])
            return result
        } catch {
            log.warning("inquireRefund not processed", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    /// Verifies a notification. See ``WalletAdapter/verifyNotification(_:)``.
    public func verifyNotification(_ notification: InboundNotification, correlationID: String? = nil) throws(WalletError) -> VerifiedNotification {
        let log = operationLogger("notification", correlationID)
        do throws(WalletError) {
            let verified = try adapter.verifyNotification(notification)
            log.info("notification verified", metadata: [
                "kind": "\(verified.notification.kind.rawValue)",
                "merchantReference": "\(verified.notification.payment.merchantReference)",
                "status": "\(verified.notification.payment.status.name)",
            ])
            return verified
        } catch {
            log.warning("notification rejected", metadata: WalletClient.metadata(error))
            throw error
        }
    }

    private func operationLogger(_ operation: String, _ correlationID: String?) -> Logger {
        var log = logger
        log[metadataKey: "wallet"] = "\(adapter.walletName)"
        log[metadataKey: "operation"] = "\(operation)"
        log[metadataKey: "correlationID"] = "\(correlationID ?? UUID().uuidString.lowercased())"
        return log
    }

    private static func metadata(_ result: PaymentResult) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["status": "\(result.status.name)"]
        if let walletReference = result.walletReference { metadata["walletReference"] = "\(walletReference)" }
        if let partner = result.partnerResult { metadata["partnerCode"] = "\(partner.code)" }
        if let error = result.status.error { metadata["reason"] = "\(error.category.rawValue)" }
        return metadata
    }

    private static func metadata(_ error: WalletError) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["error": "\(error.category.rawValue)", "message": "\(error.message)"]
        if let code = error.partnerCode { metadata["partnerCode"] = "\(code)" }
        return metadata
    }
}
