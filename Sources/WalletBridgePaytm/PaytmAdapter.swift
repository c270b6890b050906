import Foundation
import WalletBridgeCore
import WalletBridgeHTTP

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
    /// Auto Debit: Paytm's `state_token` of each OTP sent, by our state (shared by copies).
    let otpSessions = PaytmOTPSessions()
    /// Where Auto Debit calls go (the same transport as the exchange).
    var transport: any HTTPTransport { exchange.transport }

    /// Creates an adapter.
    /// - Parameters:
    ///   - walletName: The name callers know the wallet by (`paytm`).
    ///   - configuration: Endpoints, the merchant id and key
    ///     (``PaytmConfiguration/init(profile:)`` builds one from a profile).
    ///   - transport: Where requests go (`CurlTransport` in production).
    ///   - clock: Source of `head.requestTimestamp`, injectable for tests.
    public init(
        walletName: String = "paytm", configuration: PaytmConfiguration, transport: any HTTPTransport,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.walletName = walletName
        self.configuration = configuration
        self.exchange = PaytmExchange(configuration: configuration, transport: transport, clock: clock)
    }

    /// Pay, inquire, refund, refund inquiry and notifications; INR only; no cancel.
    public var capabilities: WalletCapabilities { Self.fixedCapabilities }

    /// Built once: the client reads the capabilities on every call.
    private static let fixedCapabilities = WalletCapabilities(
        operations: [.pay, .inquire, .refund, .inquireRefund, .notifications], walletCurrency: .inr, currencies: [.inr],
        refundNeedsWalletReference: true)

    // MARK: Pay

    /// Initiate transaction. S gives a `txnToken`: the payment is pending until the customer
    /// completes checkout, so the result is `pending(.token(txnToken))`. F means nothing was
    /// started (failed); `325` (the orderId is taken with other content) throws
    /// `inconsistentRequest`.
    ///
    /// A payment that names a stored authorization (`PaymentRequest/authorization`), or any
    /// payment when the profile sets `autoDebit=true`, is an Auto Debit withdraw instead
    /// (``withdraw(_:)``): one step, with the SSO token as the customer.
    public func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult {
        if request.authorization != nil || configuration.autoDebit?.always == true {
            return try await withdraw(request)
        }
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
            reply = try await exchange.send(
                configuration.paths.initiateTransaction, query: query(orderId: request.merchantReference), body, as: PaytmWire.InitiateReply.self)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: request.merchantReference, amount: request.amount)
        }
        guard let info = reply.resultInfo else {
            return PaymentResult.unknown(
                .init(.invalidPartnerResponse, "the initiate reply has no resultInfo"), merchantReference: request.merchantReference,
                amount: request.amount)
        }
        let partner = PaytmResultMapping.partnerResult(info)
        switch info.resultStatus {
        case "S":
            guard let token = reply.txnToken, !token.isEmpty else {
                return PaymentResult.unknown(
                    .init(.invalidPartnerResponse, "the initiate reply says S but carries no txnToken"), merchantReference: request.merchantReference,
                    amount: request.amount)
            }
            return PaymentResult(
                status: .pending(.token(token)), merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        case "F" where info.resultCode == "325":
            throw PaytmResultMapping.error(
                info, "orderId \(request.merchantReference) was already used with different content; the original order stands", mayHaveCharged: true)
        case "F":
            return PaymentResult(
                status: .failed(PaytmResultMapping.error(info, "Paytm refused to start the payment", mayHaveCharged: false)),
                merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        default:
            return PaymentResult(
                status: .unknown(PaytmResultMapping.unknown(info, "the initiate is undecided (\(info.resultStatus)); query the order")),
                merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        }
    }

    /// The status API decides: query a pending order with capped exponential backoff (1 s
    /// doubling up to 30 s) until the order's validity ends.
    public var reconciliationRule: ReconciliationRule {
        .queryUntilExpiry(validity: configuration.orderValidity, initial: .seconds(1), cap: .seconds(30))
    }

    // MARK: Inquire

    /// Transaction status by orderId. A success must be bound: the reply names this orderId
    /// (or the txnId we hold) and states our amount; nothing it names (orderId, txnId, mid,
    /// amount) may contradict the query. A refused or failed query throws: it says nothing
    /// about the payment.
    public func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(query.merchantReference, field: "orderId")
        let body = PaytmWire.StatusRequest(mid: configuration.merchantID, orderId: query.merchantReference)
        let reply = try await exchange.send(configuration.paths.transactionStatus, body, as: PaytmWire.StatusReply.self)
        guard let info = reply.resultInfo else {
            throw WalletError(.invalidPartnerResponse, "the status reply has no resultInfo")
        }
        if info.resultStatus == "F", info.resultCode != "334" {
            throw PaytmResultMapping.error(info, "the status query was refused", mayHaveCharged: false)
        }
        let mapped = PaytmResultMapping.paymentStatus(info)
        if case .unknown(let error) = mapped, error.category != .notFound {
            // Undecided says nothing about the payment: an inquiry-level error, like the other schemes.
            throw error
        }
        let binding = ReplyBinding(
            references: [
                .ours("orderId", held: query.merchantReference, named: reply.orderId),
                .wallets("txnId", held: query.walletReference, named: reply.txnId),
                .context("mid", held: configuration.merchantID, named: reply.mid),
            ],
            expectedAmount: query.expectedAmount,
            statedAmount: Self.stated(reply.txnAmount))
        return PaymentResult(
            status: binding.payment(mapped),
            merchantReference: query.merchantReference,
            walletReference: query.walletReference ?? binding.lends(reply.txnId),
            amount: binding.confirmedAmount ?? query.expectedAmount,
            partnerResult: PaytmResultMapping.partnerResult(info),
            completedAt: reply.txnDate.flatMap { $0.isEmpty ? nil : $0 },
            completedAtInstant: reply.txnDate.flatMap(PaytmTimestamp.parse)
        )
    }

    /// Not offered by Paytm for this flow.
    /// - Throws: `WalletError` `invalidRequest`, always.
    public func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        throw WalletError(
            .invalidRequest, "Paytm has no cancel for this flow: an initiated order that is never paid expires; refund a paid one",
            mayHaveCharged: false)
    }

    // MARK: Refund

    /// Refund apply, keyed by `refId`; needs the payment's `txnId` (the client looks it up
    /// first when the request has none). PENDING (`601`) is pending. A duplicate `refId`
    /// (`617`) throws `duplicate`: the client reads the original refund.
    public func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult {
        try Self.checkReference(request.refundReference, field: "refId")
        try Self.checkReference(request.merchantReference, field: "orderId")
        let amount = try PaytmAmount.text(request.amount)
        guard let txnID = request.walletReference else {
            throw WalletError(.invalidRequest, "a Paytm refund needs the payment's txnId (RefundRequest.walletReference)", mayHaveCharged: false)
        }
        let body = PaytmWire.RefundRequest(
            mid: configuration.merchantID, orderId: request.merchantReference, txnId: txnID,
            refId: request.refundReference, refundAmount: amount, comments: request.reason)
        let reply: PaytmWire.RefundReply
        do {
            reply = try await exchange.send(configuration.paths.refund, body, as: PaytmWire.RefundReply.self)
        } catch {
            return try RefundResult.unknownOrThrow(error, request)
        }
        guard let info = reply.resultInfo else {
            return RefundResult(
                status: .unknown(.init(.invalidPartnerResponse, "the refund reply has no resultInfo")), refundReference: request.refundReference,
                merchantReference: request.merchantReference, amount: request.amount)
        }
        if info.resultCode == "617" {
            throw PaytmResultMapping.error(info, "refId \(request.refundReference) is already taken for this order", mayHaveCharged: false)
        }
        let binding = ReplyBinding(
            references: [
                .ours("refId", held: request.refundReference, named: reply.refId),
                .context("orderId", held: request.merchantReference, named: reply.orderId),
                .context("txnId", held: txnID, named: reply.txnId),
                .context("mid", held: configuration.merchantID, named: reply.mid),
            ],
            expectedAmount: request.amount,
            statedAmount: Self.stated(reply.refundAmount))
        return RefundResult(
            status: binding.refund(PaytmResultMapping.refundStatus(info)), refundReference: request.refundReference,
            walletRefundReference: binding.lends(reply.refundId),
            merchantReference: request.merchantReference, amount: request.amount, partnerResult: PaytmResultMapping.partnerResult(info))
    }

    /// Refund status by orderId and refId (Paytm needs both). A success must name our refId
    /// (or the refundId we hold) and state the refund's amount. A failed query throws.
    public func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult {
        try Self.checkReference(query.refundReference, field: "refId")
        guard let orderID = query.merchantReference else {
            throw WalletError(
                .invalidRequest, "Paytm's refund status needs the payment's orderId (RefundQuery.merchantReference)", mayHaveCharged: false)
        }
        try Self.checkReference(orderID, field: "orderId")
        let body = PaytmWire.RefundStatusRequest(mid: configuration.merchantID, orderId: orderID, refId: query.refundReference)
        let reply = try await exchange.send(configuration.paths.refundStatus, body, as: PaytmWire.RefundReply.self)
        guard let info = reply.resultInfo else {
            throw WalletError(.invalidPartnerResponse, "the refund status reply has no resultInfo")
        }
        if info.resultStatus == "F", info.resultCode != "631" {
            // The query itself was refused (checksum, system error, bad request): it says
            // nothing about the refund.
            throw PaytmResultMapping.error(info, "the refund status query was refused", mayHaveCharged: false)
        }
        let binding = ReplyBinding(
            references: [
                .ours("refId", held: query.refundReference, named: reply.refId),
                .wallets("refundId", held: query.walletRefundReference, named: reply.refundId),
                .context("orderId", held: orderID, named: reply.orderId),
                .context("mid", held: configuration.merchantID, named: reply.mid),
            ],
            expectedAmount: query.expectedAmount,
            statedAmount: Self.stated(reply.refundAmount))
        return RefundResult(
            status: binding.refund(PaytmResultMapping.refundStatus(info)), refundReference: query.refundReference,
            walletRefundReference: query.walletRefundReference ?? binding.lends(reply.refundId),
            merchantReference: orderID, amount: binding.confirmedAmount ?? query.expectedAmount, partnerResult: PaytmResultMapping.partnerResult(info)
        )
    }

    // MARK: Helpers

    private func query(orderId: String) -> String {
        "mid=\(Self.queryEscaped(configuration.merchantID))&orderId=\(Self.queryEscaped(orderId))"
    }

    /// `text` for a query parameter: ASCII letters, digits and `-_.~@` as they are, every other
    /// UTF-8 byte as `%XX` (a byte loop: building a `CharacterSet` per request cost more than
    /// the rest of the request's set-up).
    static func queryEscaped(_ text: String) -> String {
        String(decoding: PercentEncoding.encode(text, keeping: queryKeeps), as: UTF8.self)
    }

    /// Bytes a Paytm query value keeps besides the unreserved ones.
    private static let queryKeeps: [UInt8] = [UInt8(ascii: "@")]

    /// A bare `"10.00"` amount as a reply states it (absent when empty).
    static func stated(_ text: String?) -> ReplyBinding.StatedAmount {
        .init { try text.flatMap { $0.isEmpty ? nil : $0 }.map { text throws(WalletError) in try PaytmAmount.money(text) } }
    }

    /// orderId and refId: 1 to 50 characters of letters, digits and `@ - _ .`.
    static func checkReference(_ reference: String, field: String) throws(WalletError) {
        let allowed: (Unicode.Scalar) -> Bool = {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "@-_.".unicodeScalars.contains($0)
        }
        guard (1...50).contains(reference.unicodeScalars.count), reference.unicodeScalars.allSatisfy(allowed) else {
            throw WalletError(
                .invalidRequest, "\(field) must be 1 to 50 characters of letters, digits and @ - _ . (got \"\(reference)\")", mayHaveCharged: false)
        }
    }
}
