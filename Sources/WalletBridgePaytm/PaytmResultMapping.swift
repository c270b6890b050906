import WalletBridgeCore

/// How Paytm's `resultInfo` maps into the common model. The decision is taken on
/// `resultStatus`; `resultCode` only picks the error category. Codes are the public API
/// reference's; unknown codes fall back on the status's default.
enum PaytmResultMapping {
    /// The category a `resultCode` stands for.
    static func category(of code: String?, status: String) -> WalletError.Category {
        switch code {
        case "235": return .insufficientFunds
        case "227", "810", "620": return .declined
        case "330", "2005", "335", "2006": return .authenticationFailed
        case "325": return .inconsistentRequest
        case "617": return .duplicate
        case "619", "635": return .limitExceeded
        case "334", "631": return .notFound
        case "501", "626": return .partnerUnavailable
        case "196", "627", "1001": return .invalidRequest
        default: return status == "TXN_FAILURE" ? .declined : .invalidRequest
        }
    }

    /// The partner's triple, verbatim.
    static func partnerResult(_ info: PaytmWire.ResultInfo) -> PartnerResult {
        PartnerResult(code: info.resultCode ?? "", status: info.resultStatus, message: info.resultMsg)
    }

    /// An error keeping Paytm's code and message.
    static func error(_ info: PaytmWire.ResultInfo, _ message: String, mayHaveCharged: Bool? = nil) -> WalletError {
        WalletError(
            category(of: info.resultCode, status: info.resultStatus), message,
            partnerCode: info.resultCode, partnerMessage: info.resultMsg, mayHaveCharged: mayHaveCharged)
    }

    /// An unknown outcome keeping Paytm's code and message.
    static func unknown(_ info: PaytmWire.ResultInfo, _ message: String) -> WalletError {
        WalletError(.unknownOutcome, message, partnerCode: info.resultCode, partnerMessage: info.resultMsg)
    }

    /// A transaction-status reply's payment status.
    ///
    /// TXN_SUCCESS is succeeded; PENDING is pending (never a failure); TXN_FAILURE fails by
    /// its code, except 334 (no such order), which is unknown: the order may simply not have
    /// reached Paytm yet. Anything else is unknown.
    static func paymentStatus(_ info: PaytmWire.ResultInfo) -> PaymentStatus {
        switch info.resultStatus {
        case "TXN_SUCCESS":
            return .succeeded
        case "PENDING":
            return .pending(nil)
        case "TXN_FAILURE" where info.resultCode == "334", "F" where info.resultCode == "334":
            return .unknown(
                error(
                    info,
                    "Paytm does not know this order (yet); query again, or treat it as never created once the initiate is known not to have arrived"))
        case "TXN_FAILURE":
            return .failed(error(info, "the payment failed", mayHaveCharged: false))
        default:
            return .unknown(unknown(info, "Paytm's status is undecided (\(info.resultStatus)); query again"))
        }
    }

    /// A refund or refund-status reply's refund status.
    static func refundStatus(_ info: PaytmWire.ResultInfo) -> RefundStatus {
        switch info.resultStatus {
        case "TXN_SUCCESS": return .succeeded
        case "PENDING": return .pending
        case "TXN_FAILURE" where info.resultCode == "631", "F" where info.resultCode == "631":
            return .unknown(error(info, "Paytm does not know this refund (yet); query again"))
        case "TXN_FAILURE", "F":
            let refusal = error(info, "Paytm refused the refund", mayHaveCharged: false)
            // A system error is not a verified refusal: nobody knows whether the refund happened.
            if refusal.category == .partnerUnavailable {
                return .unknown(
                    WalletError(
                        .partnerUnavailable, "Paytm reported a system error; the refund is undecided: query its status",
                        partnerCode: info.resultCode, partnerMessage: info.resultMsg))
            }
            return .failed(refusal)
        default: return .unknown(unknown(info, "the refund is undecided (\(info.resultStatus)); query its status"))
        }
    }
}
