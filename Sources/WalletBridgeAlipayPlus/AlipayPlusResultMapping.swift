import WalletBridgeCore

/// Alipay+ `result{resultCode, resultStatus}` into the common model, as
/// `partners/alipayplus.md` lays out: S is success, F is failure by code, and U is never
/// failure: PAYMENT_IN_PROCESS (and REFUND_IN_PROCESS) is pending, every other U is unknown.
///
/// A wallet's own codes (``AlipayPlusConfiguration/resultCodes``, from its file under
/// `Wallets/`) are consulted first; the shared table below holds only the network's codes.
struct AlipayPlusResultMapping: Sendable {
    /// The wallet's own result codes, consulted before the shared mapping.
    var walletCodes: [String: WalletError.Category] = [:]

    /// The taxonomy case of an F (or throttling U) result code: the wallet's own, else the
    /// shared one.
    func category(of code: String) -> WalletError.Category {
        walletCodes[code] ?? Self.sharedCategory(of: code)
    }

    /// The taxonomy case of a result code in the shared Alipay+ mapping.
    static func sharedCategory(of code: String) -> WalletError.Category {
        switch code {
        case "USER_BALANCE_NOT_ENOUGH":
            return .insufficientFunds
        case "PARAM_ILLEGAL", "CURRENCY_NOT_SUPPORT", "INVALID_PAYMENT_METHOD_META_DATA", "MERCHANT_NOT_REGISTERED",
            "INVALID_CONTRACT", "NOT_SUPPORTED_PAYMENT_METHOD", "ORDER_IS_CLOSED", "ORDER_STATUS_INVALID", "MULTIPLE_REFUNDS_NOT_SUPPORTED":
            return .invalidRequest
        case "ACCESS_DENIED", "INVALID_SIGNATURE", "INVALID_CLIENT", "KEY_NOT_FOUND", "INVALID_ACCESS_TOKEN",
            "EXPIRED_ACCESS_TOKEN", "ACCESS_TOKEN_EXPIRED", "INVALID_REFRESH_TOKEN", "REFRESH_TOKEN_EXPIRED", "CLIENT_INVALID", "NO_INTERFACE_DEF",
            "INVALID_API", "MERCHANT_STATUS_ABNORMAL":
            return .authenticationFailed
        case "USER_AMOUNT_EXCEED_LIMIT", "PAYMENT_AMOUNT_EXCEED_LIMIT", "PAYMENT_COUNT_EXCEED_LIMIT", "REFUND_AMOUNT_EXCEED",
            "REFUND_WINDOW_EXCEED":
            return .limitExceeded
        case "REPEAT_REQ_INCONSISTENT":
            return .inconsistentRequest
        case "ORDER_NOT_EXIST", "REFUND_NOT_EXIST", "PAYMENT_NOT_EXIST":
            return .notFound
        case "REQUEST_TRAFFIC_EXCEED_LIMIT":
            return .rateLimited
        case "USER_PAYMENT_VERIFICATION_FAILED", "RISK_REJECT", "USER_STATUS_ABNORMAL", "USER_NOT_EXIST", "USER_KYC_NOT_QUALIFIED",
            "PROCESS_FAIL", "PAYMENT_NOT_ALLOWED", "USER_REJECTED":
            return .declined
        case "UNKNOWN_EXCEPTION", "SYSTEM_ERROR":
            return .unknownOutcome
        default:
            return .declined
        }
    }

    /// What an `F` from `pay` says about the customer's access token, when it says anything:
    /// `INVALID_ACCESS_TOKEN` (documented for pay: "expired, revoked, or does not exist") is
    /// `WalletError/AuthorizationProblem/revoked`; `ACCESS_TOKEN_EXPIRED` (and the TNG-style
    /// `EXPIRED_ACCESS_TOKEN`) is `WalletError/AuthorizationProblem/expired` (the sandbox's
    /// emulation choice: not found in the Antom pay table). Both are `authenticationFailed`.
    static func payAuthorizationProblem(_ code: String) -> WalletError.AuthorizationProblem? {
        switch code {
        case "INVALID_ACCESS_TOKEN": return .revoked
        case "ACCESS_TOKEN_EXPIRED", "EXPIRED_ACCESS_TOKEN": return .expired
        default: return nil
        }
    }

    /// What an `F` from `applyToken` says about the code or refresh token (codes not found in
    /// the published tables: the sandbox's emulation choices): a bad authorization code is
    /// `invalidRequest` with `WalletError/AuthorizationProblem/invalidCode`; a bad or expired
    /// refresh token is `authenticationFailed` with `WalletError/AuthorizationProblem/expired`
    /// (bind again).
    static func applyTokenProblem(_ code: String) -> (WalletError.Category, WalletError.AuthorizationProblem)? {
        switch code {
        case "INVALID_CODE", "USED_CODE", "EXPIRED_CODE", "INVALID_AUTHCODE": return (.invalidRequest, .invalidCode)
        case "INVALID_REFRESH_TOKEN", "REFRESH_TOKEN_EXPIRED": return (.authenticationFailed, .expired)
        default: return nil
        }
    }

    func error(_ result: AlipayPlusWire.Result, _ message: String) -> WalletError {
        WalletError(category(of: result.resultCode), message, partnerCode: result.resultCode, partnerMessage: result.resultMessage)
    }

    static func partnerResult(_ result: AlipayPlusWire.Result?) -> PartnerResult? {
        result.map { PartnerResult(code: $0.resultCode, status: $0.resultStatus, message: $0.resultMessage) }
    }

    /// A payment result (pay reply, `paymentResult` of an inquiry, or a notification).
    func paymentStatus(_ result: AlipayPlusWire.Result, nextAction: NextAction?) -> PaymentStatus {
        switch result.resultStatus {
        case "S":
            return .succeeded
        case "F":
            return .failed(error(result, "the wallet refused the payment"))
        case "U" where result.resultCode == "PAYMENT_IN_PROCESS":
            return .pending(nextAction)
        case "U":
            let category = self.category(of: result.resultCode)
            return .unknown(
                WalletError(
                    category == .rateLimited ? .rateLimited : .unknownOutcome,
                    "the wallet has not decided (U/\(result.resultCode)); inquire until it does",
                    partnerCode: result.resultCode, partnerMessage: result.resultMessage, mayHaveCharged: true))
        default:
            return .unknown(
                WalletError(
                    .invalidPartnerResponse, "unrecognised resultStatus \(result.resultStatus)",
                    partnerCode: result.resultCode, partnerMessage: result.resultMessage))
        }
    }

    /// Antom's `paymentStatus` of an inquiry.
    static func paymentStatus(antom status: String, result: AlipayPlusWire.Result?) -> PaymentStatus? {
        switch status {
        case "SUCCESS": return .succeeded
        case "FAIL":
            return .failed(WalletError(.declined, "the payment failed", partnerCode: result?.resultCode, partnerMessage: result?.resultMessage))
        case "CANCELLED": return .cancelled
        case "PROCESSING", "PENDING": return .pending(nil)
        default: return nil
        }
    }

    static func nextAction(_ form: AlipayPlusWire.ActionForm?) -> NextAction? {
        guard let form else { return nil }
        if let url = form.applinkUrl ?? form.schemeUrl { return .deeplink(url: url) }
        if let url = form.redirectUrl { return .redirect(url: url) }
        if let code = form.codeValue { return .qrCode(payload: code) }
        return nil
    }

    static func quote(_ quote: AlipayPlusWire.Quote?) -> FXQuote? {
        guard let quote, let pair = quote.quoteCurrencyPair, let price = quote.quotePrice else { return nil }
        return FXQuote(id: quote.quoteId, currencyPair: pair, rate: price, expiresAt: quote.quoteExpiryTime)
    }
}
