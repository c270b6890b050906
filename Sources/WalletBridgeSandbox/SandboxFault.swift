import Foundation
import HTTPTypes

/// A failure the sandbox injects on demand, to test what a client does when the partner
/// misbehaves. Faults queue per path and are used up one request at a time.
///
/// Besides broken transport and signatures, some faults produce **hostile but validly signed**
/// replies: a wallet (or something between it and the signing step) that answers about another
/// payment, another amount, or with a body that says two things. A client must never take any
/// of them for a success, a cancellation or a failure (see `ReplyBinding` in WalletBridgeCore).
public enum SandboxFault: Sendable, Equatable {
    /// Process the request, then send a response whose signature does not match.
    case tamperResponseSignature
    /// Process the request, then send the response without signature headers.
    case omitResponseSignature
    /// Process the request, then answer `U/UNKNOWN_EXCEPTION` (as if the platform's reply was lost).
    case resultUnknown
    /// Process the request, then wait this long before answering (to trigger client timeouts).
    case delay(Duration)
    /// Do not process the request; answer with this HTTP status and no body.
    case httpStatus(Int)
    /// Do not process a payment inquiry or a cancel; answer with the correctly signed success
    /// reply about **another** payment of the same wallet (the most recently created one the
    /// request does not name): its inquiry reply, or a "cancelled" reply naming it. With
    /// `withoutReferences`, the merchant-reference fields (`paymentRequestId`, `orderId`,
    /// `originalPartnerReferenceNo`) are removed first: a signed reply that names no merchant
    /// reference, replayed from an earlier payment. Other paths, or a ledger with no other
    /// payment, are processed normally.
    case replayOtherPayment(withoutReferences: Bool)
    /// Process the request, then sign a reply whose merchant-side reference fields name another
    /// value (`-OTHER` appended): `paymentRequestId`/`refundRequestId` (Alipay+), `orderId`/`refId`
    /// (Paytm), `partnerReferenceNo`/`originalPartnerReferenceNo`/`partnerRefundNo` (SNAP).
    case foreignReference
    /// Process the request, then sign a reply whose amount fields state another amount (the last
    /// digit of the whole-number part raised: `"1000"` → `"1001"`, `"10.00"` → `"11.00"`):
    /// `paymentAmount`/`refundAmount` (Alipay+), `txnAmount`/`refundAmount` (Paytm),
    /// `amount`/`refundAmount` (SNAP).
    case foreignAmount
    /// Process the request, then sign a body that repeats its result key, the failure first and
    /// the real value second: `"resultStatus":"F",…,"resultStatus":"S"` in `result` (Alipay+),
    /// `"resultStatus":"TXN_FAILURE"` in `resultInfo` (Paytm), a refusing `responseCode` before the
    /// real one (SNAP). A decoder that keeps either value would be fooled; the reply is untrusted.
    case duplicateKey
    /// Process the request, then answer HTTP 500 carrying the validly signed reply (a success
    /// body, when the request succeeded). A status outside 2xx is never success.
    case signedServerError
    /// Answer HTTP 429, unsigned, with `Retry-After: 1` and no body: a throttle in front of the
    /// wallet. With `processed`, the request is processed first (the throttle dropped the real
    /// reply), so the payment exists; otherwise it is not processed.
    case unsignedTooManyRequests(processed: Bool)
    /// Process the request, then answer with the wallet's own "in process" result, though the
    /// ledger may have decided: Alipay+ `U`/`PAYMENT_IN_PROCESS` to a pay, SNAP HTTP 202
    /// `2025400` to a payment, Paytm `PENDING` (402) to a status query. Other operations are
    /// processed normally.
    case walletInProcess
    /// Process the request (the ledger commits), then answer this 5xx status, unsigned, with a
    /// plain-text body: the wallet acted but its answer was lost behind a gateway.
    case serverErrorAfterCommit(Int)
    /// Process the request, send the status line and the first half of the body, pause this
    /// long, then send the rest.
    case slowBody(Duration)
    /// Expire the access token the request carries before checking it (SNAP token mode):
    /// the call gets `401xx01` and the client must fetch a new token.
    case expireToken

    /// Every admin name, for help texts: `tamper-response-signature`, `omit-response-signature`,
    /// `result-unknown`, `delay-ms:N`, `http-status:N`, `replay-other-payment`,
    /// `replay-other-payment-without-references`, `foreign-reference`, `foreign-amount`,
    /// `duplicate-key`, `signed-server-error`, `unsigned-429`, `unsigned-429-processed`, `in-process`,
    /// `http-status-after-commit:N`, `slow-body-ms:N`, `expire-token`.
    public static let adminNames = [
        "tamper-response-signature", "omit-response-signature", "result-unknown", "delay-ms:N", "http-status:N",
        "replay-other-payment", "replay-other-payment-without-references", "foreign-reference", "foreign-amount",
        "duplicate-key", "signed-server-error", "unsigned-429", "unsigned-429-processed", "in-process",
        "http-status-after-commit:N", "slow-body-ms:N", "expire-token",
    ]

    /// Parses the admin endpoint's names (see ``adminNames``).
    public init?(name: String) {
        switch name {
        case "tamper-response-signature": self = .tamperResponseSignature
        case "omit-response-signature": self = .omitResponseSignature
        case "result-unknown": self = .resultUnknown
        case "replay-other-payment": self = .replayOtherPayment(withoutReferences: false)
        case "replay-other-payment-without-references": self = .replayOtherPayment(withoutReferences: true)
        case "foreign-reference": self = .foreignReference
        case "foreign-amount": self = .foreignAmount
        case "duplicate-key": self = .duplicateKey
        case "signed-server-error": self = .signedServerError
        case "unsigned-429": self = .unsignedTooManyRequests(processed: false)
        case "unsigned-429-processed": self = .unsignedTooManyRequests(processed: true)
        case "in-process": self = .walletInProcess
        case "expire-token": self = .expireToken
        default:
            if name.hasPrefix("delay-ms:"), let millis = Int64(name.dropFirst(9)), millis >= 0 {
                self = .delay(.milliseconds(millis))
            } else if name.hasPrefix("slow-body-ms:"), let millis = Int64(name.dropFirst(13)), millis >= 0 {
                self = .slowBody(.milliseconds(millis))
            } else if name.hasPrefix("http-status-after-commit:"), let status = Int(name.dropFirst(25)), (500...599).contains(status) {
                self = .serverErrorAfterCommit(status)
            } else if name.hasPrefix("http-status:"), let status = Int(name.dropFirst(12)), (100...599).contains(status) {
                self = .httpStatus(status)
            } else {
                return nil
            }
        }
    }

    /// Whether the sandbox applies this fault around any wallet's handler, knowing nothing of
    /// its wire format: an answer instead of processing (`http-status:N`, `unsigned-429`), or,
    /// after processing, a 5xx (`http-status-after-commit:N`, `signed-server-error`), a
    /// throttle that dropped the reply (`unsigned-429-processed`), a delay or a slow body.
    ///
    /// The others need the wallet's wire (its signature headers, its reference and amount
    /// fields, its own in-process and unknown results, its tokens): the built-in wallets apply
    /// them themselves, and a hosted ``SandboxWalletEmulation`` is offered them through
    /// ``SandboxEmulationContext/fault``.
    public var isWireIndependent: Bool {
        switch self {
        case .httpStatus, .unsignedTooManyRequests, .serverErrorAfterCommit, .signedServerError, .delay, .slowBody:
            return true
        case .tamperResponseSignature, .omitResponseSignature, .resultUnknown, .replayOtherPayment, .foreignReference, .foreignAmount,
            .duplicateKey, .walletInProcess, .expireToken:
            return false
        }
    }

    /// Applies the faults every wallet handles alike once the request was processed: a 5xx
    /// after the commit, a slow body, a delay, a throttle that dropped the real reply. Returns
    /// the reply to send.
    func finish(_ reply: SandboxReply) -> SandboxReply {
        var reply = reply
        switch self {
        case .serverErrorAfterCommit(let status):
            return SandboxReply(
                status: status, headerFields: [.contentType: "text/plain"], body: Array("upstream error: the wallet did not answer in time".utf8))
        case .slowBody(let pause):
            reply.slowBody = pause
        case .delay(let duration):
            reply.delay = duration
        case .signedServerError:
            reply.status = 500
        case .unsignedTooManyRequests(processed: true):
            return .tooManyRequests
        default:
            break
        }
        return reply
    }

    /// The reply a fault answers with before (or instead of) processing the request, if any.
    var unprocessedReply: SandboxReply? {
        switch self {
        case .httpStatus(let status):
            return SandboxReply(status: status, headerFields: [:], body: [])
        case .unsignedTooManyRequests(processed: false):
            return SandboxReply.tooManyRequests
        default:
            return nil
        }
    }
}

extension SandboxReply {
    /// HTTP 429, unsigned, `Retry-After: 1`, no body.
    static var tooManyRequests: SandboxReply { SandboxReply(status: 429, headerFields: [.retryAfter: "1"], body: []) }
}

/// The body-level rewrites of the hostile-but-signed faults, applied before signing.
enum SandboxReplyRewrite {
    /// Merchant-side reference fields and amount fields of one wallet's replies.
    struct Fields {
        var references: Set<String>
        var amounts: Set<String>
        /// Where the duplicated key goes: inserted right after this marker.
        var duplicateMarker: String
        /// The key-value text inserted there (with its trailing comma).
        var duplicateInsert: String
    }

    /// `body` rewritten for `fault`, or unchanged when the fault does not rewrite bodies (or the
    /// body is not a JSON object).
    static func apply(_ fault: SandboxFault?, to body: [UInt8], fields: Fields) -> [UInt8] {
        switch fault {
        case .foreignReference?:
            return transform(body) { key, value in
                guard fields.references.contains(key), let text = value as? String, !text.isEmpty else { return nil }
                return text + "-OTHER"
            }
        case .foreignAmount?:
            return transform(body) { key, value in
                guard fields.amounts.contains(key) else { return nil }
                if let text = value as? String { return bumped(text) }
                if var object = value as? [String: Any], let text = object["value"] as? String {
                    object["value"] = bumped(text)
                    return object
                }
                return nil
            }
        case .duplicateKey?:
            return insert(fields.duplicateInsert, after: fields.duplicateMarker, in: body)
        default:
            return body
        }
    }

    /// `body` without the top-level `fields`.
    static func removing(_ fields: Set<String>, from body: [UInt8]) -> [UInt8] {
        transform(body, removing: fields) { _, _ in nil }
    }

    /// Rewrites every member (at any depth) for which `change` returns a new value; re-encoded
    /// with sorted keys.
    static func transform(_ body: [UInt8], removing: Set<String> = [], _ change: (String, Any) -> Any?) -> [UInt8] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return body }
        func walk(_ value: Any) -> Any {
            if let dictionary = value as? [String: Any] {
                var result: [String: Any] = [:]
                for (key, member) in dictionary { result[key] = change(key, member) ?? walk(member) }
                return result
            }
            if let array = value as? [Any] { return array.map(walk) }
            return value
        }
        var top = walk(object) as? [String: Any] ?? object
        for key in removing { top.removeValue(forKey: key) }
        guard let data = try? JSONSerialization.data(withJSONObject: top, options: [.sortedKeys, .withoutEscapingSlashes]) else { return body }
        return Array(data)
    }

    /// `text` inserted right after the first `marker` in `body` (unchanged when absent).
    static func insert(_ text: String, after marker: String, in body: [UInt8]) -> [UInt8] {
        guard let range = body.firstRange(of: Array(marker.utf8)) else { return body }
        var result = body
        result.insert(contentsOf: Array(text.utf8), at: range.upperBound)
        return result
    }

    /// Another decimal amount: the last whole-number digit raised, `"1000"` → `"1001"`, `"10.00"` → `"11.00"`.
    static func bumped(_ text: String) -> String {
        var digits = Array(text)
        var index = (digits.firstIndex(of: ".") ?? digits.endIndex) - 1
        while index >= 0 {
            guard let digit = digits[index].wholeNumberValue else { return text + "1" }
            if digit < 9 {
                digits[index] = Character(String(digit + 1))
                return String(digits)
            }
            digits[index] = "0"
            index -= 1
        }
        return "1" + String(digits)
    }
}
