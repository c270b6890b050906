import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgePaytm

/// The Paytm-style wallet of the sandbox: it verifies request checksums, keeps orders in the
/// ledger (orderId is idempotent), simulates the customer's checkout, checksums its replies,
/// and posts checksummed form callbacks when an order completes.
///
/// The checkout is simulated at initiate time: a test customer completes it at once, except
/// `paytm-slow`, whose order stays PENDING for a few status queries. Refunds start PENDING
/// (601) and settle on the next refund-status query.
struct PaytmSandbox: Sendable {
    static let wallet = "paytm"

    let ledger: SandboxLedger
    let faults: SandboxFaults
    let notifier: SandboxNotifier
    let clock: @Sendable () -> Date
    let merchantID = SandboxCredentials.paytmMerchantID
    let checksum: PaytmChecksum

    enum Operation { case initiate, status, refund, refundStatus }
    private let operations: [String: Operation]

    init(ledger: SandboxLedger, faults: SandboxFaults, notifier: SandboxNotifier, clock: @escaping @Sendable () -> Date) throws {
        self.ledger = ledger
        self.faults = faults
        self.notifier = notifier
        self.clock = clock
        checksum = try PaytmChecksum(merchantKey: SecretBytes(utf8: SandboxCredentials.paytmMerchantKey))
        let paths = PaytmConfiguration.Paths()
        // paytm-pg 1.1.2 calls /order/initiate; the public reference documents the theia path.
        operations = [
            paths.initiateTransaction: .initiate, "/order/initiate": .initiate, paths.transactionStatus: .status,
            paths.refund: .refund, paths.refundStatus: .refundStatus,
        ]
    }

    func handles(_ path: String) -> Bool { operations[path] != nil }

    /// The common operation name of a path (`pay`, `inquire`, `refund`, `inquireRefund`).
    func operationName(_ path: String) -> String? {
        switch operations[path] {
        case .initiate?: return "pay"
        case .status?: return "inquire"
        case .refund?: return "refund"
        case .refundStatus?: return "inquireRefund"
        case nil: return nil
        }
    }

    /// Where a request names its reference and amount, for the fault plan.
    static let summaryFields = (references: ["refId", "orderId"], amounts: ["refundAmount", "txnAmount"])

    /// What the hostile-but-signed faults rewrite in a Paytm reply body.
    static let rewriteFields = SandboxReplyRewrite.Fields(
        references: ["orderId", "refId"], amounts: ["txnAmount", "refundAmount"],
        duplicateMarker: #""resultInfo":{"#, duplicateInsert: #""resultStatus":"TXN_FAILURE","#)

    func handle(_ request: SandboxRequest) async -> SandboxReply {
        let fault = faults.take(for: request.path, wallet: Self.wallet, operation: operationName(request.path))
        if let early = fault?.unprocessedReply { return early }
        var body = process(request, fault: fault)
        if fault == .resultUnknown {
            body = SandboxJSON.encode(Reply(resultInfo: .init("U", "00000900", "System error, the result is not known")))
        }
        body = SandboxReplyRewrite.apply(fault, to: body, fields: Self.rewriteFields)
        var reply = SandboxReply.json(200, envelope(body, signed: fault != .omitResponseSignature))
        switch fault {
        case .tamperResponseSignature?:
            // One space inside the body: the checksum no longer matches the body as received.
            let marker = Array(#","body":{"#.utf8)
            if let range = reply.body.firstRange(of: marker) { reply.body.insert(UInt8(ascii: " "), at: range.upperBound) }
        default:
            break
        }
        return fault?.finish(reply) ?? reply
    }

    // MARK: Envelope

    private func process(_ request: SandboxRequest, fault: SandboxFault?) -> [UInt8] {
        guard let operation = operations[request.path] else { return failure("F", "1001", "no such API") }
        let checksumCode = operation == .initiate ? "2005" : "330"
        guard request.method == "POST" else { return failure("F", "1001", "only POST is supported") }
        let envelope: PaytmEnvelope
        do {
            envelope = try PaytmEnvelope(received: request.body)
        } catch {
            return failure("F", "1001", "the request is not a {\"head\":…,\"body\":…} envelope: \(error.message)")
        }
        guard let signature = envelope.signature, !signature.isEmpty else {
            return failure("F", checksumCode, "head.signature is missing")
        }
        guard checksum.verify(signature, for: envelope.bodyText) else {
            // More help than Paytm gives: what the sandbox checked, to diff with `walletbridge sign --explain`.
            return failure(
                "F", checksumCode,
                "Checksum provided is invalid; the sandbox verified the \(envelope.bodyText.count)-byte body text "
                    + "(sha256 \(Digest.sha256Hex(envelope.bodyText))) with the sandbox merchant key")
        }
        let data = Data(envelope.bodyText)
        let decoder = JSONDecoder()
        do {
            let common = try decoder.decode(MerchantOnly.self, from: data)
            guard common.mid == merchantID else { return failure("F", "335", "Mid is invalid") }
            switch operation {
            case .initiate: return try initiate(decoder.decode(InitiateBody.self, from: data), query: request.query)
            case .status:
                let body = try decoder.decode(StatusBody.self, from: data)
                if case .replayOtherPayment(let withoutReferences)? = fault,
                    let replay = replayOtherPayment(body, withoutReferences: withoutReferences)
                {
                    return replay
                }
                return try status(body, inProcess: fault == .walletInProcess)
            case .refund: return try refund(decoder.decode(RefundBody.self, from: data))
            case .refundStatus: return try refundStatus(decoder.decode(RefundStatusBody.self, from: data))
            }
        } catch let error as DecodingError {
            return failure("F", "1001", "malformed or incomplete request: \(GCashSandbox.describe(error))")
        } catch {
            return failure("F", "501", "System Error: \(error)")
        }
    }

    /// `{"head":{…,"signature":…},"body":<body>}`, the checksum over the exact body bytes.
    private func envelope(_ body: [UInt8], signed: Bool) -> [UInt8] {
        let millis = Int64((clock().timeIntervalSince1970 * 1000).rounded(.down))
        var head: [String: String] = ["responseTimestamp": String(millis), "version": "v1"]
        if signed, let generated = try? checksum.generate(for: body) { head["signature"] = generated.checksum }
        return Array(#"{"head":"#.utf8) + SandboxJSON.encode(head) + Array(#","body":"#.utf8) + body + [UInt8(ascii: "}")]
    }

    private func failure(_ status: String, _ code: String, _ message: String) -> [UInt8] {
        SandboxJSON.encode(Reply(resultInfo: .init(status, code, message)))
    }

    // MARK: Operations

    private func initiate(_ body: InitiateBody, query: [String: String]) throws -> [UInt8] {
        guard body.requestType == "Payment" else { return failure("F", "1001", "the sandbox supports requestType Payment") }
        guard PaytmSandbox.isReference(body.orderId) else {
            return failure("F", "1001", "orderId must be 1 to 50 characters of letters, digits and @ - _ .")
        }
        if let mid = query["mid"], mid != body.mid { return failure("F", "1001", "the query's mid differs from the body's") }
        if let orderId = query["orderId"], orderId != body.orderId { return failure("F", "1001", "the query's orderId differs from the body's") }
        guard body.txnAmount.currency == "INR" else { return failure("F", "1001", "txnAmount.currency must be INR") }
        guard let amount = try? Money(parsing: body.txnAmount.value, currency: .inr), amount.minorUnits > 0 else {
            return failure("F", "196", "txnAmount.value must be a positive amount with at most two decimals")
        }
        let fingerprint = [body.websiteName, body.txnAmount.value, body.txnAmount.currency, body.userInfo.custId, body.callbackUrl ?? ""].joined(
            separator: "\u{1F}")
        let now = clock()
        let outcome: (LedgerPayment?, [UInt8]?) = try ledger.change { state in
            if let existing = state.payment(Self.wallet, merchantReference: body.orderId) {
                guard existing.fingerprint == fingerprint else { return (nil, failure("F", "325", "Duplicate Order Id")) }
                return (existing, nil)
            }
            guard let customer = SandboxCustomer.find(body.userInfo.custId), customer.wallet == Self.wallet else {
                return (nil, failure("F", "1001", "no sandbox customer has this custId (see walletbridge sandbox --list-customers)"))
            }
            let txnID = state.nextReference(prefix: "PTM", date: now)
            var payment = LedgerPayment(
                wallet: Self.wallet, merchantReference: body.orderId, walletReference: txnID, fingerprint: fingerprint,
                customerID: customer.id, amountMinor: amount.minorUnits, currency: "INR",
                customerAmountMinor: amount.minorUnits, customerCurrency: "INR", quotePair: nil, quoteRate: nil, quoteID: nil,
                state: .processing, failureCode: nil, failureMessage: nil, inquiriesLeft: 0,
                createdAt: PaytmSandbox.date(now), completedAt: nil, notifyURL: body.callbackUrl, refundedMinor: 0,
                token: Digest.sha256Hex(Array("\(txnID)|\(body.orderId)".utf8))
            )
            // The simulated customer completes checkout right away, or after a few status queries.
            if customer.behaviour == .staysInProcess {
                payment.inquiriesLeft = customer.inquiriesBeforeResult
            } else {
                PaytmSandbox.complete(&payment, customer: customer, state: &state, now: now)
            }
            state.payments[LedgerState.key(Self.wallet, payment.merchantReference)] = payment
            return (payment, nil)
        }
        if let rejection = outcome.1 { return rejection }
        guard let payment = outcome.0 else { return failure("F", "501", "System Error") }
        callbackIfFinal(payment)
        return SandboxJSON.encode(
            Reply(resultInfo: .init("S", "0000", "Success"), txnToken: payment.token, isPromoCodeValid: false, authenticated: true))
    }

    static func complete(_ payment: inout LedgerPayment, customer: SandboxCustomer, state: inout LedgerState, now: Date) {
        payment.completedAt = date(now)
        if customer.behaviour == .declines {
            payment.state = .failed
            payment.failureCode = "227"
            payment.failureMessage = "Your payment has been declined by your bank. Please contact your bank for any queries."
        } else if state.charge(&payment, customer: customer) {
            payment.state = .succeeded
            payment.failureCode = "01"
            payment.failureMessage = "Txn Success"
        } else {
            payment.state = .failed
            payment.failureCode = "235"
            payment.failureMessage = "Wallet balance Insufficient"
        }
    }

    /// The status of an order; with `inProcess`, answered `PENDING` (402) whatever the ledger
    /// holds (a status API that lags behind the ledger).
    private func status(_ body: StatusBody, inProcess: Bool = false) throws -> [UInt8] {
        let now = clock()
        let found: LedgerPayment? = try ledger.change { state in
            guard var payment = state.payment(Self.wallet, merchantReference: body.orderId) else { return nil }
            if payment.state == .processing, payment.inquiriesLeft > 0 {
                payment.inquiriesLeft -= 1
                if payment.inquiriesLeft == 0, let customer = SandboxCustomer.find(payment.customerID) {
                    PaytmSandbox.complete(&payment, customer: customer, state: &state, now: now)
                }
                state.payments[LedgerState.key(Self.wallet, payment.merchantReference)] = payment
            }
            return payment
        }
        guard let payment = found else { return failure("TXN_FAILURE", "334", "Invalid Order Id.") }
        callbackIfFinal(payment)
        var reply = statusReply(payment)
        if inProcess {
            reply.resultInfo = .init(
                "PENDING", "402", "Looks like the payment is not complete. Please wait while we confirm the status with your bank.")
            reply.bankTxnId = ""
        }
        return SandboxJSON.encode(reply)
    }

    /// The signed status reply about the most recent other order (nothing is processed); nil
    /// when there is none.
    private func replayOtherPayment(_ body: StatusBody, withoutReferences: Bool) -> [UInt8]? {
        guard let other = ledger.read({ $0.mostRecentPayment(Self.wallet) { $0.merchantReference != body.orderId } }) else { return nil }
        var reply = statusReply(other)
        if withoutReferences { reply.orderId = nil }
        return SandboxJSON.encode(reply)
    }

    private func statusReply(_ payment: LedgerPayment) -> Reply {
        var reply = Reply(resultInfo: PaytmSandbox.resultInfo(payment))
        reply.txnId = payment.walletReference
        reply.bankTxnId = payment.state == .succeeded ? "BANK" + payment.walletReference : ""
        reply.orderId = payment.merchantReference
        reply.txnAmount = Money(minorUnits: payment.amountMinor, currency: .inr).decimalString
        reply.txnType = "SALE"
        reply.gatewayName = "WALLET"
        reply.mid = merchantID
        reply.paymentMode = "PPI"
        reply.refundAmt = Money(minorUnits: payment.refundedMinor, currency: .inr).decimalString
        reply.txnDate = payment.completedAt ?? payment.createdAt
        return reply
    }

    private static func resultInfo(_ payment: LedgerPayment) -> Reply.ResultInfo {
        switch payment.state {
        case .succeeded: return .init("TXN_SUCCESS", "01", "Txn Success")
        case .failed, .cancelled: return .init("TXN_FAILURE", payment.failureCode ?? "810", payment.failureMessage ?? "Txn Failed")
        case .processing:
            return .init("PENDING", "402", "Looks like the payment is not complete. Please wait while we confirm the status with your bank.")
        }
    }

    private func refund(_ body: RefundBody) throws -> [UInt8] {
        guard body.txnType == "REFUND" else { return failure("F", "1001", "txnType must be REFUND") }
        guard PaytmSandbox.isReference(body.refId) else {
            return failure("F", "1001", "refId must be 1 to 50 characters of letters, digits and @ - _ .")
        }
        let now = clock()
        let outcome: (LedgerRefund?, [UInt8]?) = try ledger.change { state in
            if state.refunds[LedgerState.key(Self.wallet, body.refId)] != nil {
                return (nil, failure("TXN_FAILURE", "617", "Refund Already Raised"))
            }
            guard var payment = state.payment(Self.wallet, merchantReference: body.orderId), payment.walletReference == body.txnId else {
                return (nil, failure("TXN_FAILURE", "627", "Order Details Mismatch"))
            }
            guard payment.state == .succeeded else {
                return (nil, failure("TXN_FAILURE", "627", "Order Details Mismatch: only a successful transaction can be refunded"))
            }
            guard let amount = try? Money(parsing: body.refundAmount, currency: .inr), amount.minorUnits > 0 else {
                return (nil, failure("TXN_FAILURE", "619", "Invalid refund amount"))
            }
            guard payment.refundedMinor + amount.minorUnits <= payment.amountMinor else {
                return (nil, failure("TXN_FAILURE", "619", "Invalid refund amount: the refunds would exceed the transaction amount"))
            }
            payment.refundedMinor += amount.minorUnits
            state.payments[LedgerState.key(Self.wallet, payment.merchantReference)] = payment
            if let customer = SandboxCustomer.find(payment.customerID) {
                state.balances[customer.id] = state.balance(of: customer) + amount.minorUnits
            }
            let refund = LedgerRefund(
                wallet: Self.wallet, refundReference: body.refId, walletRefundReference: state.nextReference(prefix: "PTR", date: now),
                paymentWalletReference: payment.walletReference, merchantReference: payment.merchantReference,
                amountMinor: amount.minorUnits, currency: "INR", fingerprint: body.refundAmount, createdAt: PaytmSandbox.date(now), pending: true
            )
            state.refunds[LedgerState.key(Self.wallet, refund.refundReference)] = refund
            return (refund, nil)
        }
        if let rejection = outcome.1 { return rejection }
        guard let refund = outcome.0 else { return failure("F", "501", "System Error") }
        return SandboxJSON.encode(
            refundReply(refund, .init("PENDING", "601", "Refund request was raised for this transaction. But it is pending state.")))
    }

    private func refundStatus(_ body: RefundStatusBody) throws -> [UInt8] {
        let settled: LedgerRefund? = try ledger.change { state in
            let key = LedgerState.key(Self.wallet, body.refId)
            guard var refund = state.refunds[key], refund.merchantReference == body.orderId else { return nil }
            if refund.pending == true {
                refund.pending = nil
                state.refunds[key] = refund
            }
            return refund
        }
        guard let refund = settled else { return failure("TXN_FAILURE", "631", "Record not found") }
        return SandboxJSON.encode(refundReply(refund, .init("TXN_SUCCESS", "10", "Refund Successfull")))
    }

    private func refundReply(_ refund: LedgerRefund, _ info: Reply.ResultInfo) -> Reply {
        let total = ledger.read { $0.payment(Self.wallet, merchantReference: refund.merchantReference)?.refundedMinor } ?? refund.amountMinor
        var reply = Reply(resultInfo: info)
        reply.orderId = refund.merchantReference
        reply.mid = merchantID
        reply.refId = refund.refundReference
        reply.refundId = refund.walletRefundReference
        reply.txnId = refund.paymentWalletReference
        reply.refundAmount = Money(minorUnits: refund.amountMinor, currency: .inr).decimalString
        reply.totalRefundAmount = Money(minorUnits: total, currency: .inr).decimalString
        reply.txnTimestamp = refund.createdAt
        return reply
    }

    // MARK: Callbacks

    /// Posts the checksummed form callback once, when an order reaches a final state; a plain
    /// HTTP 200 acknowledges it.
    func callbackIfFinal(_ payment: LedgerPayment) {
        guard payment.state != .processing, let url = payment.notifyURL else { return }
        let marker = LedgerState.key(Self.wallet, "CALLBACK|\(payment.merchantReference)")
        let isNew = (try? ledger.change { state -> Bool in state.notified.insert(marker).inserted }) ?? false
        guard isNew else { return }
        let info = PaytmSandbox.resultInfo(payment)
        var fields: [String: String] = [
            "BANKNAME": "WALLET", "BANKTXNID": payment.state == .succeeded ? "BANK" + payment.walletReference : "",
            "CURRENCY": "INR", "GATEWAYNAME": "WALLET", "MID": merchantID, "ORDERID": payment.merchantReference,
            "PAYMENTMODE": "PPI", "RESPCODE": info.resultCode, "RESPMSG": info.resultMsg, "STATUS": info.resultStatus,
            "TXNAMOUNT": Money(minorUnits: payment.amountMinor, currency: .inr).decimalString,
            "TXNDATE": payment.completedAt ?? payment.createdAt, "TXNID": payment.walletReference,
        ]
        var signed: [String: String?] = [:]
        for (key, value) in fields { signed[key] = value }
        guard let generated = try? checksum.generate(forParams: signed) else { return }
        fields["CHECKSUMHASH"] = generated.checksum
        notifier.deliver(
            wallet: Self.wallet, url: url, body: PaytmForm.encode(fields), label: "\(info.resultStatus) \(payment.merchantReference)",
            sign: { _, _ in
                [.contentType: "application/x-www-form-urlencoded"]
            },
            isAcknowledged: { _, response in
                (200..<300).contains(response.status)
            })
    }

    // MARK: Helpers

    static func isReference(_ text: String) -> Bool {
        (1...50).contains(text.unicodeScalars.count)
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "@-_.".unicodeScalars.contains($0)
            }
    }

    /// Paytm's `txnDate` style: `2026-11-24 22:40:00.0` (IST).
    static func date(_ date: Date) -> String {
        // IST is UTC+05:30: shift by the half hour, then format at +05:00.
        let text = TimestampText.iso8601(date.addingTimeInterval(1800), offsetHours: 5)
        return text.prefix(10) + " " + text.dropFirst(11).prefix(8) + ".0"
    }
}

// MARK: Wire

extension PaytmSandbox {
    struct MerchantOnly: Decodable { var mid: String }

    struct InitiateBody: Decodable {
        struct Amount: Decodable { var value: String; var currency: String }
        struct User: Decodable { var custId: String }
        var requestType: String
        var mid: String
        var websiteName: String
        var orderId: String
        var txnAmount: Amount
        var userInfo: User
        var callbackUrl: String?
    }

    struct StatusBody: Decodable { var mid: String; var orderId: String }

    struct RefundBody: Decodable {
        var mid: String
        var txnType: String
        var orderId: String
        var txnId: String
        var refId: String
        var refundAmount: String
    }

    struct RefundStatusBody: Decodable { var mid: String; var orderId: String; var refId: String }

    /// Every reply body the sandbox sends; absent fields are left out.
    struct Reply: Encodable {
        struct ResultInfo: Encodable {
            var resultStatus: String
            var resultCode: String
            var resultMsg: String
            init(_ status: String, _ code: String, _ message: String) {
                resultStatus = status
                resultCode = code
                resultMsg = message
            }
        }
        var resultInfo: ResultInfo
        var txnToken: String?
        var isPromoCodeValid: Bool?
        var authenticated: Bool?
        var txnId: String?
        var bankTxnId: String?
        var orderId: String?
        var txnAmount: String?
        var txnType: String?
        var gatewayName: String?
        var mid: String?
        var paymentMode: String?
        var refundAmt: String?
        var txnDate: String?
        var refId: String?
        var refundId: String?
        var refundAmount: String?
        var totalRefundAmount: String?
        var txnTimestamp: String?
    }
}
