import Foundation
import WalletBridgeCore
import WalletBridgeTransport

/// The GCash-style wallet on the Alipay+ open API, server to server (auto debit:
/// `AGREEMENT_PAYMENT` with the customer's access token as `paymentMethodId`).
///
/// Every request is signed; every response must carry a valid platform signature (key chosen
/// by keyVersion) and the amount we asked for, or the outcome is reported unknown, never
/// success. `U` results are pending (PAYMENT_IN_PROCESS) or unknown, never failure.
public struct AlipayPlusAdapter: WalletAdapter {
    /// Endpoints, identity and keys.
    public let configuration: AlipayPlusConfiguration
    /// The name callers know the wallet by (`gcash`).
    public let walletName: String
    let exchange: AlipayPlusExchange

    /// Creates an adapter.
    /// - Parameters:
    ///   - walletName: The name callers know the wallet by (`gcash`).
    ///   - clock: Source of `Request-Time`, injectable for tests.
    public init(walletName: String = "gcash", configuration: AlipayPlusConfiguration, transport: any HTTPTransport, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.walletName = walletName
        self.configuration = configuration
        self.exchange = AlipayPlusExchange(configuration: configuration, transport: transport, clock: clock)
    }

    /// Every operation; the configured merchant currencies; no stated amount limits.
    public var capabilities: WalletCapabilities {
        WalletCapabilities(
            operations: Set(WalletCapabilities.Operation.allCases),
            walletCurrency: configuration.walletCurrency,
            currencies: configuration.merchantCurrencies
        )
    }

    // MARK: Pay

    /// `pay` with `AGREEMENT_PAYMENT`; the customer credential is the `paymentMethodId`.
    public func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(request.merchantReference, field: "paymentRequestId")
        let amount = try Self.wireAmount(request.amount)
        let body = AlipayPlusWire.PayRequest(
            productCode: configuration.productCode,
            paymentRequestId: request.merchantReference,
            order: .init(referenceOrderId: request.merchantReference, orderDescription: request.orderDescription, orderAmount: amount),
            paymentAmount: amount,
            paymentMethod: .init(paymentMethodType: configuration.paymentMethodType, paymentMethodId: request.customer.value),
            paymentNotifyUrl: request.notifyURL ?? configuration.notifyURL,
            paymentRedirectUrl: request.redirectURL,
            env: .init(terminalType: configuration.terminalType)
        )
        let reply: AlipayPlusWire.PaymentReply
        do {
            reply = try await exchange.send(configuration.paths.pay, body, as: AlipayPlusWire.PaymentReply.self)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: request.merchantReference, amount: request.amount)
        }
        guard let result = reply.result else {
            return PaymentResult.unknown(.init(.invalidPartnerResponse, "the pay reply has no result"), merchantReference: request.merchantReference, amount: request.amount)
        }
        if result.resultCode == "REPEAT_REQ_INCONSISTENT" {
            throw AlipayPlusResultMapping.error(result, "paymentRequestId \(request.merchantReference) was already used with different content; the original payment stands")
        }
        let status = AlipayPlusResultMapping.paymentStatus(result, nextAction: AlipayPlusResultMapping.nextAction(reply.actionForm))
        return checked(reply, status: status, reference: request.merchantReference, expected: request.amount, partner: result)
    }

    // MARK: Inquire

    /// `inquiryPayment` by paymentRequestId (and paymentId when known). `ORDER_NOT_EXIST` is
    /// unknown (`notFound`), not failure: shortly after a pay the wallet may not know it yet.
    public func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(query.merchantReference, field: "paymentRequestId")
        let body = AlipayPlusWire.PaymentLookup(paymentRequestId: query.merchantReference, paymentId: query.walletReference)
        let reply: AlipayPlusWire.PaymentReply
        do {
            reply = try await exchange.send(configuration.paths.inquiryPayment, body, as: AlipayPlusWire.PaymentReply.self)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
        guard let result = reply.result else {
            return PaymentResult.unknown(.init(.invalidPartnerResponse, "the inquiry reply has no result"), merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
        switch result.resultStatus {
        case "S":
            let status: PaymentStatus
            if reply.paymentStatus == "CANCELLED" {
                // Alipay+ reports a closed order as F in paymentResult; Antom's paymentStatus says why.
                status = .cancelled
            } else if let paymentResult = reply.paymentResult {
                status = AlipayPlusResultMapping.paymentStatus(paymentResult, nextAction: AlipayPlusResultMapping.nextAction(reply.actionForm))
            } else if let antom = reply.paymentStatus, let mapped = AlipayPlusResultMapping.paymentStatus(antom: antom, result: result) {
                status = mapped
            } else {
                return PaymentResult.unknown(.init(.invalidPartnerResponse, "the inquiry reply has neither paymentResult nor a known paymentStatus"), merchantReference: query.merchantReference, amount: query.expectedAmount)
            }
            return checked(reply, status: status, reference: query.merchantReference, expected: query.expectedAmount, partner: reply.paymentResult ?? result)
        case "F" where result.resultCode == "ORDER_NOT_EXIST":
            let error = AlipayPlusResultMapping.error(result, "the wallet does not know this payment (yet); inquire again, or treat it as never created once the pay request is known not to have arrived")
            return PaymentResult(status: .unknown(error), merchantReference: query.merchantReference, amount: query.expectedAmount,
                                 partnerResult: AlipayPlusResultMapping.partnerResult(result))
        case "F":
            throw WalletError(AlipayPlusResultMapping.category(of: result.resultCode), "the inquiry was refused",
                              partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: false)
        default:
            let status = AlipayPlusResultMapping.paymentStatus(result, nextAction: nil)
            return PaymentResult(status: status.isFinal ? .unknown(.init(.unknownOutcome, "inquiry undecided")) : status,
                                 merchantReference: query.merchantReference, amount: query.expectedAmount,
                                 partnerResult: AlipayPlusResultMapping.partnerResult(result))
        }
    }

    // MARK: Cancel

    /// `cancelPayment`. When the wallet refuses (F), the payment's real state comes from an
    /// inquiry: a succeeded payment reports succeeded and must be refunded instead.
    public func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(query.merchantReference, field: "paymentRequestId")
        let body = AlipayPlusWire.PaymentLookup(paymentRequestId: query.merchantReference, paymentId: query.walletReference)
        let reply: AlipayPlusWire.CancelReply
        do {
            reply = try await exchange.send(configuration.paths.cancelPayment, body, as: AlipayPlusWire.CancelReply.self)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
        guard let result = reply.result else {
            return PaymentResult.unknown(.init(.invalidPartnerResponse, "the cancel reply has no result"), merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
        switch result.resultStatus {
        case "S":
            return PaymentResult(status: .cancelled, merchantReference: query.merchantReference, walletReference: reply.paymentId ?? query.walletReference,
                                 amount: query.expectedAmount, partnerResult: AlipayPlusResultMapping.partnerResult(result), completedAt: reply.cancelTime)
        case "F":
            // The payment could not be cancelled (often: it already succeeded). Its real state
            // is what an inquiry says; a succeeded payment must be refunded instead.
            return try await inquire(query)
        default:
            return PaymentResult(status: .unknown(WalletError(.unknownOutcome, "the cancel is undecided (\(result.resultStatus)/\(result.resultCode)); retry it",
                                                             partnerCode: result.resultCode, partnerMessage: result.resultMessage)),
                                 merchantReference: query.merchantReference, amount: query.expectedAmount,
                                 partnerResult: AlipayPlusResultMapping.partnerResult(result))
        }
    }

    // MARK: Refund

    /// `refund`, keyed by `refundRequestId`; finds the `paymentId` by inquiry when the request
    /// has no wallet reference. `REFUND_IN_PROCESS` is pending.
    public func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult {
        try Self.checkReference(request.refundReference, field: "refundRequestId")
        let amount = try Self.wireAmount(request.amount)
        var paymentID = request.walletReference
        if paymentID == nil {
            let payment = try await inquire(PaymentQuery(merchantReference: request.merchantReference))
            guard let found = payment.walletReference else {
                throw WalletError(.notFound, "payment \(request.merchantReference) has no wallet reference yet (status \(payment.status.name)); refund it once it has succeeded", mayHaveCharged: false)
            }
            paymentID = found
        }
        let body = AlipayPlusWire.RefundRequest(
            refundRequestId: request.refundReference,
            paymentId: paymentID ?? "",
            paymentRequestId: request.merchantReference,
            refundAmount: amount,
            refundReason: request.reason
        )
        let reply: AlipayPlusWire.RefundReply
        do {
            reply = try await exchange.send(configuration.paths.refund, body, as: AlipayPlusWire.RefundReply.self)
        } catch {
            guard error.mayHaveCharged else { throw error }
            return RefundResult(status: .unknown(error), refundReference: request.refundReference, merchantReference: request.merchantReference, amount: request.amount)
        }
        guard let result = reply.result else {
            return RefundResult(status: .unknown(.init(.invalidPartnerResponse, "the refund reply has no result")), refundReference: request.refundReference,
                                merchantReference: request.merchantReference, amount: request.amount)
        }
        if result.resultCode == "REPEAT_REQ_INCONSISTENT" {
            throw AlipayPlusResultMapping.error(result, "refundRequestId \(request.refundReference) was already used with different content; the original refund stands")
        }
        var status = Self.refundStatus(result)
        if case .succeeded = status, let echoed = reply.refundAmount, (try? echoed.money()) != request.amount {
            status = .unknown(WalletError(.invalidPartnerResponse, "the refund reply's amount \(echoed.value) \(echoed.currency) does not match the requested \(request.amount)"))
        }
        return RefundResult(status: status, refundReference: request.refundReference, walletRefundReference: reply.refundId,
                            merchantReference: request.merchantReference, amount: request.amount, partnerResult: AlipayPlusResultMapping.partnerResult(result))
    }

    /// `inquiryRefund` by refundRequestId (and refundId when known).
    public func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult {
        try Self.checkReference(query.refundReference, field: "refundRequestId")
        let body = AlipayPlusWire.RefundLookup(refundRequestId: query.refundReference, refundId: query.walletRefundReference)
        let reply: AlipayPlusWire.RefundReply
        do {
            reply = try await exchange.send(configuration.paths.inquiryRefund, body, as: AlipayPlusWire.RefundReply.self)
        } catch {
            guard error.mayHaveCharged else { throw error }
            return RefundResult(status: .unknown(error), refundReference: query.refundReference, merchantReference: query.merchantReference, amount: nil)
        }
        guard let result = reply.result else {
            return RefundResult(status: .unknown(.init(.invalidPartnerResponse, "the refund inquiry reply has no result")), refundReference: query.refundReference, amount: nil)
        }
        let amount = try? reply.refundAmount?.money()
        let status: RefundStatus
        switch (result.resultStatus, reply.refundStatus) {
        case ("S", "SUCCESS"?): status = .succeeded
        case ("S", "PROCESSING"?): status = .pending
        case ("S", "FAIL"?): status = .failed(WalletError(.declined, "the refund failed", partnerCode: result.resultCode, partnerMessage: result.resultMessage))
        case ("F", _) where result.resultCode == "REFUND_NOT_EXIST":
            status = .unknown(AlipayPlusResultMapping.error(result, "the wallet does not know this refund (yet)"))
        case ("F", _):
            throw WalletError(AlipayPlusResultMapping.category(of: result.resultCode), "the refund inquiry was refused",
                              partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: false)
        default:
            status = .unknown(WalletError(.unknownOutcome, "the refund state is undecided", partnerCode: result.resultCode, partnerMessage: result.resultMessage))
        }
        return RefundResult(status: status, refundReference: query.refundReference, walletRefundReference: reply.refundId,
                            merchantReference: query.merchantReference, amount: amount ?? nil, partnerResult: AlipayPlusResultMapping.partnerResult(result))
    }

    // MARK: Helpers

    static func refundStatus(_ result: AlipayPlusWire.Result) -> RefundStatus {
        switch result.resultStatus {
        case "S": return .succeeded
        case "F": return .failed(AlipayPlusResultMapping.error(result, "the wallet refused the refund"))
        case "U" where result.resultCode == "REFUND_IN_PROCESS": return .pending
        default:
            return .unknown(WalletError(.unknownOutcome, "the refund is undecided (\(result.resultStatus)/\(result.resultCode)); inquire it",
                                        partnerCode: result.resultCode, partnerMessage: result.resultMessage))
        }
    }

    /// Builds the common result from a payment reply, demoting it to unknown when the reply
    /// is about another payment or another amount.
    func checked(_ reply: AlipayPlusWire.PaymentReply, status: PaymentStatus, reference: String, expected: Money?, partner: AlipayPlusWire.Result?) -> PaymentResult {
        var result = PaymentResult(
            status: status,
            merchantReference: reference,
            walletReference: reply.paymentId,
            amount: expected,
            quote: AlipayPlusResultMapping.quote(reply.paymentQuote),
            partnerResult: AlipayPlusResultMapping.partnerResult(partner),
            completedAt: reply.paymentTime
        )
        if let echoed = reply.paymentRequestId, echoed != reference {
            result.status = .unknown(WalletError(.invalidPartnerResponse, "the reply is about paymentRequestId \(echoed), not \(reference)"))
            return result
        }
        do {
            let confirmed = try reply.paymentAmount?.money()
            if let expected, let confirmed, confirmed != expected {
                result.status = .unknown(WalletError(.invalidPartnerResponse, "the reply's amount \(confirmed) does not match the requested \(expected)"))
                return result
            }
            if case .succeeded = status, confirmed == nil {
                result.status = .unknown(WalletError(.invalidPartnerResponse, "a successful reply must state the paymentAmount"))
                return result
            }
            result.amount = confirmed ?? expected
            result.customerAmount = try (reply.customerPayAmount ?? reply.payToAmount)?.money()
        } catch {
            result.status = .unknown(WalletError(.invalidPartnerResponse, "the reply carries a malformed amount: \(error.message)"))
        }
        return result
    }



    static func wireAmount(_ money: Money) throws(WalletError) -> AlipayPlusAmount {
        do {
            return try AlipayPlusAmount(money)
        } catch {
            throw WalletError(.invalidRequest, error.message, mayHaveCharged: false)
        }
    }

    static func checkReference(_ reference: String, field: String) throws(WalletError) {
        guard (1...64).contains(reference.utf8.count) else {
            throw WalletError(.invalidRequest, "\(field) must be 1 to 64 bytes, got \(reference.utf8.count)", mayHaveCharged: false)
        }
    }
}
