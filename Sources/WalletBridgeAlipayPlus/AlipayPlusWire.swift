/// Alipay+ JSON bodies as they go on the wire. Every scalar is a string; optional fields are
/// omitted, never `""` or null. Encoded with sorted keys, so the same request always gives
/// the same bytes (a retry resends the identical body under the same paymentRequestId).
enum AlipayPlusWire {
    struct Result: Codable, Sendable, Equatable {
        var resultCode: String
        var resultStatus: String
        var resultMessage: String?
    }

    struct PaymentMethod: Codable, Sendable {
        var paymentMethodType: String
        var paymentMethodId: String
    }

    struct Order: Codable, Sendable {
        var referenceOrderId: String
        var orderDescription: String
        var orderAmount: AlipayPlusAmount
    }

    struct Env: Codable, Sendable {
        var terminalType: String
    }

    struct PayRequest: Codable, Sendable {
        var productCode: String
        var paymentRequestId: String
        var order: Order
        var paymentAmount: AlipayPlusAmount
        var paymentMethod: PaymentMethod
        var paymentNotifyUrl: String?
        var paymentRedirectUrl: String?
        var env: Env
    }

    struct Quote: Codable, Sendable {
        var quoteId: String?
        var quoteCurrencyPair: String?
        var quotePrice: String?
        var quoteStartTime: String?
        var quoteExpiryTime: String?
    }

    struct ActionForm: Codable, Sendable {
        var actionFormType: String?
        var redirectUrl: String?
        var schemeUrl: String?
        var applinkUrl: String?
        var codeValue: String?
    }

    /// The pay response, and the fields inquiryPayment and notifications share with it.
    struct PaymentReply: Codable, Sendable {
        var result: Result?
        var paymentRequestId: String?
        var paymentId: String?
        var paymentTime: String?
        var paymentAmount: AlipayPlusAmount?
        var customerPayAmount: AlipayPlusAmount?
        var payToAmount: AlipayPlusAmount?
        var paymentQuote: Quote?
        var actionForm: ActionForm?
        // inquiryPayment
        var paymentResult: Result?
        var paymentStatus: String?
        // notifyPayment
        var notifyType: String?
    }

    struct PaymentLookup: Codable, Sendable {
        var paymentRequestId: String?
        var paymentId: String?
    }

    struct CancelReply: Codable, Sendable {
        var result: Result?
        var paymentId: String?
        var paymentRequestId: String?
        var cancelTime: String?
    }

    struct RefundRequest: Codable, Sendable {
        var refundRequestId: String
        var paymentId: String
        var paymentRequestId: String?
        var refundAmount: AlipayPlusAmount
        var refundReason: String?
    }

    struct RefundReply: Codable, Sendable {
        var result: Result?
        var refundRequestId: String?
        var refundId: String?
        var paymentId: String?
        var refundAmount: AlipayPlusAmount?
        var refundTime: String?
        // inquiryRefund
        var refundStatus: String?
    }

    struct RefundLookup: Codable, Sendable {
        var refundRequestId: String?
        var refundId: String?
    }

    struct Acknowledgement: Codable, Sendable {
        var result: Result
    }
}
