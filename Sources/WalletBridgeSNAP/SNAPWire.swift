/// The DANA-style SNAP JSON bodies (`Specs/openapi/snap.yaml`). Requests are encoded once,
/// minified with sorted keys; those exact bytes are hashed, signed and sent.
enum SNAPWire {
    /// `{"value":"10000.00","currency":"IDR"}`.
    struct Amount: Codable, Sendable, Equatable {
        var value: String
        var currency: String
    }

    // MARK: Requests

    struct PaymentRequest: Encodable, Sendable {
        struct PayOption: Encodable, Sendable {
            var payMethod: String
            var payOption: String
            var transAmount: Amount
        }
        struct URLParam: Encodable, Sendable {
            var url: String
            var type: String
            var isDeeplink: String
        }
        struct AdditionalInfo: Encodable, Sendable {
            struct EnvInfo: Encodable, Sendable {
                var sourcePlatform: String
                var terminalType: String
            }
            struct Order: Encodable, Sendable {
                var orderTitle: String
                var scenario: String
            }
            var mcc: String
            var envInfo: EnvInfo
            var order: Order
        }
        var partnerReferenceNo: String
        var merchantId: String
        var amount: Amount
        var validUpTo: String
        var payOptionDetails: [PayOption]
        var urlParams: [URLParam]
        var additionalInfo: AdditionalInfo
    }

    struct StatusRequest: Encodable, Sendable {
        var originalPartnerReferenceNo: String
        var originalReferenceNo: String?
        var serviceCode: String
        var merchantId: String
    }

    struct CancelRequest: Encodable, Sendable {
        var originalPartnerReferenceNo: String
        var originalReferenceNo: String?
        var merchantId: String
        var reason: String?
        var amount: Amount?
    }

    struct RefundRequest: Encodable, Sendable {
        var originalPartnerReferenceNo: String
        var originalReferenceNo: String?
        var merchantId: String
        var partnerRefundNo: String
        var refundAmount: Amount
        var reason: String?
    }

    struct TokenRequest: Encodable, Sendable {
        var grantType = "client_credentials"
    }

    // MARK: Replies

    /// Every reply carries these two.
    struct Head: Decodable, Sendable {
        var responseCode: String?
        var responseMessage: String?
    }

    struct PaymentReply: Decodable, Sendable {
        var responseCode: String?
        var responseMessage: String?
        var referenceNo: String?
        var partnerReferenceNo: String?
        var webRedirectUrl: String?
    }

    struct StatusReply: Decodable, Sendable {
        var responseCode: String?
        var responseMessage: String?
        var originalPartnerReferenceNo: String?
        var originalReferenceNo: String?
        var serviceCode: String?
        var latestTransactionStatus: String?
        var transactionStatusDesc: String?
        var amount: Amount?
        var paidTime: String?
    }

    struct CancelReply: Decodable, Sendable {
        var responseCode: String?
        var responseMessage: String?
        var originalPartnerReferenceNo: String?
        var originalReferenceNo: String?
        var cancelTime: String?
    }

    struct RefundReply: Decodable, Sendable {
        var responseCode: String?
        var responseMessage: String?
        var originalPartnerReferenceNo: String?
        var originalReferenceNo: String?
        var refundNo: String?
        var partnerRefundNo: String?
        var refundAmount: Amount?
        var refundTime: String?
    }

    struct TokenReply: Decodable, Sendable {
        var responseCode: String?
        var responseMessage: String?
        var accessToken: String?
        var tokenType: String?
        var expiresIn: FlexibleInt?
    }

    /// `expiresIn` arrives as a number or a numeric string depending on the provider.
    struct FlexibleInt: Decodable, Sendable {
        var value: Int
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                value = number
            } else if let text = try? container.decode(String.self), let number = Int(text) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expiresIn is not a whole number")
            }
        }
    }

    /// The finish notification (service 56).
    struct FinishNotify: Decodable, Sendable {
        var originalPartnerReferenceNo: String?
        var originalReferenceNo: String?
        var merchantId: String?
        var amount: Amount?
        var latestTransactionStatus: String?
        var transactionStatusDesc: String?
        var createdTime: String?
        var finishedTime: String?
    }
}
