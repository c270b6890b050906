import Foundation
import WalletBridgeCore
import WalletBridgeHTTP

/// The GCash-style wallet on the Alipay+ open API, server to server (auto debit:
/// `AGREEMENT_PAYMENT` with the customer's access token as `paymentMethodId`), and the customer
/// authorization that issues that token (`AuthorizationAdapter`, in `AlipayPlusAuthorization.swift`).
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
    /// Result codes into the common model: the wallet's own codes, then the shared ones.
    let mapping: AlipayPlusResultMapping
    /// Built once from the configuration: the client reads the capabilities on every call.
    private let fixedCapabilities: WalletCapabilities

    /// Creates an adapter.
    /// - Parameters:
    ///   - walletName: The name callers know the wallet by (`gcash`).
    ///   - configuration: Endpoints, identity, keys and the wallet's terms
    ///     (``AlipayPlusConfiguration/init(profile:)`` builds one from a profile).
    ///   - transport: Where requests go (`CurlTransport` in production).
    ///   - clock: Source of `Request-Time`, injectable for tests.
    public init(
        walletName: String = "gcash", configuration: AlipayPlusConfiguration, transport: any HTTPTransport,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.walletName = walletName
        self.configuration = configuration
        self.exchange = AlipayPlusExchange(configuration: configuration, transport: transport, clock: clock)
        self.mapping = AlipayPlusResultMapping(walletCodes: configuration.resultCodes)
        self.fixedCapabilities = WalletCapabilities(
            operations: Set(WalletCapabilities.Operation.allCases),
            walletCurrency: configuration.walletCurrency,
            currencies: configuration.merchantCurrencies,
            refundNeedsWalletReference: true
        )
    }

    /// Every operation; the configured merchant currencies; no stated amount limits.
    public var capabilities: WalletCapabilities { fixedCapabilities }

    /// Alipay+ auto debit: inquire every 3 s for up to 60 s, then cancel (configurable in
    /// ``AlipayPlusConfiguration/reconciliation``).
    public var reconciliationRule: ReconciliationRule { configuration.reconciliation }

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
            return PaymentResult.unknown(
                .init(.invalidPartnerResponse, "the pay reply has no result"), merchantReference: request.merchantReference, amount: request.amount)
        }
        if result.resultCode == "REPEAT_REQ_INCONSISTENT" {
            throw mapping.error(
                result, "paymentRequestId \(request.merchantReference) was already used with different content; the original payment stands")
        }
        var status = mapping.paymentStatus(result, nextAction: AlipayPlusResultMapping.nextAction(reply.actionForm))
        if case .failed(let error) = status, let problem = AlipayPlusResultMapping.payAuthorizationProblem(result.resultCode) {
            // A verified refusal of the customer's access token: nothing was charged; the
            // client refreshes (expired) or records the authorization as revoked.
            status = .failed(
                WalletError(
                    .authenticationFailed, error.message, partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: false
                ).with(authorization: problem))
        }
        return bound(
            reply, status: status, query: PaymentQuery(merchantReference: request.merchantReference, expectedAmount: request.amount), partner: result)
    }

    // MARK: Inquire

    /// `inquiryPayment` by paymentRequestId (and paymentId when known). `ORDER_NOT_EXIST` is
    /// unknown (`notFound`), not failure: shortly after a pay the wallet may not know it yet.
    /// A refused or failed inquiry throws: it says nothing about the payment.
    public func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(query.merchantReference, field: "paymentRequestId")
        let body = AlipayPlusWire.PaymentLookup(paymentRequestId: query.merchantReference, paymentId: query.walletReference)
        let reply = try await exchange.send(configuration.paths.inquiryPayment, body, as: AlipayPlusWire.PaymentReply.self)
        guard let result = reply.result else {
            throw WalletError(.invalidPartnerResponse, "the inquiry reply has no result")
        }
        switch result.resultStatus {
        case "S":
            let status: PaymentStatus
            if reply.paymentStatus == "CANCELLED" {
                // Alipay+ reports a closed order as F in paymentResult; Antom's paymentStatus says why.
                status = .cancelled
            } else if let paymentResult = reply.paymentResult {
                status = mapping.paymentStatus(paymentResult, nextAction: AlipayPlusResultMapping.nextAction(reply.actionForm))
            } else if let antom = reply.paymentStatus, let mapped = AlipayPlusResultMapping.paymentStatus(antom: antom, result: result) {
                status = mapped
            } else {
                throw WalletError(.invalidPartnerResponse, "the inquiry reply has neither paymentResult nor a known paymentStatus")
            }
            return bound(reply, status: status, query: query, partner: reply.paymentResult ?? result)
        case "F" where result.resultCode == "ORDER_NOT_EXIST":
            let error = mapping.error(
                result,
                "the wallet does not know this payment (yet); inquire again, or treat it as never created once the pay request is known not to have arrived"
            )
            // "Not found" drives the never-arrived rule, so it must not be about another payment.
            let binding = ReplyBinding(
                references: [
                    .ours("paymentRequestId", held: query.merchantReference, named: reply.paymentRequestId),
                    .wallets("paymentId", held: query.walletReference, named: reply.paymentId),
                ],
                expectedAmount: query.expectedAmount, statedAmount: .absent)
            return PaymentResult(
                status: binding.payment(.unknown(error)), merchantReference: query.merchantReference, walletReference: query.walletReference,
                amount: query.expectedAmount,
                partnerResult: AlipayPlusResultMapping.partnerResult(result))
        case "F":
            throw WalletError(
                mapping.category(of: result.resultCode), "the inquiry was refused",
                partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: false)
        default:
            throw WalletError(
                mapping.category(of: result.resultCode) == .rateLimited ? .rateLimited : .unknownOutcome,
                "the inquiry is undecided (\(result.resultStatus)/\(result.resultCode)); inquire again",
                partnerCode: result.resultCode, partnerMessage: result.resultMessage)
        }
    }

    // MARK: Cancel

    /// `cancelPayment`: one call. S is `cancelled` when the reply is bound (a cancel reply
    /// names no amount, so the client confirms it with an inquiry); F throws the refusal (the
    /// client then inquires the payment's real state); U is unknown.
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
            return PaymentResult.unknown(
                .init(.invalidPartnerResponse, "the cancel reply has no result"), merchantReference: query.merchantReference,
                amount: query.expectedAmount)
        }
        switch result.resultStatus {
        case "S":
            let binding = ReplyBinding(
                references: [
                    .ours("paymentRequestId", held: query.merchantReference, named: reply.paymentRequestId),
                    .wallets("paymentId", held: query.walletReference, named: reply.paymentId),
                ],
                expectedAmount: query.expectedAmount, statedAmount: .absent)
            return PaymentResult(
                status: binding.payment(.cancelled), merchantReference: query.merchantReference,
                walletReference: query.walletReference ?? binding.lends(reply.paymentId),
                amount: query.expectedAmount,
                partnerResult: AlipayPlusResultMapping.partnerResult(result), completedAt: reply.cancelTime,
                completedAtInstant: reply.cancelTime.flatMap(TimestampText.parse))
        case "F":
            throw WalletError(
                mapping.category(of: result.resultCode), "the wallet refused the cancel",
                partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: false)
        default:
            return PaymentResult(
                status: .unknown(
                    WalletError(
                        .unknownOutcome, "the cancel is undecided (\(result.resultStatus)/\(result.resultCode)); retry it",
                        partnerCode: result.resultCode, partnerMessage: result.resultMessage)),
                merchantReference: query.merchantReference, amount: query.expectedAmount,
                partnerResult: AlipayPlusResultMapping.partnerResult(result))
        }
    }

    // MARK: Refund

    /// `refund`, keyed by `refundRequestId`; needs the payment's `paymentId` (the client looks
    /// it up first when the request has none). `REFUND_IN_PROCESS` is pending.
    public func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult {
        try Self.checkReference(request.refundReference, field: "refundRequestId")
        try Self.checkReference(request.merchantReference, field: "paymentRequestId")
        let amount = try Self.wireAmount(request.amount)
        guard let paymentID = request.walletReference else {
            throw WalletError(
                .invalidRequest, "an Alipay+ refund needs the payment's paymentId (RefundRequest.walletReference)", mayHaveCharged: false)
        }
        let body = AlipayPlusWire.RefundRequest(
            refundRequestId: request.refundReference,
            paymentId: paymentID,
            paymentRequestId: request.merchantReference,
            refundAmount: amount,
            refundReason: request.reason
        )
        let reply: AlipayPlusWire.RefundReply
        do {
            reply = try await exchange.send(configuration.paths.refund, body, as: AlipayPlusWire.RefundReply.self)
        } catch {
            return try RefundResult.unknownOrThrow(error, request)
        }
        guard let result = reply.result else {
            return RefundResult(
                status: .unknown(.init(.invalidPartnerResponse, "the refund reply has no result")), refundReference: request.refundReference,
                merchantReference: request.merchantReference, amount: request.amount)
        }
        if result.resultCode == "REPEAT_REQ_INCONSISTENT" {
            throw mapping.error(
                result, "refundRequestId \(request.refundReference) was already used with different content; the original refund stands")
        }
        let binding = ReplyBinding(
            references: [
                .ours("refundRequestId", held: request.refundReference, named: reply.refundRequestId),
                .context("paymentId", held: paymentID, named: reply.paymentId),
            ],
            expectedAmount: request.amount, statedAmount: .init { try reply.refundAmount?.money() })
        return RefundResult(
            status: binding.refund(refundStatus(result)), refundReference: request.refundReference,
            walletRefundReference: binding.lends(reply.refundId),
            merchantReference: request.merchantReference, amount: request.amount, partnerResult: AlipayPlusResultMapping.partnerResult(result))
    }

    /// `inquiryRefund` by refundRequestId (and refundId when known). A refused inquiry throws.
    public func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult {
        try Self.checkReference(query.refundReference, field: "refundRequestId")
        let body = AlipayPlusWire.RefundLookup(refundRequestId: query.refundReference, refundId: query.walletRefundReference)
        let reply = try await exchange.send(configuration.paths.inquiryRefund, body, as: AlipayPlusWire.RefundReply.self)
        guard let result = reply.result else {
            throw WalletError(.invalidPartnerResponse, "the refund inquiry reply has no result")
        }
        let status: RefundStatus
        switch (result.resultStatus, reply.refundStatus) {
        case ("S", "SUCCESS"?): status = .succeeded
        case ("S", "PROCESSING"?): status = .pending
        case ("S", "FAIL"?):
            status = .failed(
                WalletError(
                    .declined, "the refund failed", partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: false))
        case ("F", _) where result.resultCode == "REFUND_NOT_EXIST":
            status = .unknown(mapping.error(result, "the wallet does not know this refund (yet)"))
        case ("F", _):
            throw WalletError(
                mapping.category(of: result.resultCode), "the refund inquiry was refused",
                partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: false)
        default:
            throw WalletError(
                .unknownOutcome, "the refund inquiry is undecided (\(result.resultStatus)/\(result.resultCode)); inquire again",
                partnerCode: result.resultCode, partnerMessage: result.resultMessage)
        }
        let binding = ReplyBinding(
            references: [
                .ours("refundRequestId", held: query.refundReference, named: reply.refundRequestId),
                .wallets("refundId", held: query.walletRefundReference, named: reply.refundId),
            ],
            expectedAmount: query.expectedAmount, statedAmount: .init { try reply.refundAmount?.money() })
        return RefundResult(
            status: binding.refund(status), refundReference: query.refundReference,
            walletRefundReference: query.walletRefundReference ?? binding.lends(reply.refundId),
            merchantReference: query.merchantReference, amount: binding.confirmedAmount ?? query.expectedAmount,
            partnerResult: AlipayPlusResultMapping.partnerResult(result))
    }

    // MARK: Helpers

    func refundStatus(_ result: AlipayPlusWire.Result) -> RefundStatus {
        switch result.resultStatus {
        case "S": return .succeeded
        case "F": return .failed(mapping.error(result, "the wallet refused the refund"))
        case "U" where result.resultCode == "REFUND_IN_PROCESS": return .pending
        default:
            return .unknown(
                WalletError(
                    .unknownOutcome, "the refund is undecided (\(result.resultStatus)/\(result.resultCode)); inquire it",
                    partnerCode: result.resultCode, partnerMessage: result.resultMessage))
        }
    }

    /// Builds the common result from a payment reply under ``ReplyBinding``: a success or
    /// cancellation must name our paymentRequestId (or the paymentId we hold) and state our
    /// amount; nothing it names may contradict the request.
    func bound(_ reply: AlipayPlusWire.PaymentReply, status: PaymentStatus, query: PaymentQuery, partner: AlipayPlusWire.Result?) -> PaymentResult {
        let binding = ReplyBinding(
            references: [
                .ours("paymentRequestId", held: query.merchantReference, named: reply.paymentRequestId),
                .wallets("paymentId", held: query.walletReference, named: reply.paymentId),
            ],
            expectedAmount: query.expectedAmount, statedAmount: .init { try reply.paymentAmount?.money() })
        var result = PaymentResult(
            status: binding.payment(status),
            merchantReference: query.merchantReference,
            walletReference: query.walletReference ?? binding.lends(reply.paymentId),
            amount: binding.confirmedAmount ?? query.expectedAmount,
            quote: AlipayPlusResultMapping.quote(reply.paymentQuote),
            partnerResult: AlipayPlusResultMapping.partnerResult(partner),
            completedAt: reply.paymentTime,
            completedAtInstant: reply.paymentTime.flatMap(TimestampText.parse)
        )
        if binding.contradiction == nil {
            result.customerAmount = try? (reply.customerPayAmount ?? reply.payToAmount)?.money()
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

    /// 1 to 64 printable ASCII characters: references are compared byte for byte, so no
    /// Unicode spelling can make two of them look alike.
    static func checkReference(_ reference: String, field: String) throws(WalletError) {
        guard (1...64).contains(reference.utf8.count), reference.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw WalletError(.invalidRequest, "\(field) must be 1 to 64 printable ASCII characters", mayHaveCharged: false)
        }
    }
}
