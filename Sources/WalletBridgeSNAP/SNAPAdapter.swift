import Foundation
import Logging
import WalletBridgeCore
import WalletBridgeHTTP

/// The DANA-style wallet (Indonesia) on Bank Indonesia's SNAP standard: direct debit (54),
/// query (55), cancel (57), refund (58) and the finish notification (56).
///
/// Two modes, chosen in the profile: RSA on every transaction (DANA, the default) or a B2B
/// access token plus HMAC-SHA512 (other SNAP providers). The seven-digit `responseCode` decides:
/// `200xx00` success, `202xx00` in progress (pending), documented 4xx refusals fail with their
/// category, and 409, 429, 5xx, `504xx00`, timeouts and unverifiable replies are unknown,
/// never failure.
public struct SNAPAdapter: WalletAdapter {
    /// Endpoints, identity, keys and mode.
    public let configuration: SNAPConfiguration
    /// The name callers know the wallet by (`dana`).
    public let walletName: String
    let exchange: SNAPExchange
    let clock: @Sendable () -> Date

    /// Creates an adapter.
    /// - Parameters:
    ///   - walletName: The name callers know the wallet by (`dana`).
    ///   - configuration: Endpoints, identity, keys and mode
    ///     (``SNAPConfiguration/init(profile:)`` builds one from a profile).
    ///   - transport: Where requests go (`CurlTransport` in production).
    ///   - clock: Source of X-TIMESTAMP, `validUpTo` and token expiry, injectable for tests.
    ///   - logger: Where access-token renewals are logged (token mode); discards by default.
    public init(
        walletName: String = "dana", configuration: SNAPConfiguration, transport: any HTTPTransport,
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "walletbridge.snap", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.walletName = walletName
        self.configuration = configuration
        self.clock = clock
        self.exchange = SNAPExchange(configuration: configuration, transport: transport, clock: clock, logger: logger)
    }

    /// Pay, inquire, cancel, refund and notifications in IDR (DANA publishes no refund query).
    public var capabilities: WalletCapabilities { Self.fixedCapabilities }

    /// Built once: the client reads the capabilities on every call.
    private static let fixedCapabilities = WalletCapabilities(
        operations: [.pay, .inquire, .cancel, .refund, .notifications], walletCurrency: .idr, currencies: [.idr])

    /// Access-token requests made so far (token mode; 0 in RSA mode).
    public var accessTokenRequests: Int {
        get async { await exchange.tokenFetches }
    }

    /// Times the wallet rejected the access token (`401xx01`/`401xx03`), each followed by one
    /// shared renewal and one identical resend (token mode; 0 in RSA mode).
    public var accessTokenRejections: Int {
        get async { await exchange.tokenRejections }
    }

    /// SNAP/DANA: query (55); a debit the query shows never arrived is resent, identical, under
    /// the same partnerReferenceNo; cancel (57) once the order's validity has passed.
    public var reconciliationRule: ReconciliationRule {
        .queryResendThenCancel(validity: configuration.orderValidity, initial: .seconds(1), cap: .seconds(30))
    }

    /// Pins `validUpTo` (now plus the profile's order validity when the request has none), so
    /// every attempt and every resend sends the identical body.
    public func pinned(_ request: PaymentRequest) -> PaymentRequest {
        var request = request
        if request.validUntil == nil {
            request.validUntil = clock().addingTimeInterval(Double(configuration.orderValidity.components.seconds))
        }
        return request
    }

    // MARK: Pay

    /// Direct debit (create order, service 54) with payMethod `BALANCE`; the customer
    /// credential travels as `Authorization-Customer: Bearer …` (the account-binding token).
    /// `2005400` means the order exists: the debit's result comes from `inquire` or the finish
    /// notification, so the result is pending (with the `webRedirectUrl`, if any).
    public func pay(_ request: PaymentRequest) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(request.merchantReference, field: "partnerReferenceNo")
        let amount = try SNAPAmount.wire(request.amount)
        var urls = [SNAPWire.PaymentRequest.URLParam(url: request.redirectURL ?? configuration.returnURL, type: "PAY_RETURN", isDeeplink: "N")]
        if let notify = request.notifyURL ?? configuration.notifyURL {
            urls.append(.init(url: notify, type: "NOTIFICATION", isDeeplink: "N"))
        }
        let validUntil = pinned(request).validUntil ?? clock()
        let body = SNAPWire.PaymentRequest(
            partnerReferenceNo: request.merchantReference,
            merchantId: configuration.merchantID,
            amount: amount,
            validUpTo: TimestampText.iso8601(validUntil, offsetHours: 7),
            payOptionDetails: [.init(payMethod: "BALANCE", payOption: "", transAmount: amount)],
            urlParams: urls,
            additionalInfo: .init(
                mcc: configuration.merchantCategoryCode, envInfo: .init(sourcePlatform: "IPG", terminalType: "SYSTEM"),
                order: .init(orderTitle: request.orderDescription, scenario: "API"))
        )
        let reply: SNAPExchange.Reply
        do {
            reply = try await exchange.send(configuration.paths.payment, body, customerToken: request.customer.value)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: request.merchantReference, amount: request.amount)
        }
        let partner = Self.partnerResult(reply)
        switch outcome(reply, call: .create) {
        case .success:
            let decoded: SNAPWire.PaymentReply
            do throws(WalletError) { decoded = try reply.decode(SNAPWire.PaymentReply.self) } catch {
                return PaymentResult.unknown(error, merchantReference: request.merchantReference, amount: request.amount)
            }
            let binding = ReplyBinding(
                references: [.ours("partnerReferenceNo", held: request.merchantReference, named: decoded.partnerReferenceNo)],
                expectedAmount: request.amount, statedAmount: .absent)
            let action = decoded.webRedirectUrl.flatMap { $0.isEmpty ? nil : NextAction.redirect(url: $0) }
            return PaymentResult(
                status: binding.payment(.pending(action)), merchantReference: request.merchantReference,
                walletReference: binding.lends(decoded.referenceNo),
                amount: request.amount, partnerResult: partner)
        case .inProgress:
            return PaymentResult(status: .pending(nil), merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        case .refused(let error) where error.category == .inconsistentRequest:
            throw WalletError(
                .inconsistentRequest,
                "partnerReferenceNo \(request.merchantReference) was already used with a different body; the original payment stands, query it",
                partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: true)
        case .refused(let refusal):
            // A verified refusal of the customer token names the authorization problem.
            let error = Self.customerTokenRefusal(refusal)
            // A refusal counts when it contradicts nothing (it may name no reference at all).
            let named = try? reply.decode(SNAPWire.PaymentReply.self)
            let binding = ReplyBinding(
                references: [.ours("partnerReferenceNo", held: request.merchantReference, named: named?.partnerReferenceNo)],
                expectedAmount: request.amount, statedAmount: .absent)
            return PaymentResult(
                status: binding.payment(.failed(error)), merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        case .open(let error):
            return PaymentResult(
                status: .unknown(error), merchantReference: request.merchantReference, amount: request.amount, partnerResult: partner)
        }
    }

    // MARK: Inquire

    /// Query payment status (55) by partnerReferenceNo (and referenceNo when known).
    /// `latestTransactionStatus`: 00 succeeded; 01, 02, 03 pending; 04 (refunded) succeeded;
    /// 05 cancelled; 06 failed; 07 and `404xx01` unknown (`notFound`). A refused or open query
    /// throws: it says nothing about the payment.
    public func inquire(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(query.merchantReference, field: "originalPartnerReferenceNo")
        let body = SNAPWire.StatusRequest(
            originalPartnerReferenceNo: query.merchantReference, originalReferenceNo: query.walletReference,
            serviceCode: "54", merchantId: configuration.merchantID)
        let reply = try await exchange.send(configuration.paths.status, body)
        let partner = Self.partnerResult(reply)
        var result = PaymentResult(
            status: .pending(nil), merchantReference: query.merchantReference,
            walletReference: query.walletReference, amount: query.expectedAmount, partnerResult: partner)
        switch outcome(reply, call: .query) {
        case .success:
            break
        case .inProgress:
            return result
        case .refused(let error) where error.category == .notFound:
            // "Not found" drives the never-arrived rule, so it must be about this payment.
            let named = try? reply.decode(SNAPWire.StatusReply.self)
            let binding = ReplyBinding(
                references: [
                    .ours("originalPartnerReferenceNo", held: query.merchantReference, named: named?.originalPartnerReferenceNo),
                    .wallets("originalReferenceNo", held: query.walletReference, named: named?.originalReferenceNo),
                ],
                expectedAmount: query.expectedAmount, statedAmount: .absent)
            result.status = binding.payment(
                .unknown(
                    WalletError(
                        .notFound,
                        "the wallet does not know this payment (yet); query again, or treat it as never created once the payment request is known not to have arrived",
                        partnerCode: error.partnerCode, partnerMessage: error.partnerMessage)))
            return result
        case .refused(let error):
            throw WalletError(
                error.category, "the status query was refused" + (error.diagnosis.map { ": \($0)" } ?? ""), partnerCode: error.partnerCode,
                partnerMessage: error.partnerMessage, mayHaveCharged: false, diagnosis: error.diagnosis)
        case .open(let error):
            throw WalletError(
                error.category, "the status query is undecided: \(error.message)", partnerCode: error.partnerCode,
                partnerMessage: error.partnerMessage)
        }
        let status = try reply.decode(SNAPWire.StatusReply.self)
        let binding = ReplyBinding(
            references: [
                .ours("originalPartnerReferenceNo", held: query.merchantReference, named: status.originalPartnerReferenceNo),
                .wallets("originalReferenceNo", held: query.walletReference, named: status.originalReferenceNo),
                .context("serviceCode", held: "54", named: status.serviceCode),
            ],
            expectedAmount: query.expectedAmount,
            statedAmount: .init { try status.amount.map { amount throws(WalletError) in try SNAPAmount.money(amount) } })
        result.walletReference =
            query.walletReference
            ?? binding.lends(status.originalReferenceNo)
        result.completedAt = status.paidTime
        result.completedAtInstant = status.paidTime.flatMap(TimestampText.parse)
        result.partnerResult = PartnerResult(
            code: reply.code?.text ?? "", status: status.latestTransactionStatus, message: status.transactionStatusDesc ?? reply.message)
        result.status = binding.payment(
            Self.paymentStatus(status.latestTransactionStatus, description: status.transactionStatusDesc, code: reply.code?.text))
        result.amount = binding.confirmedAmount ?? query.expectedAmount
        return result
    }

    /// The common status for a `latestTransactionStatus`.
    static func paymentStatus(_ latest: String?, description: String?, code: String?) -> PaymentStatus {
        switch latest {
        case "00", "04": return .succeeded
        case "01", "02", "03": return .pending(nil)
        case "05": return .cancelled
        case "06":
            return .failed(WalletError(.declined, "the payment failed", partnerCode: latest, partnerMessage: description, mayHaveCharged: false))
        case "07":
            return .unknown(WalletError(.notFound, "the wallet does not know this payment (yet)", partnerCode: latest, partnerMessage: description))
        default: return .unknown(WalletError(.invalidPartnerResponse, "unknown latestTransactionStatus \(latest ?? "(none)")", partnerCode: code))
        }
    }

    // MARK: Cancel

    /// Cancel (57): one call. A success names the payment but no amount, so it is unbound
    /// and the client confirms it with a query; a refusal throws (the client then queries the
    /// payment's real state); anything open is unknown.
    public func cancel(_ query: PaymentQuery) async throws(WalletError) -> PaymentResult {
        try Self.checkReference(query.merchantReference, field: "originalPartnerReferenceNo")
        let body = SNAPWire.CancelRequest(
            originalPartnerReferenceNo: query.merchantReference, originalReferenceNo: query.walletReference,
            merchantId: configuration.merchantID, reason: nil,
            amount: try query.expectedAmount.map { money throws(WalletError) in try SNAPAmount.wire(money) })
        let reply: SNAPExchange.Reply
        do {
            reply = try await exchange.send(configuration.paths.cancel, body)
        } catch {
            return try PaymentResult.unknownOrThrow(error, merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
        switch outcome(reply, call: .settle) {
        case .success:
            let decoded: SNAPWire.CancelReply
            do throws(WalletError) { decoded = try reply.decode(SNAPWire.CancelReply.self) } catch {
                return PaymentResult.unknown(error, merchantReference: query.merchantReference, amount: query.expectedAmount)
            }
            let binding = ReplyBinding(
                references: [
                    .ours("originalPartnerReferenceNo", held: query.merchantReference, named: decoded.originalPartnerReferenceNo),
                    .wallets("originalReferenceNo", held: query.walletReference, named: decoded.originalReferenceNo),
                ],
                expectedAmount: query.expectedAmount, statedAmount: .absent)
            return PaymentResult(
                status: binding.payment(.cancelled), merchantReference: query.merchantReference,
                walletReference: query.walletReference
                    ?? binding.lends(decoded.originalReferenceNo),
                amount: query.expectedAmount, partnerResult: Self.partnerResult(reply), completedAt: decoded.cancelTime,
                completedAtInstant: decoded.cancelTime.flatMap(TimestampText.parse))
        case .refused(let error):
            throw WalletError(
                error.category, "the wallet refused the cancel" + (error.diagnosis.map { ": \($0)" } ?? ""), partnerCode: error.partnerCode,
                partnerMessage: error.partnerMessage, mayHaveCharged: false, diagnosis: error.diagnosis)
        case .inProgress:
            return PaymentResult.unknown(
                WalletError(
                    .unknownOutcome, "the cancel is in progress; query the payment", partnerCode: reply.code?.text, partnerMessage: reply.message),
                merchantReference:
                    query.merchantReference, amount: query.expectedAmount)
        case .open(let error):
            return PaymentResult.unknown(error, merchantReference: query.merchantReference, amount: query.expectedAmount)
        }
    }

    // MARK: Refund

    /// Refund (58), keyed by `partnerRefundNo`: the same number with the same body returns the
    /// original refund; with another body it is refused as inconsistent (thrown). A success
    /// must name our partnerRefundNo and state the refund's amount.
    public func refund(_ request: RefundRequest) async throws(WalletError) -> RefundResult {
        try Self.checkReference(request.refundReference, field: "partnerRefundNo")
        try Self.checkReference(request.merchantReference, field: "originalPartnerReferenceNo")
        let body = SNAPWire.RefundRequest(
            originalPartnerReferenceNo: request.merchantReference, originalReferenceNo: request.walletReference,
            merchantId: configuration.merchantID, partnerRefundNo: request.refundReference,
            refundAmount: try SNAPAmount.wire(request.amount), reason: request.reason)
        let reply: SNAPExchange.Reply
        do {
            reply = try await exchange.send(configuration.paths.refund, body)
        } catch {
            return try RefundResult.unknownOrThrow(error, request)
        }
        var result = RefundResult(
            status: .pending, refundReference: request.refundReference, merchantReference: request.merchantReference,
            amount: request.amount, partnerResult: Self.partnerResult(reply))
        switch outcome(reply, call: .settle) {
        case .success:
            let decoded: SNAPWire.RefundReply
            do throws(WalletError) { decoded = try reply.decode(SNAPWire.RefundReply.self) } catch {
                result.status = .unknown(error)
                return result
            }
            let binding = ReplyBinding(
                references: [
                    .ours("partnerRefundNo", held: request.refundReference, named: decoded.partnerRefundNo),
                    .context("originalPartnerReferenceNo", held: request.merchantReference, named: decoded.originalPartnerReferenceNo),
                    .context("originalReferenceNo", held: request.walletReference, named: decoded.originalReferenceNo),
                ],
                expectedAmount: request.amount,
                statedAmount: .init { try decoded.refundAmount.map { amount throws(WalletError) in try SNAPAmount.money(amount) } })
            result.walletRefundReference = binding.lends(decoded.refundNo)
            result.status = binding.refund(.succeeded)
        case .inProgress:
            result.status = .pending
        case .refused(let error) where error.category == .inconsistentRequest:
            throw WalletError(
                .inconsistentRequest, "partnerRefundNo \(request.refundReference) was already used with a different body; the original refund stands",
                partnerCode: error.partnerCode, partnerMessage: error.partnerMessage, mayHaveCharged: true)
        case .refused(let error):
            let named = try? reply.decode(SNAPWire.RefundReply.self)
            let binding = ReplyBinding(
                references: [
                    .ours("partnerRefundNo", held: request.refundReference, named: named?.partnerRefundNo),
                    .context("originalPartnerReferenceNo", held: request.merchantReference, named: named?.originalPartnerReferenceNo),
                ],
                expectedAmount: request.amount, statedAmount: .absent)
            result.status = binding.refund(.failed(error))
        case .open(let error):
            result.status = .unknown(error)
        }
        return result
    }

    /// DANA publishes no refund query; refunds answer synchronously.
    /// - Throws: `WalletError` `invalidRequest`, always.
    public func inquireRefund(_ query: RefundQuery) async throws(WalletError) -> RefundResult {
        throw WalletError(
            .invalidRequest,
            "the DANA-style SNAP scheme has no refund query; a refund's reply is final (resend the identical refund to read it again)",
            mayHaveCharged: false)
    }

    // MARK: Helpers

    /// What a call does to a payment, for reading its reply.
    enum Call {
        /// pay: its success is a pending order.
        case create
        /// cancel, refund: their success is final.
        case settle
        /// inquiries: they change nothing.
        case query
    }

    /// How a verified reply reads.
    enum Outcome {
        case success
        case inProgress
        /// Processed and refused: nothing happened.
        case refused(WalletError)
        /// Nobody can say yet: query.
        case open(WalletError)
    }

    /// An HTTP status outside 2xx is never success, whatever a signed body says; a refusal
    /// code under a 5xx status is not a refusal either (the two disagree: the outcome is open).
    /// An unsigned reply (possible only under a profile whose responses need not be signed)
    /// proves nothing about a mutating call: its refusal leaves the outcome open, and its success
    /// on a cancel or refund reads as in progress; only pay's success (a pending order and its
    /// redirect, no money moved) is taken. Inquiry settles them.
    func outcome(_ reply: SNAPExchange.Reply, call: Call) -> Outcome {
        let mutating = call != .query
        guard let code = reply.code else {
            let category: WalletError.Category =
                (500...599).contains(reply.httpStatus) ? .partnerUnavailable : (reply.httpStatus == 429 ? .rateLimited : .invalidPartnerResponse)
            return .open(WalletError(category, "HTTP \(reply.httpStatus) without a SNAP responseCode; the request may have been processed"))
        }
        if code.isSuccess || code.isInProgress {
            guard (200...299).contains(reply.httpStatus) else {
                return .open(
                    WalletError(
                        .invalidPartnerResponse,
                        "HTTP \(reply.httpStatus) with responseCode \(code.text): a status outside 2xx is never success; query",
                        partnerCode: code.text, partnerMessage: reply.message))
            }
            if code.isSuccess, call == .settle, !reply.signed { return .inProgress }
            return code.isSuccess ? .success : .inProgress
        }
        if let category = code.refusalCategory, !(500...599).contains(reply.httpStatus) {
            if mutating, !reply.signed {
                // Unverified: the claim is shown, never acted upon (no partnerCode, no status).
                let reason = "an unsigned reply claims a refusal (\(code.text)); it proves nothing, so query the payment"
                if let diagnosis = SNAPConfigurationDiagnosis.rejection(code, message: reply.message, verified: false, configuration: configuration) {
                    return .open(WalletError.diagnosed(.unknownOutcome, reason, diagnosis, mayHaveCharged: true))
                }
                return .open(WalletError(.unknownOutcome, reason, mayHaveCharged: true))
            }
            if let diagnosis = SNAPConfigurationDiagnosis.rejection(code, message: reply.message, verified: true, configuration: configuration) {
                // The wallet proves it refused the request because it cannot authenticate us.
                return .refused(
                    WalletError.diagnosed(
                        category, "the wallet refused the request", diagnosis, partnerCode: code.text, partnerMessage: reply.message,
                        mayHaveCharged: false))
            }
            return .refused(
                WalletError(
                    category, "the wallet refused the request", partnerCode: code.text, partnerMessage: reply.message,
                    mayHaveCharged: category == .inconsistentRequest))
        }
        return .open(
            WalletError(
                code.openCategory, "the outcome is open (\(code.text)); query before anything else", partnerCode: code.text,
                partnerMessage: reply.message,
                mayHaveCharged: true))
    }

    static func partnerResult(_ reply: SNAPExchange.Reply) -> PartnerResult? {
        reply.code.map { PartnerResult(code: $0.text, status: nil, message: reply.message) }
    }

    /// 1 to 64 printable ASCII characters.
    static func checkReference(_ reference: String, field: String) throws(WalletError) {
        guard (1...64).contains(reference.utf8.count), reference.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw WalletError(.invalidRequest, "\(field) must be 1 to 64 printable ASCII characters without spaces", mayHaveCharged: false)
        }
    }
}
