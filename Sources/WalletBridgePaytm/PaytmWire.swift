/// The Paytm-style JSON bodies, as `Specs/openapi/paytm.yaml` and the public API reference
/// describe them. Requests are encoded once (sorted keys) and those exact bytes are
/// checksummed and sent; replies are decoded only after their checksum verified.
enum PaytmWire {
    // MARK: Requests

    struct Amount: Codable, Sendable, Equatable {
        var value: String
        var currency: String
    }

    struct UserInfo: Codable, Sendable, Equatable {
        var custId: String
    }

    struct InitiateRequest: Encodable, Sendable {
        var requestType = "Payment"
        var mid: String
        var websiteName: String
        var orderId: String
        var txnAmount: Amount
        var userInfo: UserInfo
        var callbackUrl: String?
    }

    struct StatusRequest: Encodable, Sendable {
        var mid: String
        var orderId: String
    }

    struct RefundRequest: Encodable, Sendable {
        var mid: String
        var txnType = "REFUND"
        var orderId: String
        var txnId: String
        var refId: String
        var refundAmount: String
        var comments: String?
    }

    struct RefundStatusRequest: Encodable, Sendable {
        var mid: String
        var orderId: String
        var refId: String
    }

    /// `head` of a request; `signature` covers the body text only.
    struct RequestHead: Encodable, Sendable {
        var version: String
        var channelId: String?
        var requestTimestamp: String
        var clientId: String?
        var signature: String
    }

    // MARK: Replies

    struct ResultInfo: Decodable, Sendable, Equatable {
        var resultStatus: String
        var resultCode: String?
        var resultMsg: String?
    }

    struct InitiateReply: Decodable, Sendable {
        var resultInfo: ResultInfo?
        var txnToken: String?
        var isPromoCodeValid: Bool?
    }

    /// `/v3/order/status`: `txnAmount` is a bare `"1.00"` string here.
    struct StatusReply: Decodable, Sendable {
        var resultInfo: ResultInfo?
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
    }

    struct RefundReply: Decodable, Sendable {
        var resultInfo: ResultInfo?
        var txnTimestamp: String?
        var orderId: String?
        var mid: String?
        var refId: String?
        var refundId: String?
        var txnId: String?
        var refundAmount: String?
        var totalRefundAmount: String?
    }
}
