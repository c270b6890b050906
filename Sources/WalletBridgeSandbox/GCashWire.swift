/// The sandbox's own reading of Alipay+ bodies (kept apart from the adapter's types, so the
/// two sides check each other).
enum GCashWire {
    struct Amount: Codable, Sendable, Equatable {
        var currency: String
        var value: String
    }

    struct Result: Codable, Sendable {
        var resultCode: String
        var resultStatus: String
        var resultMessage: String

        static let success = Result(resultCode: "SUCCESS", resultStatus: "S", resultMessage: "success")
        static func failure(_ code: String, _ message: String) -> Result { Result(resultCode: code, resultStatus: "F", resultMessage: message) }
        static let inProcess = Result(resultCode: "PAYMENT_IN_PROCESS", resultStatus: "U", resultMessage: "payment in process")
        static let unknown = Result(resultCode: "UNKNOWN_EXCEPTION", resultStatus: "U", resultMessage: "unknown exception")
    }

    struct PayRequest: Decodable, Sendable {
        struct Method: Decodable, Sendable { var paymentMethodType: String; var paymentMethodId: String }
        struct Order: Decodable, Sendable { var referenceOrderId: String?; var orderDescription: String?; var orderAmount: Amount? }
        var productCode: String
        var paymentRequestId: String
        var paymentAmount: Amount
        var paymentMethod: Method
        var order: Order?
        var paymentNotifyUrl: String?
    }

    struct Lookup: Decodable, Sendable {
        var paymentRequestId: String?
        var paymentId: String?
    }

    struct RefundRequest: Decodable, Sendable {
        var refundRequestId: String
        var paymentId: String
        var refundAmount: Amount
        var refundReason: String?
    }

    struct RefundLookup: Decodable, Sendable {
        var refundRequestId: String?
        var refundId: String?
    }

    struct Quote: Encodable, Sendable {
        var quoteId: String
        var quoteCurrencyPair: String
        var quotePrice: String
        var quoteStartTime: String
        var quoteExpiryTime: String
    }

    struct ActionForm: Encodable, Sendable {
        var actionFormType: String
        var redirectUrl: String
        var applinkUrl: String
    }

    struct PaymentBody: Encodable, Sendable {
        var result: Result
        var paymentRequestId: String?
        var paymentId: String?
        var paymentTime: String?
        var paymentAmount: Amount?
        var customerPayAmount: Amount?
        var paymentQuote: Quote?
        var actionForm: ActionForm?
        var paymentResult: Result?
        var paymentStatus: String?
        var notifyType: String?
    }

    struct CancelBody: Encodable, Sendable {
        var result: Result
        var paymentId: String?
        var paymentRequestId: String?
        var cancelTime: String?
    }

    struct RefundBody: Encodable, Sendable {
        var result: Result
        var refundRequestId: String?
        var refundId: String?
        var paymentId: String?
        var refundAmount: Amount?
        var refundTime: String?
        var refundStatus: String?
    }

    struct ResultOnly: Codable, Sendable {
        var result: Result
    }
}
