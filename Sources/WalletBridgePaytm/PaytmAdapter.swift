import Foundation
import WalletBridgeCore
import WalletBridgeTransport

/// The Paytm-style wallet (India) on its JSON APIs: initiate transaction, transaction status,
/// refund and refund status, each in a `{"head":…,"body":…}` envelope whose body carries an
/// AES checksum in `head.signature`.
///
/// `pay` initiates the order and reports it pending with the `txnToken` as the next action
/// (the customer completes it in Paytm's checkout); `inquire` reads the final state. Every
/// reply must carry a checksum that verifies over its body as received, or the outcome is
/// unknown. Paytm has no cancel in this flow: an order that is never paid expires.
public struct PaytmAdapter: WalletAdapter {
    /// Endpoints, merchant id and key.
    public let configuration: PaytmConfiguration
    /// The name callers know the wallet by (`paytm`).
    public let walletName: String
    let exchange: PaytmExchange

    /// Creates an adapter.
    /// - Parameters:
    ///   - walletName: The name callers know the wallet by (`paytm`).
    ///   - clock: Source of `head.requestTimestamp`, injectable for tests.
    public init(walletName: String = "paytm", configuration: PaytmConfiguration, transport: any HTTPTransport, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.walletName = walletName
        self.configuration = configuration
        self.exchange = PaytmExchange(configuration: configuration, transport: transport, clock: clock)
    }

    /// Pay, inquire, refund, refund inquiry and notifications; INR only; no cancel.
    public var capabilities: WalletCapabilities {
        WalletCapabilities(operations: [.pay, .inquire, .refund, .inquireRefund, .notifications], walletCurrency: .inr, currencies: [.inr])
    }

    // MARK: Pay

    /// Initiate transaction. S gives a `txnToken`: the payment is pending until the customer
    /// completes checkout, so the result is `pending(.token(txnToken))`. F means nothing was
    /// started (failed); `325` (the orderId is taken with other content) throws
    /// `inconsistentRequest`.
    public func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(request.merchantReference, field: "orderId")
        let amount = try PaytmAmount.text(request.amount)
        let body = PaytmWire.InitiateRequest(
            mid: configuration.merchantID,
            websiteName: configuration.websiteName,
            orderId: request.merchantReference,
            txnAmount: .init(value: amount, currency: "INR"),
            userInfo: .init(custId: request.customer.value),
            callbackUrl: request.notifyURL ?? configuration.callbackURL
        )
        let reply: PaytmWire.InitiateReply
        do {
            reply = try await exchange.send(configuration.paths.initiateTransaction, query: query(orderId: request.merchantReference), body, as: PaytmWire.InitiateReply.self)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: request.merchantReference, amount: request.amount)
        }
        guard let info = reply.resultInfo else {
            return PaymentResult.unknown(.init(.invalidPartnerResponse, "the initiate reply has no resultInfo"), merchantReference: request.merchantReference, amount: request.amount)
        }
        let partner = PaytmResultMapping.partnerResult(info)
        switch info.resultStatus {
        case "S":
            guard let token = reply.txnToken, !token.isEmpty else {
                return PaymentResult.unknown(.init(.invalidPartnerResponse, "the initiate reply says S but carries no txnToken"), merchantReference: request.merchantReference, amount: request.amount)
            }
            return PaymentResult(status: .pending(.token(token)), merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        case "F" where info.resultCode == "325":
            throw PaytmResultMapping.error(info, "orderId \(request.merchantReference) was already used with different content; the original order stands", mayHaveCharged: true)
        case "F":
            return PaymentResult(status: .failed(PaytmResultMapping.error(info, "Paytm refused to start the payment", mayHaveCharged: false)),
                                 merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        default:
            return PaymentResult(status: .unknown(PaytmResultMapping.unknown(info, "the initiate is undecided (\(info.resultStatus)); query the order")),
                                 merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        }
    }

    // MARK: Inquire

    /// Transaction status by orderId. The reply must be about this order and, when known, this
    /// amount; a success must state its amount.
    public func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(query.merchantReference, field: "orderId")
        let body = PaytmWire.StatusRequest(mid: configuration.merchantID, orderId: query.merchantReference)
        let reply: PaytmWire.StatusReply
        do {
            reply = try await exchange.send(configuration.paths.transactionStatus, body, as: PaytmWire.StatusReply.self)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
        guard let info = reply.resultInfo else {
            return PaymentResult.unknown(.init(.invalidPartnerResponse, "the status reply has no resultInfo"), merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
        if info.resultStatus == "F", info.resultCode != "334" {
            throw PaytmResultMapping.error(info, "the status query was refused", mayHaveCharged: false)
        }
        var result = PaymentResult(
            status: PaytmResultMapping.paymentStatus(info),
            merchantReference: query.merchantReference,
            walletReference: reply.txnId.flatMap { $0.isEmpty ? nil : $0 } ?? query.walletReference,
            amount: query.expectedAmount,
            partnerResult: PaytmResultMapping.partnerResult(info),
            completedAt: reply.txnDate.flatMap { $0.isEmpty ? nil : $0 }
        )
        if let echoed = reply.orderId, !echoed.isEmpty, echoed != query.merchantReference {
            result.status = .unknown(WalletError(.invalidPartnerResponse, "the reply is about orderId \(echoed), not \(query.merchantReference)"))
            return result
        }
        if let mid = reply.mid, !mid.isEmpty, mid != configuration.merchantID {
            result.status = .unknown(WalletError(.invalidPartnerResponse, "the reply is for mid \(mid), not ours"))
            return result
        }
        do throws(WalletError) {
            let confirmed = try reply.txnAmount.flatMap { $0.isEmpty ? nil : $0 }.map { text throws(WalletError) in try PaytmAmount.money(text) }
            if let expected = query.expectedAmount, let confirmed, confirmed != expected {
                result.status = .unknown(WalletError(.invalidPartnerResponse, "the reply's amount \(confirmed) does not match the order's \(expected)"))
                return result
            }
            if case .succeeded = result.status, confirmed == nil {
                result.status = .unknown(WalletError(.invalidPartnerResponse, "a TXN_SUCCESS reply must state the txnAmount"))
                return result
            }
            result.amount = confirmed ?? query.expectedAmount
        } catch {
            result.status = .unknown(error)
        }
        return result
    }

    /// Not offered by Paytm for this flow.
    /// - Throws: ``WalletError`` `invalidRequest`, always.
    public func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        throw WalletError(.invalidRequest, "Paytm has no cancel for this flow: an initiated order that is never paid expires; refund a paid one", mayHaveCharged: false)
    }

    // MARK: Refund

    /// Refund apply, keyed by `refId`; finds the `txnId` by a status query when the request
    /// has no wallet reference. PENDING (`601`) is pending. A duplicate `refId` (`617`) is
    /// looked up: the original refund is returned when it is the same amount, otherwise the
    /// error is thrown.
    public func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult {
        try Self.checkReference(request.refundReference, field: "refId")
        try Self.checkReference(request.merchantReference, field: "orderId")
        let amount = try PaytmAmount.text(request.amount)
        var txnID = request.walletReference
        if txnID == nil {
            let payment = try await inquire(PaymentQuery(merchantReference: request.merchantReference))
            guard case .succeeded = payment.status, let found = payment.walletReference else {
                throw WalletError(.invalidRequest, "order \(request.merchantReference) is \(payment.status.name), not a succeeded payment with a txnId; only those can be refunded", mayHaveCharged: false)
            }
            txnID = found
        }
        let body = PaytmWire.RefundRequest(mid: configuration.merchantID, orderId: request.merchantReference, txnId: txnID ?? "",
                                           refId: request.refundReference, refundAmount: amount, comments: request.reason)
        let reply: PaytmWire.RefundReply
        do {
            reply = try await exchange.send(configuration.paths.refund, body, as: PaytmWire.RefundReply.self)
        } catch {
            guard error.mayHaveCharged else { throw error }
            return RefundResult(status: .unknown(error), refundReference: request.refundReference, merchantReference: request.merchantReference, amount: request.amount)
        }
        guard let info = reply.resultInfo else {
            return RefundResult(status: .unknown(.init(.invalidPartnerResponse, "the refund reply has no resultInfo")), refundReference: request.refundReference,
                                merchantReference: request.merchantReference, amount: request.amount)
        }
        if info.resultCode == "617" {
            // The refId is taken: by this very refund (a retry), or by another one.
            let original = try await inquireRefund(RefundQuery(refundReference: request.refundReference, merchantReference: request.merchantReference))
            if original.amount == request.amount, original.status.error?.category != .notFound { return original }
            throw PaytmResultMapping.error(info, "refId \(request.refundReference) was already used for another refund of this order; the original stands")
        }
        var status = PaytmResultMapping.refundStatus(info)
        if status.error == nil, let echoed = reply.refundAmount, !echoed.isEmpty {
            do throws(WalletError) {
                let money = try PaytmAmount.money(echoed)
                if money != request.amount {
                    status = .unknown(WalletError(.invalidPartnerResponse, "the refund reply's amount \(money) does not match the requested \(request.amount)"))
                }
            } catch {
                status = .unknown(error)
            }
        }
        return RefundResult(status: status, refundReference: request.refundReference, walletRefundReference: reply.refundId.flatMap { $0.isEmpty ? nil : $0 },
                            merchantReference: request.merchantReference, amount: request.amount, partnerResult: PaytmResultMapping.partnerResult(info))
    }

    /// Refund status by orderId and refId (Paytm needs both).
    public func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult {
        try Self.checkReference(query.refundReference, field: "refId")
        guard let orderID = query.merchantReference else {
            throw WalletError(.invalidRequest, "Paytm's refund status needs the payment's orderId (RefundQuery.merchantReference)", mayHaveCharged: false)
        }
        try Self.checkReference(orderID, field: "orderId")
        let body = PaytmWire.RefundStatusRequest(mid: configuration.merchantID, orderId: orderID, refId: query.refundReference)
        let reply: PaytmWire.RefundReply
        do {
            reply = try await exchange.send(configuration.paths.refundStatus, body, as: PaytmWire.RefundReply.self)
        } catch {
            guard error.mayHaveCharged else { throw error }
            return RefundResult(status: .unknown(error), refundReference: query.refundReference, merchantReference: orderID, amount: nil)
        }
        guard let info = reply.resultInfo else {
            return RefundResult(status: .unknown(.init(.invalidPartnerResponse, "the refund status reply has no resultInfo")), refundReference: query.refundReference,
                                merchantReference: orderID, amount: nil)
        }
        var status = PaytmResultMapping.refundStatus(info)
        var amount: Money?
        if let text = reply.refundAmount, !text.isEmpty {
            do throws(WalletError) { amount = try PaytmAmount.money(text) } catch { status = .unknown(error) }
        }
        if let echoed = reply.refId, !echoed.isEmpty, echoed != query.refundReference {
            status = .unknown(WalletError(.invalidPartnerResponse, "the reply is about refId \(echoed), not \(query.refundReference)"))
        }
        return RefundResult(status: status, refundReference: query.refundReference, walletRefundReference: reply.refundId.flatMap { $0.isEmpty ? nil : $0 },
                            merchantReference: orderID, amount: amount, partnerResult: PaytmResultMapping.partnerResult(info))
    }

    // MARK: Helpers

    private func query(orderId: String) -> String {
        "mid=\(Self.queryEscaped(configuration.merchantID))&orderId=\(Self.queryEscaped(orderId))"
    }

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~@")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }



    /// orderId and refId: 1 to 50 characters of letters, digits and `@ - _ .`.
    static func checkReference(_ reference: String, field: String) throws(WalletError) {
        let allowed: (Unicode.Scalar) -> Bool = {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "@-_.".unicodeScalars.contains($0)
        }
        guard (1...50).contains(reference.unicodeScalars.count), reference.unicodeScalars.allSatisfy(allowed) else {
            throw WalletError(.invalidRequest, "\(field) must be 1 to 50 characters of letters, digits and @ - _ . (got \"\(reference)\")", mayHaveCharged: false)
        }
    }
}
