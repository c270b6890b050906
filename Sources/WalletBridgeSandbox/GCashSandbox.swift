import Foundation
import HTTPTypes
import WalletBridgeAlipayPlus
import WalletBridgeCore
import WalletBridgeCrypto

/// The GCash-style wallet of the sandbox, speaking Alipay+: it verifies request signatures,
/// keeps payments in the ledger, honours paymentRequestId idempotency, quotes FX for
/// cross-border payments, signs its responses and sends signed notifications.
struct GCashSandbox: Sendable {
    static let wallet = "gcash"

    /// One wallet on the Alipay+ network, as the sandbox emulates it: GCash (PHP) and a
    /// Touch 'n Go-style wallet (MYR) share the scheme, each with its own client id,
    /// `paymentMethodType`, reference prefix, customers and limits.
    struct Network: Sendable {
        var wallet: String
        var clientID: String
        var paymentMethodType: String
        var referencePrefix: String
        /// The most one payment may be, in the wallet's currency: above it,
        /// `F`/`USER_AMOUNT_EXCEED_LIMIT`. Nil: no limit.
        var perPaymentLimit: Money?
        /// For a customer who has not completed e-KYC: the most one payment may be, and the
        /// wallet's own result code above it. Nil: the wallet has no such tier.
        var unverifiedTier: (limit: Money, code: String)?

        static let gcash = Network(wallet: "gcash", clientID: SandboxCredentials.gcashClientID, paymentMethodType: "GCASH", referencePrefix: "GC")
        /// The limits are the sandbox's emulation choices (the adapter's `AlipayPlusWallet.tng`
        /// states the same per-payment limit), not Touch 'n Go's published terms.
        static let tng = Network(
            wallet: "tng", clientID: SandboxCredentials.tngClientID, paymentMethodType: "TNG", referencePrefix: "TNG",
            perPaymentLimit: AlipayPlusWallet.tng.perPaymentLimit,
            unverifiedTier: (limit: Money(minorUnits: 20_000, currency: .myr), code: "EKYC_TIER_LIMIT_EXCEEDED"))

        /// The wallet's refusal of a payment of `amount` (in the customer's currency) by
        /// `customer` for its limits (the per-payment limit first); nil when within them.
        func limitRefusal(_ amount: Money, customer: SandboxCustomer) -> GCashWire.Result? {
            if let limit = perPaymentLimit, amount.currency == limit.currency, amount.minorUnits > limit.minorUnits {
                return .failure("USER_AMOUNT_EXCEED_LIMIT", "the payment is above the wallet's per-payment limit of \(limit)")
            }
            if !customer.kycVerified, let tier = unverifiedTier, amount.currency == tier.limit.currency, amount.minorUnits > tier.limit.minorUnits {
                return .failure(tier.code, "the customer has not completed e-KYC; their account tier allows payments up to \(tier.limit)")
            }
            return nil
        }
    }

    let network: Network
    var wallet: String { network.wallet }
    var clientID: String { network.clientID }
    let ledger: SandboxLedger
    let faults: SandboxFaults
    let notifier: SandboxNotifier
    let clock: @Sendable () -> Date
    let paths = AlipayPlusConfiguration.Paths()
    let requestVerifier: AlipayPlusVerifier
    let responseSigner: AlipayPlusSigner
    /// Consent sessions, codes and tokens (shared by the Alipay+ wallets).
    let authorizations: SandboxAuthorizations

    init(
        network: Network = .gcash, ledger: SandboxLedger, faults: SandboxFaults, notifier: SandboxNotifier,
        authorizations: SandboxAuthorizations = SandboxAuthorizations(), clock: @escaping @Sendable () -> Date
    ) throws {
        self.network = network
        self.authorizations = authorizations
        self.ledger = ledger
        self.faults = faults
        self.notifier = notifier
        self.clock = clock
        self.operations = GCashSandbox.operationTable(paths)
        let merchant = try RSAPublicKey(text: SandboxCredentials.merchantPublicKeyPEM)
        requestVerifier = AlipayPlusVerifier(keys: PublicKeyStore(version: SandboxCredentials.keyVersion, key: merchant))
        responseSigner = AlipayPlusSigner(
            privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM), keyVersion: SandboxCredentials.keyVersion)
    }

    enum Operation { case pay, inquiry, cancel, refund, inquiryRefund, consultAuthorization, applyToken, revokeToken }

    /// The operations by path: Alipay+'s `/aps/api/...` and, for clients built on the Antom
    /// SDK, `/ams/api/...` and its sandbox form `/ams/sandbox/api/...`. Built once.
    private let operations: [String: Operation]

    private static func operationTable(_ paths: AlipayPlusConfiguration.Paths) -> [String: Operation] {
        var table: [String: Operation] = [
            paths.pay: .pay, paths.inquiryPayment: .inquiry, paths.cancelPayment: .cancel,
            paths.refund: .refund, paths.inquiryRefund: .inquiryRefund,
            paths.consultAuthorization: .consultAuthorization, paths.applyToken: .applyToken, paths.revokeToken: .revokeToken,
            "/ams/sandbox/api/v1/authorizations/consult": .consultAuthorization,
            "/ams/sandbox/api/v1/authorizations/applyToken": .applyToken,
            "/ams/sandbox/api/v1/authorizations/revoke": .revokeToken,
        ]
        for prefix in ["/ams/api/v1/payments/", "/ams/sandbox/api/v1/payments/"] {
            table[prefix + "pay"] = .pay
            table[prefix + "inquiryPayment"] = .inquiry
            table[prefix + "cancel"] = .cancel
            table[prefix + "refund"] = .refund
            table[prefix + "inquiryRefund"] = .inquiryRefund
        }
        return table
    }

    func handles(_ path: String) -> Bool { operations[path] != nil }

    /// The common operation name of a path (`pay`, `inquire`, `cancel`, `refund`, `inquireRefund`).
    func operationName(_ path: String) -> String? {
        switch operations[path] {
        case .pay?: return "pay"
        case .inquiry?: return "inquire"
        case .cancel?: return "cancel"
        case .refund?: return "refund"
        case .inquiryRefund?: return "inquireRefund"
        // Authorization calls are outside the fault plan's operations (queued faults by path still apply).
        case .consultAuthorization?, .applyToken?, .revokeToken?, nil: return nil
        }
    }

    /// Where a request names its reference and amount, for the fault plan.
    static let summaryFields = (references: ["refundRequestId", "paymentRequestId", "paymentId"], amounts: ["refundAmount", "paymentAmount"])

    /// What the hostile-but-signed faults rewrite in an Alipay+ reply.
    static let rewriteFields = SandboxReplyRewrite.Fields(
        references: ["paymentRequestId", "refundRequestId"], amounts: ["paymentAmount", "refundAmount"],
        duplicateMarker: #""result":{"#, duplicateInsert: #""resultStatus":"F","#)

    func handle(_ request: SandboxRequest) async -> SandboxReply {
        let fault = faults.take(for: request.path, wallet: wallet, operation: operationName(request.path))
        if let early = fault?.unprocessedReply { return early }
        var body: [UInt8]
        if let rejection = authenticate(request) {
            body = SandboxJSON.encode(GCashWire.ResultOnly(result: rejection))
        } else if case .replayOtherPayment(let withoutReferences)? = fault,
            let replay = replayOtherPayment(request, withoutReferences: withoutReferences)
        {
            body = replay
        } else {
            body = operate(request)
        }
        if fault == .resultUnknown {
            body = SandboxJSON.encode(GCashWire.ResultOnly(result: .unknown))
        } else if fault == .walletInProcess, operations[request.path] == .pay {
            body = SandboxJSON.encode(GCashWire.ResultOnly(result: .inProcess))
        }
        body = SandboxReplyRewrite.apply(fault, to: body, fields: Self.rewriteFields)
        var reply = signed(body, requestPath: request.path, method: request.method)
        switch fault {
        case .tamperResponseSignature?:
            reply.body = Array(reply.body.dropLast()) + Array(" ".utf8) + [reply.body.last ?? UInt8(ascii: "}")]
        case .omitResponseSignature?:
            reply.headerFields = [.contentType: "application/json; charset=UTF-8"]
        default:
            break
        }
        return fault?.finish(reply) ?? reply
    }

    /// The signed success reply to an inquiry or a cancel, about the most recent other payment
    /// (nothing is processed); nil for other paths, or when there is no other payment.
    private func replayOtherPayment(_ request: SandboxRequest, withoutReferences: Bool) -> [UInt8]? {
        guard let operation = operations[request.path], operation == .inquiry || operation == .cancel,
            let lookup = try? JSONDecoder().decode(GCashWire.Lookup.self, from: Data(request.body))
        else { return nil }
        let other = ledger.read { state in
            state.mostRecentPayment(wallet) { $0.merchantReference != lookup.paymentRequestId && $0.walletReference != lookup.paymentId }
        }
        guard let other else { return nil }
        let body: [UInt8]
        if operation == .inquiry {
            var inquiry = paymentBody(other, result: .success, now: clock())
            inquiry.paymentResult = Self.result(of: other)
            inquiry.paymentStatus = Self.antomStatus(of: other)
            body = SandboxJSON.encode(inquiry)
        } else {
            body = SandboxJSON.encode(
                GCashWire.CancelBody(
                    result: .success, paymentId: other.walletReference, paymentRequestId: other.merchantReference,
                    cancelTime: other.completedAt ?? other.createdAt))
        }
        return withoutReferences ? SandboxReplyRewrite.removing(["paymentRequestId"], from: body) : body
    }

    // MARK: Signatures

    private func authenticate(_ request: SandboxRequest) -> GCashWire.Result? {
        guard request.method == "POST" else { return .failure("PARAM_ILLEGAL", "only POST is supported") }
        guard let clientID = request.headerFields[.alipayClientID], let time = request.headerFields[.alipayRequestTime],
            let signature = request.headerFields[.alipaySignature]
        else {
            return .failure("PARAM_ILLEGAL", "Client-Id, Request-Time and Signature headers are required")
        }
        guard clientID == self.clientID else { return .failure("INVALID_CLIENT", "unknown client id") }
        let message = AlipayPlusSignedMessage.request(
            method: request.method, path: request.path, clientId: clientID, requestTime: time, body: request.body)
        do {
            try requestVerifier.verify(message, signatureHeader: signature)
        } catch {
            // More help than a real wallet gives: what the sandbox verified, so a partner
            // engineer can diff it with `walletbridge sign --explain`.
            let head = String(decoding: message.contentToSign.prefix(message.contentToSign.count - message.body.count), as: UTF8.self)
            let explained = head.replacingOccurrences(of: "\n", with: "\\n")
            return .failure(
                "INVALID_SIGNATURE",
                "signature verification failed (\(error.kind.rawValue)): \(error.message); "
                    + "the sandbox verified \"\(explained)\" + the \(message.body.count)-byte body (sha256 \(Digest.sha256Hex(message.body)))")
        }
        return nil
    }

    private func signed(_ body: [UInt8], requestPath: String, method: String) -> SandboxReply {
        let time = TimestampText.iso8601(clock(), offsetHours: 8)
        // Lower-case names, as the platform sends them: the official SDKs match only those.
        var reply = SandboxReply.json(200, body)
        reply.headerFields.append(HTTPField(name: .alipayReplyClientID, value: clientID))
        reply.headerFields.append(HTTPField(name: .alipayResponseTime, value: time))
        let message = AlipayPlusSignedMessage.response(
            requestMethod: method, requestPath: requestPath, clientId: clientID, responseTime: time, body: body)
        if let signature = try? responseSigner.sign(message) {
            reply.headerFields.append(HTTPField(name: .alipayReplySignature, value: signature.headerValue))
        }
        return reply
    }

    // MARK: Operations

    private func operate(_ request: SandboxRequest) -> [UInt8] {
        let decoder = JSONDecoder()
        let data = Data(request.body)
        do {
            switch operations[request.path] {
            case .pay?: return try pay(decoder.decode(GCashWire.PayRequest.self, from: data))
            case .inquiry?: return try inquire(decoder.decode(GCashWire.Lookup.self, from: data))
            case .cancel?: return try cancel(decoder.decode(GCashWire.Lookup.self, from: data))
            case .refund?: return try refund(decoder.decode(GCashWire.RefundRequest.self, from: data))
            case .inquiryRefund?: return try inquireRefund(decoder.decode(GCashWire.RefundLookup.self, from: data))
            case .consultAuthorization?: return consult(try decoder.decode(GCashWire.ConsultRequest.self, from: data))
            case .applyToken?: return applyToken(try decoder.decode(GCashWire.ApplyTokenRequest.self, from: data))
            case .revokeToken?: return revoke(try decoder.decode(GCashWire.RevokeRequest.self, from: data))
            case nil: return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("NO_INTERFACE_DEF", "no such API")))
            }
        } catch let error as DecodingError {
            return SandboxJSON.encode(
                GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "malformed or incomplete request: \(GCashSandbox.describe(error))")))
        } catch {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("UNKNOWN_EXCEPTION", "sandbox error: \(error)")))
        }
    }

    private func pay(_ request: GCashWire.PayRequest) throws -> [UInt8] {
        guard (1...64).contains(request.paymentRequestId.utf8.count) else {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "paymentRequestId must be 1 to 64 characters")))
        }
        let amount: Money
        do {
            amount = try AlipayPlusAmount(currency: request.paymentAmount.currency, value: request.paymentAmount.value).money()
        } catch {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "paymentAmount: \(error.message)")))
        }
        guard amount.minorUnits > 0 else {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "paymentAmount must be positive")))
        }
        if let orderAmount = request.order?.orderAmount, orderAmount != request.paymentAmount {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "order.orderAmount differs from paymentAmount")))
        }
        let now = clock()
        // A documented customer id, or an access token this wallet issued to this client.
        let payer = resolvePaymentMethod(request.paymentMethod.paymentMethodId, now: now)
        let fingerprint = [
            request.productCode, request.paymentMethod.paymentMethodType,
            payer.customer.map { "customer:\($0.id)" } ?? request.paymentMethod.paymentMethodId,
            request.paymentAmount.currency, request.paymentAmount.value, request.order?.orderDescription ?? "",
        ].joined(separator: "\u{1F}")
        let outcome: (LedgerPayment?, GCashWire.Result?) = try ledger.change { state in
            if let existing = state.payment(wallet, merchantReference: request.paymentRequestId) {
                guard existing.fingerprint == fingerprint else {
                    return (nil, .failure("REPEAT_REQ_INCONSISTENT", "paymentRequestId was used with different content"))
                }
                return (existing, nil)
            }
            guard request.productCode == "AGREEMENT_PAYMENT" else {
                return (nil, .failure("PARAM_ILLEGAL", "the sandbox supports productCode AGREEMENT_PAYMENT"))
            }
            guard request.paymentMethod.paymentMethodType == network.paymentMethodType else {
                return (nil, .failure("NOT_SUPPORTED_PAYMENT_METHOD", "paymentMethodType must be \(network.paymentMethodType)"))
            }
            if let refusal = payer.refusal { return (nil, refusal) }
            guard let customer = payer.customer else {
                return (
                    nil, .failure("INVALID_ACCESS_TOKEN", "no sandbox customer has this paymentMethodId (see walletbridge sandbox --list-customers)")
                )
            }
            guard let (customerAmount, quote) = SandboxFX.convert(amount, to: customer.currency) else {
                return (nil, .failure("CURRENCY_NOT_SUPPORT", "the sandbox has no \(amount.currency.code)/\(customer.currency.code) rate"))
            }
            guard customerAmount.minorUnits > 0 else {
                return (nil, .failure("PARAM_ILLEGAL", "\(amount) is less than the smallest \(customer.currency.code) amount"))
            }
            let walletReference = state.nextReference(prefix: network.referencePrefix, date: now)
            var payment = LedgerPayment(
                wallet: wallet, merchantReference: request.paymentRequestId, walletReference: walletReference,
                fingerprint: fingerprint, customerID: customer.id, amountMinor: amount.minorUnits, currency: amount.currency.code,
                customerAmountMinor: customerAmount.minorUnits, customerCurrency: customerAmount.currency.code,
                quotePair: quote?.pair, quoteRate: quote?.rate, quoteID: quote.map { _ in "Q" + walletReference },
                state: .processing, failureCode: nil, failureMessage: nil, inquiriesLeft: 0,
                createdAt: TimestampText.iso8601(now, offsetHours: 8), completedAt: nil, notifyURL: request.paymentNotifyUrl, refundedMinor: 0
            )
            if let refusal = network.limitRefusal(customerAmount, customer: customer) {
                payment.state = .failed
                payment.failureCode = refusal.resultCode
                payment.failureMessage = refusal.resultMessage
                payment.completedAt = TimestampText.iso8601(now, offsetHours: 8)
                state.payments[LedgerState.key(wallet, payment.merchantReference)] = payment
                return (payment, nil)
            }
            switch customer.behaviour {
            case .pays, .insufficientFunds:
                Self.settle(&payment, customer: customer, state: &state, now: now)
            case .declines:
                payment.state = .failed
                payment.failureCode = "USER_PAYMENT_VERIFICATION_FAILED"
                payment.failureMessage = "the customer declined the payment"
                payment.completedAt = TimestampText.iso8601(now, offsetHours: 8)
            case .staysInProcess, .confirmsInApp:
                payment.inquiriesLeft = customer.inquiriesBeforeResult
            }
            state.payments[LedgerState.key(wallet, payment.merchantReference)] = payment
            return (payment, nil)
        }
        if let rejection = outcome.1 {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: rejection))
        }
        guard let payment = outcome.0 else { return SandboxJSON.encode(GCashWire.ResultOnly(result: .unknown)) }
        notifyIfNew(payment)
        return SandboxJSON.encode(paymentBody(payment, result: Self.result(of: payment), now: now))
    }

    /// Debits the customer (in the wallet's currency) or fails for insufficient funds.
    private static func settle(_ payment: inout LedgerPayment, customer: SandboxCustomer, state: inout LedgerState, now: Date) {
        payment.completedAt = TimestampText.iso8601(now, offsetHours: 8)
        if state.charge(&payment, customer: customer) {
            payment.state = .succeeded
        } else {
            payment.state = .failed
            payment.failureCode = "USER_BALANCE_NOT_ENOUGH"
            payment.failureMessage = "the customer's balance is not enough"
        }
    }

    private func inquire(_ lookup: GCashWire.Lookup) throws -> [UInt8] {
        let now = clock()
        let found: LedgerPayment? = try ledger.change { state in
            guard var payment = Self.find(lookup, wallet: wallet, in: state) else { return nil }
            if payment.state == .processing, payment.inquiriesLeft > 0 {
                payment.inquiriesLeft -= 1
                if payment.inquiriesLeft == 0, let customer = SandboxCustomer.find(payment.customerID) {
                    Self.settle(&payment, customer: customer, state: &state, now: now)
                }
                state.payments[LedgerState.key(wallet, payment.merchantReference)] = payment
            }
            return payment
        }
        guard let payment = found else {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("ORDER_NOT_EXIST", "no payment with this paymentRequestId or paymentId")))
        }
        if payment.state != .processing { notifyIfNew(payment) }
        var body = paymentBody(payment, result: .success, now: now)
        body.paymentResult = Self.result(of: payment)
        body.paymentStatus = Self.antomStatus(of: payment)
        return SandboxJSON.encode(body)
    }

    private func cancel(_ lookup: GCashWire.Lookup) throws -> [UInt8] {
        let now = clock()
        let outcome: (LedgerPayment?, GCashWire.Result) = try ledger.change { state in
            guard var payment = Self.find(lookup, wallet: wallet, in: state) else {
                return (nil, .failure("ORDER_NOT_EXIST", "no payment with this paymentRequestId or paymentId"))
            }
            switch payment.state {
            case .succeeded:
                return (payment, .failure("ORDER_STATUS_INVALID", "the payment has succeeded; refund it instead"))
            case .processing, .failed, .cancelled:
                if payment.state == .processing {
                    payment.state = .cancelled
                    payment.cancels = (payment.cancels ?? 0) + 1
                    payment.completedAt = TimestampText.iso8601(now, offsetHours: 8)
                    state.payments[LedgerState.key(wallet, payment.merchantReference)] = payment
                }
                return (payment, .success)
            }
        }
        return SandboxJSON.encode(
            GCashWire.CancelBody(
                result: outcome.1, paymentId: outcome.0?.walletReference,
                paymentRequestId: outcome.0?.merchantReference,
                cancelTime: outcome.1.resultStatus == "S" ? outcome.0?.completedAt : nil))
    }

    private func refund(_ request: GCashWire.RefundRequest) throws -> [UInt8] {
        let now = clock()
        let amount: Money
        do {
            amount = try AlipayPlusAmount(currency: request.refundAmount.currency, value: request.refundAmount.value).money()
        } catch {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("PARAM_ILLEGAL", "refundAmount: \(error.message)")))
        }
        let fingerprint = [request.paymentId, request.refundAmount.currency, request.refundAmount.value].joined(separator: "\u{1F}")
        let outcome: (LedgerRefund?, GCashWire.Result) = try ledger.change { state in
            if let existing = state.refunds[LedgerState.key(wallet, request.refundRequestId)] {
                return existing.fingerprint == fingerprint
                    ? (existing, .success)
                    : (nil, .failure("REPEAT_REQ_INCONSISTENT", "refundRequestId was used with different content"))
            }
            guard var payment = state.payment(wallet, walletReference: request.paymentId) else {
                return (nil, .failure("ORDER_NOT_EXIST", "no payment with this paymentId"))
            }
            guard payment.state == .succeeded else { return (nil, .failure("ORDER_STATUS_INVALID", "only a succeeded payment can be refunded")) }
            guard amount.currency.code == payment.currency, amount.minorUnits > 0 else {
                return (nil, .failure("PARAM_ILLEGAL", "refundAmount must be positive and in the payment's currency \(payment.currency)"))
            }
            guard payment.refundedMinor + amount.minorUnits <= payment.amountMinor else {
                return (nil, .failure("REFUND_AMOUNT_EXCEED", "the refunds would exceed the payment amount"))
            }
            payment.refundedMinor += amount.minorUnits
            state.payments[LedgerState.key(wallet, payment.merchantReference)] = payment
            // Credit the customer in the wallet's currency, in proportion to the payment.
            let credit = payment.amountMinor == 0 ? 0 : payment.customerAmountMinor * amount.minorUnits / payment.amountMinor
            if let customer = SandboxCustomer.find(payment.customerID) {
                state.balances[customer.id] = state.balance(of: customer) + credit
            }
            let refund = LedgerRefund(
                wallet: wallet, refundReference: request.refundRequestId,
                walletRefundReference: state.nextReference(prefix: "GR", date: now), paymentWalletReference: payment.walletReference,
                merchantReference: payment.merchantReference, amountMinor: amount.minorUnits, currency: amount.currency.code,
                fingerprint: fingerprint, createdAt: TimestampText.iso8601(now, offsetHours: 8)
            )
            state.refunds[LedgerState.key(wallet, refund.refundReference)] = refund
            return (refund, .success)
        }
        guard let refund = outcome.0 else { return SandboxJSON.encode(GCashWire.ResultOnly(result: outcome.1)) }
        return SandboxJSON.encode(
            GCashWire.RefundBody(
                result: outcome.1, refundRequestId: refund.refundReference, refundId: refund.walletRefundReference,
                paymentId: refund.paymentWalletReference, refundAmount: .init(currency: refund.currency, value: String(refund.amountMinor)),
                refundTime: refund.createdAt, refundStatus: nil))
    }

    private func inquireRefund(_ lookup: GCashWire.RefundLookup) throws -> [UInt8] {
        let refund = ledger.read { state in
            state.refunds.values.first {
                $0.wallet == wallet && ($0.refundReference == lookup.refundRequestId || $0.walletRefundReference == lookup.refundId)
            }
        }
        guard let refund else {
            return SandboxJSON.encode(GCashWire.ResultOnly(result: .failure("REFUND_NOT_EXIST", "no refund with this refundRequestId or refundId")))
        }
        return SandboxJSON.encode(
            GCashWire.RefundBody(
                result: .success, refundRequestId: refund.refundReference, refundId: refund.walletRefundReference,
                paymentId: refund.paymentWalletReference, refundAmount: .init(currency: refund.currency, value: String(refund.amountMinor)),
                refundTime: refund.createdAt, refundStatus: "SUCCESS"))
    }

    // MARK: Bodies

    private static func find(_ lookup: GCashWire.Lookup, wallet: String, in state: LedgerState) -> LedgerPayment? {
        if let id = lookup.paymentId, let payment = state.payment(wallet, walletReference: id) { return payment }
        if let reference = lookup.paymentRequestId { return state.payment(wallet, merchantReference: reference) }
        return nil
    }

    private static func result(of payment: LedgerPayment) -> GCashWire.Result {
        switch payment.state {
        case .succeeded: return .success
        case .failed: return .failure(payment.failureCode ?? "PROCESS_FAIL", payment.failureMessage ?? "payment failed")
        case .cancelled: return .failure("ORDER_IS_CLOSED", "the payment was cancelled")
        case .processing: return .inProcess
        }
    }

    private static func antomStatus(of payment: LedgerPayment) -> String {
        switch payment.state {
        case .succeeded: return "SUCCESS"
        case .failed: return "FAIL"
        case .cancelled: return "CANCELLED"
        case .processing: return "PROCESSING"
        }
    }

    private func paymentBody(_ payment: LedgerPayment, result: GCashWire.Result, now: Date) -> GCashWire.PaymentBody {
        let crossBorder = payment.quotePair != nil
        let needsConfirmation = payment.state == .processing && SandboxCustomer.find(payment.customerID)?.behaviour == .confirmsInApp
        return GCashWire.PaymentBody(
            result: result,
            paymentRequestId: payment.merchantReference,
            paymentId: payment.walletReference,
            paymentTime: payment.state == .succeeded ? payment.completedAt : nil,
            paymentAmount: .init(currency: payment.currency, value: String(payment.amountMinor)),
            customerPayAmount: crossBorder ? .init(currency: payment.customerCurrency, value: String(payment.customerAmountMinor)) : nil,
            paymentQuote: crossBorder
                ? GCashWire.Quote(
                    quoteId: payment.quoteID ?? "", quoteCurrencyPair: payment.quotePair ?? "", quotePrice: payment.quoteRate ?? "",
                    quoteStartTime: payment.createdAt, quoteExpiryTime: TimestampText.iso8601(now.addingTimeInterval(600), offsetHours: 8)) : nil,
            actionForm: needsConfirmation
                ? GCashWire.ActionForm(
                    actionFormType: "RedirectActionForm",
                    redirectUrl: "https://sandbox.walletbridge.invalid/gcash/confirm?paymentId=\(payment.walletReference)",
                    applinkUrl: "gcash://walletbridge-sandbox/confirm?paymentId=\(payment.walletReference)") : nil
        )
    }

    // MARK: Notifications

    /// Sends PAYMENT_RESULT for a final payment (or PAYMENT_PENDING for one in process), once
    /// per payment and state.
    private func notifyIfNew(_ payment: LedgerPayment) {
        guard let url = payment.notifyURL else { return }
        let notifyType = payment.state == .processing ? "PAYMENT_PENDING" : "PAYMENT_RESULT"
        let marker = LedgerState.key(wallet, "\(notifyType)|\(payment.merchantReference)")
        let isNew = (try? ledger.change { state -> Bool in state.notified.insert(marker).inserted }) ?? false
        guard isNew else { return }
        var body = paymentBody(payment, result: notifyType == "PAYMENT_PENDING" ? .success : Self.result(of: payment), now: clock())
        body.notifyType = notifyType
        body.paymentQuote = nil
        deliverSigned(SandboxJSON.encode(body), to: url, label: "\(notifyType) \(payment.merchantReference)")
    }

    /// Sends `body` to `url` signed as the platform signs notifications, until a signed
    /// acknowledgement comes back.
    func deliverSigned(_ bytes: [UInt8], to url: String, label: String) {
        let signer = responseSigner, verifier = requestVerifier, clientID = self.clientID, clock = self.clock
        notifier.deliver(
            wallet: wallet, url: url, body: bytes, label: label,
            sign: { path, body in
                let time = TimestampText.iso8601(clock(), offsetHours: 8)
                let message = AlipayPlusSignedMessage.notification(path: path, clientId: clientID, requestTime: time, body: body)
                guard let signature = try? signer.sign(message) else { return nil }
                return [
                    .contentType: "application/json; charset=UTF-8", .alipayClientID: clientID, .alipayRequestTime: time,
                    .alipaySignature: signature.headerValue,
                ]
            },
            isAcknowledged: { path, response in
                guard response.status == 200, let signature = response.headerFields[.alipaySignature],
                    let time = response.headerFields[.alipayResponseTime],
                    let ackClient = response.headerFields[.alipayClientID], ackClient == clientID
                else { return false }
                let message = AlipayPlusSignedMessage.response(requestPath: path, clientId: ackClient, responseTime: time, body: response.body)
                guard (try? verifier.verify(message, signatureHeader: signature)) != nil,
                    let ack = try? JSONDecoder().decode(GCashWire.ResultOnly.self, from: Data(response.body))
                else { return false }
                return ack.result.resultStatus == "S"
            })
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not JSON" : "bad \(path)"
        @unknown default: return "malformed"
        }
    }
}
