import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeSNAP

/// The DANA-style wallet of the sandbox, on the SNAP standard, serving both modes: RSA-signed
/// transactions (DANA) and B2B access token plus HMAC-SHA512 (other SNAP providers; chosen by
/// the presence of `Authorization: Bearer`).
///
/// It issues tokens (and can expire them on demand), verifies every signature (`401xx00`),
/// refuses a reused X-EXTERNAL-ID on the same day (`409xx00`), replays the original result for
/// the same partnerReferenceNo with the same body and refuses another body (`404xx18`), keeps
/// payments and refunds in the ledger, signs every response (X-TIMESTAMP and X-SIGNATURE over
/// `POST:path:sha256hex(body):X-TIMESTAMP` with the wallet key, a sandbox choice: DANA's
/// published library verifies no response signature) and sends signed finish notifications.
struct DANASandbox: Sendable {
    static let wallet = "dana"

    let ledger: SandboxLedger
    let faults: SandboxFaults
    let notifier: SandboxNotifier
    let clock: @Sendable () -> Date
    let partnerID = SandboxCredentials.danaPartnerID
    let merchantID = SandboxCredentials.danaMerchantID
    let merchantKey: SNAPSignatureVerifier
    let hmac: SNAPHMACSigner
    let walletSigner: SNAPRSASigner
    let state = DANASessionState()

    enum Operation: String {
        case token = "73", payment = "54", status = "55", cancel = "57", refund = "58", applyToken = "74", unbinding = "09"
    }
    private let operations: [String: Operation]

    init(ledger: SandboxLedger, faults: SandboxFaults, notifier: SandboxNotifier, clock: @escaping @Sendable () -> Date) throws {
        self.ledger = ledger
        self.faults = faults
        self.notifier = notifier
        self.clock = clock
        merchantKey = SNAPSignatureVerifier(publicKey: try RSAPublicKey(text: SandboxCredentials.merchantPublicKeyPEM))
        hmac = try SNAPHMACSigner(clientSecret: SecretBytes(utf8: SandboxCredentials.danaClientSecret))
        walletSigner = SNAPRSASigner(privateKey: try RSAPrivateKey(text: SandboxCredentials.platformPrivateKeyPEM))
        let paths = SNAPConfiguration.Paths()
        operations = [
            paths.accessToken: .token, "/v1.0/access-token/b2b": .token, paths.payment: .payment,
            paths.status: .status, paths.cancel: .cancel, paths.refund: .refund,
            paths.applyToken: .applyToken, paths.accountUnbinding: .unbinding,
        ]
    }

    func handles(_ path: String) -> Bool { operations[path] != nil || path == Self.consentPath }

    /// The common operation name of a path (`token`, `pay`, `inquire`, `cancel`, `refund`).
    func operationName(_ path: String) -> String? {
        switch operations[path] {
        case .token?: return "token"
        case .payment?: return "pay"
        case .status?: return "inquire"
        case .cancel?: return "cancel"
        case .refund?: return "refund"
        case .applyToken?: return "applyToken"
        case .unbinding?: return "unbind"
        case nil: return nil
        }
    }

    /// Where a request names its reference and amount, for the fault plan.
    static let summaryFields = (
        references: ["partnerRefundNo", "partnerReferenceNo", "originalPartnerReferenceNo"], amounts: ["refundAmount", "amount"]
    )

    /// Expires every access token issued so far (they are then refused with `401xx01`).
    func expireTokens() { state.expireAll() }

    /// Access tokens issued so far.
    var tokensIssued: Int { state.issued }

    /// What the hostile-but-signed faults rewrite in a SNAP reply.
    static let rewriteFields = SandboxReplyRewrite.Fields(
        references: ["partnerReferenceNo", "originalPartnerReferenceNo", "partnerRefundNo"], amounts: ["amount", "refundAmount"],
        duplicateMarker: "{", duplicateInsert: #""responseCode":"4035405","#)

    func handle(_ request: SandboxRequest) async -> SandboxReply {
        if request.path == Self.consentPath { return consentPage(request) }
        let fault = faults.take(for: request.path, wallet: Self.wallet, operation: operationName(request.path))
        if let early = fault?.unprocessedReply { return early }
        guard let operation = operations[request.path] else { return respond(request, .failure("404", "00", "00", "Not Found")) }
        var answer = process(request, operation, fault: fault)
        if fault == .resultUnknown {
            answer = .failure("500", operation.rawValue, "00", "General Error")
        } else if fault == .walletInProcess, operation == .payment {
            answer = .failure("202", operation.rawValue, "00", "Request In Progress")
        }
        var reply = respond(request, answer, fault: fault)
        switch fault {
        case .tamperResponseSignature?:
            // The verifier also accepts the minified body, so tamper with the signature itself.
            if let signature = reply.headerFields[.snapSignature] {
                reply.headerFields[.snapSignature] = (signature.first == "A" ? "B" : "A") + signature.dropFirst()
            }
        case .omitResponseSignature?:
            reply.headerFields[.snapSignature] = nil
            reply.headerFields[.snapTimestamp] = nil
        default:
            break
        }
        return fault?.finish(reply) ?? reply
    }

    // MARK: Authentication

    private func process(_ request: SandboxRequest, _ operation: Operation, fault: SandboxFault? = nil) -> Answer {
        let service = operation.rawValue
        guard request.method == "POST" else { return .failure("405", service, "00", "Method Not Allowed") }
        guard let timestamp = request.headerFields[.snapTimestamp], let signature = request.headerFields[.snapSignature] else {
            return .failure("400", service, "02", "Invalid Mandatory Field [X-TIMESTAMP/X-SIGNATURE]")
        }
        guard SNAPTimestamp.parse(timestamp) != nil else { return .failure("400", service, "01", "Invalid Field Format [X-TIMESTAMP]") }
        if operation == .token { return issueToken(request, timestamp: timestamp, signature: signature) }
        if operation == .applyToken { return applyToken(request, timestamp: timestamp, signature: signature) }
        guard let partner = request.headerFields[.snapPartnerID], let externalID = request.headerFields[.snapExternalID], !externalID.isEmpty,
            request.headerFields[.snapChannelID] != nil
        else {
            return .failure("400", service, "02", "Invalid Mandatory Field [X-PARTNER-ID/X-EXTERNAL-ID/CHANNEL-ID]")
        }
        guard partner == partnerID else { return .failure("401", service, "00", "Unauthorized. Unknown partner \(partner)") }
        if let authorization = request.headerFields[.authorization] {
            guard authorization.hasPrefix("Bearer "), case let token = String(authorization.dropFirst(7)), !token.isEmpty, !token.contains(" ") else {
                return .failure("401", service, "01", "Invalid Token (B2B): malformed Authorization header")
            }
            if fault == .expireToken { state.expire(token) }
            switch state.check(token, partner: partner, now: clock()) {
            case .unknown: return .failure("401", service, "03", "Token Not Found")
            case .expired: return .failure("401", service, "01", "Invalid Token (B2B): expired")
            case .valid: break
            }
            guard
                hmac.verify(
                    signature: signature, method: request.method, path: request.path, body: request.body, timestamp: timestamp,
                    accessToken: SecretBytes(utf8: token))
            else {
                return .failure(
                    "401", service, "00",
                    "Unauthorized. Invalid Signature: HMAC-SHA512 over POST:\(request.path):<token>:"
                        + "\(Digest.sha256Hex(request.body)):\(timestamp) does not match")
            }
        } else {
            do {
                try merchantKey.verifyTransaction(
                    signature: signature, method: request.method, path: request.path, body: request.body, timestamp: timestamp)
            } catch {
                // More help than a real wallet gives: what the sandbox verified.
                return .failure(
                    "401", service, "00",
                    "Unauthorized. Invalid Signature: SHA256withRSA over POST:\(request.path):"
                        + "\(Digest.sha256Hex(request.body)):\(timestamp) does not verify (\(error.kind.rawValue))")
            }
        }
        let day = String(TimestampText.iso8601(clock(), offsetHours: 7).prefix(10))
        guard state.recordExternalID("\(day)|\(partner)|\(externalID)") else {
            return .failure("409", service, "00", "Conflict: X-EXTERNAL-ID \(externalID) was already used today")
        }
        if case .replayOtherPayment(let withoutReferences)? = fault,
            let replay = replayOtherPayment(request.body, operation, withoutReferences: withoutReferences)
        {
            return replay
        }
        do {
            switch operation {
            case .payment: return try pay(request)
            case .status: return try status(request.body)
            case .cancel: return try cancel(request.body)
            case .refund: return try refund(request.body)
            case .unbinding: return unbind(request)
            case .token, .applyToken: return .failure("500", service, "01", "Internal Server Error")
            }
        } catch let error as DecodingError {
            return .failure("400", service, "02", "Invalid Mandatory Field: \(GCashSandbox.describe(error))")
        } catch {
            return .failure("500", service, "01", "Internal Server Error: \(error)")
        }
    }

    private func issueToken(_ request: SandboxRequest, timestamp: String, signature: String) -> Answer {
        guard let clientKey = request.headerFields[.snapClientKey] else {
            return .failure("400", "73", "02", "Invalid Mandatory Field [X-CLIENT-KEY]")
        }
        guard clientKey == partnerID else { return .failure("401", "73", "00", "Unauthorized. Unknown client") }
        do {
            try merchantKey.verifyAccessTokenRequest(signature: signature, clientKey: clientKey, timestamp: timestamp)
        } catch {
            return .failure("401", "73", "00", "Unauthorized. Invalid Signature over \(clientKey)|\(timestamp) (\(error.kind.rawValue))")
        }
        struct Grant: Decodable { var grantType: String }
        guard let grant = try? JSONDecoder().decode(Grant.self, from: Data(request.body)), grant.grantType == "client_credentials" else {
            return .failure("400", "73", "02", "Invalid Mandatory Field [grantType]")
        }
        let token = state.issue(partner: clientKey, now: clock(), lifetime: 900)
        return .success("73", ["accessToken": .string(token), "tokenType": .string("Bearer"), "expiresIn": .string("900")])
    }

    // MARK: Operations

    private func pay(_ request: SandboxRequest) throws -> Answer {
        let body = try JSONDecoder().decode(PaymentBody.self, from: Data(request.body))
        guard body.merchantId == merchantID else { return .failure("404", "54", "08", "Invalid Merchant") }
        guard (1...64).contains(body.partnerReferenceNo.utf8.count) else {
            return .failure("400", "54", "01", "Invalid Field Format [partnerReferenceNo]")
        }
        guard let amount = DANASandbox.money(body.amount), amount.minorUnits > 0 else {
            return .failure("400", "54", "01", "Invalid Field Format [amount]")
        }
        guard body.payOptionDetails.first?.payMethod == "BALANCE" else {
            return .failure("400", "54", "01", "Invalid Field Format [payMethod]: the sandbox takes BALANCE")
        }
        let credential = request.headerFields[.snapAuthorizationCustomer].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let notifyURL = body.urlParams?.first { $0.type == "NOTIFICATION" }?.url
        // A customer token issued by the binding flow names its customer.
        let resolved = resolveCustomer(credential, notifyURL: notifyURL)
        if let refusal = resolved.refusal { return refusal }
        let customerID = resolved.customerID
        // Same body: everything but validUpTo, which a client recomputes on a retry.
        let fingerprint = DANASandbox.fingerprint(request.body, ignoring: ["validUpTo"]) + "|" + (customerID ?? "")
        let now = clock()
        let outcome: (LedgerPayment?, Answer?) = try ledger.change { state in
            if let existing = state.payment(Self.wallet, merchantReference: body.partnerReferenceNo) {
                guard existing.fingerprint == fingerprint else { return (nil, .failure("404", "54", "18", "Inconsistent Request")) }
                return (existing, nil)
            }
            guard let customerID, let customer = SandboxCustomer.find(customerID), customer.wallet == Self.wallet else {
                return (
                    nil,
                    .failure(
                        "401", "54", "00", "Unauthorized. Unknown customer in Authorization-Customer (see walletbridge sandbox --list-customers)")
                )
            }
            var payment = LedgerPayment(
                wallet: Self.wallet, merchantReference: body.partnerReferenceNo, walletReference: state.nextReference(prefix: "2026DANA", date: now),
                fingerprint: fingerprint, customerID: customer.id, amountMinor: amount.minorUnits, currency: "IDR",
                customerAmountMinor: amount.minorUnits, customerCurrency: "IDR", quotePair: nil, quoteRate: nil, quoteID: nil,
                state: .processing, failureCode: nil, failureMessage: nil, inquiriesLeft: 0,
                createdAt: TimestampText.iso8601(now, offsetHours: 7), completedAt: nil, notifyURL: notifyURL, refundedMinor: 0)
            switch customer.behaviour {
            case .staysInProcess, .confirmsInApp:
                payment.inquiriesLeft = customer.inquiriesBeforeResult
            case .declines:
                DANASandbox.fail(&payment, "4035405", "Do Not Honor", now)
            case .pays, .insufficientFunds:
                DANASandbox.settle(&payment, customer: customer, state: &state, now: now)
            }
            state.payments[LedgerState.key(Self.wallet, payment.merchantReference)] = payment
            return (payment, nil)
        }
        if let rejection = outcome.1 { return rejection }
        guard let payment = outcome.0 else { return .failure("500", "54", "01", "Internal Server Error") }
        notifyIfFinal(payment)
        if payment.state == .failed, let code = payment.failureCode, code.hasPrefix("403") {
            return .failure(String(code.prefix(3)), "54", String(code.suffix(2)), payment.failureMessage ?? "Failed")
        }
        let fields: [String: SandboxJSONValue] = [
            "referenceNo": .string(payment.walletReference), "partnerReferenceNo": .string(payment.merchantReference),
        ]
        return payment.state == .processing ? .answer("202", "54", "00", "Request In Progress", fields) : .success("54", fields)
    }

    private static func settle(_ payment: inout LedgerPayment, customer: SandboxCustomer, state: inout LedgerState, now: Date) {
        if state.charge(&payment, customer: customer) {
            payment.state = .succeeded
            payment.completedAt = TimestampText.iso8601(now, offsetHours: 7)
        } else {
            fail(&payment, "4035414", "Insufficient Funds", now)
        }
    }

    private static func fail(_ payment: inout LedgerPayment, _ code: String, _ message: String, _ now: Date) {
        payment.state = .failed
        payment.failureCode = code
        payment.failureMessage = message
        payment.completedAt = TimestampText.iso8601(now, offsetHours: 7)
    }

    private func status(_ bytes: [UInt8]) throws -> Answer {
        let body = try JSONDecoder().decode(StatusBody.self, from: Data(bytes))
        guard body.merchantId == merchantID else { return .failure("404", "55", "08", "Invalid Merchant") }
        let now = clock()
        let found: LedgerPayment? = try ledger.change { state in
            guard var payment = find(body.originalPartnerReferenceNo, body.originalReferenceNo, in: state) else { return nil }
            if payment.state == .processing, payment.inquiriesLeft > 0 {
                payment.inquiriesLeft -= 1
                if payment.inquiriesLeft == 0, let customer = SandboxCustomer.find(payment.customerID) {
                    DANASandbox.settle(&payment, customer: customer, state: &state, now: now)
                }
                state.payments[LedgerState.key(Self.wallet, payment.merchantReference)] = payment
            }
            return payment
        }
        guard let payment = found else { return .failure("404", "55", "01", "Transaction Not Found") }
        notifyIfFinal(payment)
        var fields = notifyFields(payment)
        fields["serviceCode"] = .string("54")
        if payment.state == .succeeded, let paid = payment.completedAt { fields["paidTime"] = .string(paid) }
        return .success("55", fields)
    }

    private func cancel(_ bytes: [UInt8]) throws -> Answer {
        let body = try JSONDecoder().decode(CancelBody.self, from: Data(bytes))
        guard body.merchantId == merchantID else { return .failure("404", "57", "08", "Invalid Merchant") }
        let now = clock()
        let outcome: (LedgerPayment?, Answer?) = try ledger.change { state in
            guard var payment = find(body.originalPartnerReferenceNo, body.originalReferenceNo, in: state) else {
                return (nil, .failure("404", "57", "01", "Transaction Not Found"))
            }
            switch payment.state {
            case .succeeded: return (nil, .failure("403", "57", "15", "Transaction Not Permitted: the payment has succeeded; refund it"))
            case .failed: return (nil, .failure("403", "57", "15", "Transaction Not Permitted: the payment has failed"))
            case .cancelled: return (payment, nil)
            case .processing:
                payment.state = .cancelled
                payment.cancels = (payment.cancels ?? 0) + 1
                payment.completedAt = TimestampText.iso8601(now, offsetHours: 7)
                state.payments[LedgerState.key(Self.wallet, payment.merchantReference)] = payment
                return (payment, nil)
            }
        }
        if let rejection = outcome.1 { return rejection }
        guard let payment = outcome.0 else { return .failure("500", "57", "01", "Internal Server Error") }
        notifyIfFinal(payment)
        return .success(
            "57",
            [
                "originalPartnerReferenceNo": .string(payment.merchantReference), "originalReferenceNo": .string(payment.walletReference),
                "cancelTime": .string(payment.completedAt ?? ""),
            ])
    }

    private func refund(_ bytes: [UInt8]) throws -> Answer {
        let body = try JSONDecoder().decode(RefundBody.self, from: Data(bytes))
        guard body.merchantId == merchantID else { return .failure("404", "58", "08", "Invalid Merchant") }
        guard let amount = DANASandbox.money(body.refundAmount), amount.minorUnits > 0 else {
            return .failure("400", "58", "01", "Invalid Field Format [refundAmount]")
        }
        let fingerprint = DANASandbox.fingerprint(bytes, ignoring: [])
        let now = clock()
        let outcome: (LedgerRefund?, Answer?) = try ledger.change { state in
            if let existing = state.refunds[LedgerState.key(Self.wallet, body.partnerRefundNo)] {
                return existing.fingerprint == fingerprint ? (existing, nil) : (nil, .failure("404", "58", "18", "Inconsistent Request"))
            }
            guard var payment = find(body.originalPartnerReferenceNo, body.originalReferenceNo, in: state) else {
                return (nil, .failure("404", "58", "01", "Transaction Not Found"))
            }
            guard payment.state == .succeeded else {
                return (nil, .failure("403", "58", "15", "Transaction Not Permitted: only a paid order can be refunded"))
            }
            guard payment.refundedMinor + amount.minorUnits <= payment.amountMinor else {
                return (nil, .failure("403", "58", "02", "Exceeds Transaction Amount Limit: the refunds would exceed the payment"))
            }
            payment.refundedMinor += amount.minorUnits
            state.payments[LedgerState.key(Self.wallet, payment.merchantReference)] = payment
            if let customer = SandboxCustomer.find(payment.customerID) {
                state.balances[customer.id] = state.balance(of: customer) + amount.minorUnits
            }
            let refund = LedgerRefund(
                wallet: Self.wallet, refundReference: body.partnerRefundNo,
                walletRefundReference: state.nextReference(prefix: "2026DANAR", date: now),
                paymentWalletReference: payment.walletReference, merchantReference: payment.merchantReference,
                amountMinor: amount.minorUnits, currency: "IDR", fingerprint: fingerprint, createdAt: TimestampText.iso8601(now, offsetHours: 7))
            state.refunds[LedgerState.key(Self.wallet, refund.refundReference)] = refund
            return (refund, nil)
        }
        if let rejection = outcome.1 { return rejection }
        guard let refund = outcome.0 else { return .failure("500", "58", "01", "Internal Server Error") }
        return .success(
            "58",
            [
                "originalPartnerReferenceNo": .string(refund.merchantReference), "originalReferenceNo": .string(refund.paymentWalletReference),
                "refundNo": .string(refund.walletRefundReference), "partnerRefundNo": .string(refund.refundReference),
                "refundAmount": DANASandbox.amount(refund.amountMinor), "refundTime": .string(refund.createdAt),
            ])
    }

    /// The signed success reply to a query or a cancel about the most recent other payment
    /// (nothing is processed); nil for other services, or when there is none.
    private func replayOtherPayment(_ bytes: [UInt8], _ operation: Operation, withoutReferences: Bool) -> Answer? {
        guard operation == .status || operation == .cancel, let body = try? JSONDecoder().decode(CancelBody.self, from: Data(bytes)) else {
            return nil
        }
        let other = ledger.read { state in
            state.mostRecentPayment(Self.wallet) {
                $0.merchantReference != body.originalPartnerReferenceNo && $0.walletReference != body.originalReferenceNo
            }
        }
        guard let other else { return nil }
        var answer: Answer
        if operation == .status {
            var fields = notifyFields(other)
            fields["serviceCode"] = .string("54")
            if other.state == .succeeded, let paid = other.completedAt { fields["paidTime"] = .string(paid) }
            answer = .success("55", fields)
        } else {
            answer = .success(
                "57",
                [
                    "originalPartnerReferenceNo": .string(other.merchantReference), "originalReferenceNo": .string(other.walletReference),
                    "cancelTime": .string(other.completedAt ?? other.createdAt),
                ])
        }
        if withoutReferences { answer.fields.removeValue(forKey: "originalPartnerReferenceNo") }
        return answer
    }

    private func find(_ reference: String?, _ walletReference: String?, in state: LedgerState) -> LedgerPayment? {
        if let reference, let payment = state.payment(Self.wallet, merchantReference: reference) { return payment }
        if let walletReference { return state.payment(Self.wallet, walletReference: walletReference) }
        return nil
    }

    // MARK: Notifications

    private func notifyFields(_ payment: LedgerPayment) -> [String: SandboxJSONValue] {
        let (latest, description) = DANASandbox.latestStatus(payment)
        return [
            "originalPartnerReferenceNo": .string(payment.merchantReference), "originalReferenceNo": .string(payment.walletReference),
            "merchantId": .string(merchantID), "amount": DANASandbox.amount(payment.amountMinor),
            "latestTransactionStatus": .string(latest), "transactionStatusDesc": .string(description),
            "createdTime": .string(payment.createdAt),
        ]
    }

    static func latestStatus(_ payment: LedgerPayment) -> (String, String) {
        switch payment.state {
        case .succeeded: return payment.refundedMinor > 0 && payment.refundedMinor == payment.amountMinor ? ("04", "REFUNDED") : ("00", "SUCCESS")
        case .processing: return ("02", "PAYING")
        case .cancelled: return ("05", "CANCELLED")
        case .failed: return ("06", "FAILED")
        }
    }

    /// Sends the signed finish notification once per payment and final state; an HTTP 200 with
    /// `2005600` acknowledges it.
    private func notifyIfFinal(_ payment: LedgerPayment) {
        guard payment.state != .processing, let url = payment.notifyURL else { return }
        let (latest, _) = DANASandbox.latestStatus(payment)
        let marker = LedgerState.key(Self.wallet, "FINISH|\(latest)|\(payment.merchantReference)")
        let isNew = (try? ledger.change { state -> Bool in state.notified.insert(marker).inserted }) ?? false
        guard isNew else { return }
        var fields = notifyFields(payment)
        if let finished = payment.completedAt { fields["finishedTime"] = .string(finished) }
        let body = SandboxJSON.encode(fields)
        let signer = walletSigner, clock = self.clock, partnerID = self.partnerID
        notifier.deliver(
            wallet: Self.wallet, url: url, body: body, label: "FINISH \(latest) \(payment.merchantReference)",
            sign: { path, body in
                let timestamp = TimestampText.iso8601(clock(), offsetHours: 7)
                guard let signature = try? signer.sign(method: "POST", path: path, body: body, timestamp: timestamp) else { return nil }
                return [
                    .contentType: "application/json", .snapTimestamp: timestamp, .snapSignature: signature.value, .snapPartnerID: partnerID,
                    .snapExternalID: UUID().uuidString.replacingOccurrences(of: "-", with: ""), .snapChannelID: "95221",
                ]
            },
            isAcknowledged: { _, response in
                guard response.status == 200, let ack = try? JSONDecoder().decode(SNAPAck.self, from: Data(response.body)) else { return false }
                return ack.responseCode == "2005600"
            })
    }

    // MARK: Replies

    /// A reply before signing: its responseCode parts and fields.
    struct Answer {
        var status: String
        var service: String
        var caseCode: String
        var message: String
        var fields: [String: SandboxJSONValue]

        static func success(_ service: String, _ fields: [String: SandboxJSONValue]) -> Answer {
            Answer(status: "200", service: service, caseCode: "00", message: "Successful", fields: fields)
        }
        static func failure(_ status: String, _ service: String, _ caseCode: String, _ message: String) -> Answer {
            Answer(status: status, service: service, caseCode: caseCode, message: message, fields: [:])
        }
        static func answer(_ status: String, _ service: String, _ caseCode: String, _ message: String, _ fields: [String: SandboxJSONValue]) -> Answer
        {
            Answer(status: status, service: service, caseCode: caseCode, message: message, fields: fields)
        }
    }

    /// The signed HTTP reply: status from the code's first three digits, body minified.
    private func respond(_ request: SandboxRequest, _ answer: Answer, fault: SandboxFault? = nil) -> SandboxReply {
        var fields = answer.fields
        fields["responseCode"] = .string(answer.status + answer.service + answer.caseCode)
        fields["responseMessage"] = .string(answer.message)
        let body = SandboxReplyRewrite.apply(fault, to: SandboxJSON.encode(fields), fields: Self.rewriteFields)
        var reply = SandboxReply.json(Int(answer.status) ?? 500, body)
        let timestamp = TimestampText.iso8601(clock(), offsetHours: 7)
        if let signature = try? walletSigner.sign(method: "POST", path: request.path, body: body, timestamp: timestamp) {
            reply.headerFields.append(HTTPField(name: .snapTimestamp, value: timestamp))
            reply.headerFields.append(HTTPField(name: .snapSignature, value: signature.value))
        }
        return reply
    }

    // MARK: Helpers

    /// Exactly two decimals, IDR.
    static func money(_ amount: AmountBody) -> Money? {
        guard amount.currency == "IDR", let dot = amount.value.firstIndex(of: "."), amount.value[amount.value.index(after: dot)...].count == 2 else {
            return nil
        }
        return try? Money(parsing: amount.value, currency: .idr)
    }

    static func amount(_ minor: Int64) -> SandboxJSONValue {
        .object([
            "value": .string((try? Money(minorUnits: minor, currency: .idr).decimalString(fractionDigits: 2)) ?? "0.00"), "currency": .string("IDR"),
        ])
    }

    /// The request's business content: its JSON with `ignoring` keys removed, keys sorted.
    static func fingerprint(_ body: [UInt8], ignoring: Set<String>) -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return Digest.sha256Hex(body) }
        for key in ignoring { object.removeValue(forKey: key) }
        guard let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return Digest.sha256Hex(body) }
        return Digest.sha256Hex(Array(canonical))
    }
}

// MARK: Wire and session state

extension DANASandbox {
    struct AmountBody: Decodable { var value: String; var currency: String }
    struct PaymentBody: Decodable {
        struct PayOption: Decodable { var payMethod: String }
        struct URLParam: Decodable { var url: String; var type: String }
        var partnerReferenceNo: String
        var merchantId: String
        var amount: AmountBody
        var validUpTo: String
        var payOptionDetails: [PayOption]
        var urlParams: [URLParam]?
    }
    struct StatusBody: Decodable {
        var originalPartnerReferenceNo: String?; var originalReferenceNo: String?; var serviceCode: String; var merchantId: String
    }
    struct CancelBody: Decodable { var originalPartnerReferenceNo: String?; var originalReferenceNo: String?; var merchantId: String }
    struct RefundBody: Decodable {
        var originalPartnerReferenceNo: String?
        var originalReferenceNo: String?
        var merchantId: String
        var partnerRefundNo: String
        var refundAmount: AmountBody
    }
    struct SNAPAck: Decodable { var responseCode: String }
}

/// Tokens and message ids: per sandbox process, not in the ledger (a token outlives no process).
final class DANASessionState: @unchecked Sendable {
    enum TokenCheck { case valid, expired, unknown }

    private let lock = NSLock()
    private var tokens: [String: (partner: String, expiresAt: Date)] = [:]
    private var externalIDs: Set<String> = []
    private var issuedCount = 0

    var issued: Int { lock.withLock { issuedCount } }

    func issue(partner: String, now: Date, lifetime: TimeInterval) -> String {
        let token =
            (try? SecureRandom.string(length: 40, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")))
            ?? UUID().uuidString
        lock.withLock {
            tokens[token] = (partner, now.addingTimeInterval(lifetime))
            issuedCount += 1
        }
        return token
    }

    func check(_ token: String, partner: String, now: Date) -> TokenCheck {
        lock.withLock {
            guard let entry = tokens[token], entry.partner == partner else { return .unknown }
            return now < entry.expiresAt ? .valid : .expired
        }
    }

    func expire(_ token: String) {
        lock.withLock { tokens[token]?.expiresAt = .distantPast }
    }

    func expireAll() {
        lock.withLock { for key in tokens.keys { tokens[key]?.expiresAt = .distantPast } }
    }

    /// False when the id was already used (today).
    func recordExternalID(_ key: String) -> Bool {
        lock.withLock { externalIDs.insert(key).inserted }
    }
}
