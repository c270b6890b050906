import WalletBridgeCore

/// A SNAP `responseCode`: HTTP status (3 digits) + service code (2) + case code (2), e.g.
/// `4035414` = 403, direct debit (54), insufficient funds (14).
public struct SNAPResponseCode: Sendable, Equatable, CustomStringConvertible {
    /// The seven digits as received.
    public let text: String
    /// The HTTP status part.
    public let httpStatus: Int
    /// The service part (`54` pay, `55` query, `56` notify, `57` cancel, `58` refund, `73` token).
    public let service: String
    /// The case part.
    public let caseCode: String

    /// Parses seven digits; nil for anything else.
    public init?(_ text: String) {
        guard text.utf8.count == 7, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let status = Int(text.prefix(3))
        else { return nil }
        self.text = text
        httpStatus = status
        service = String(text.dropFirst(3).prefix(2))
        caseCode = String(text.suffix(2))
    }

    public var description: String { text }

    /// `httpStatus` and `caseCode` together, e.g. `"40314"`, for matching across services.
    var kind: String { "\(httpStatus)\(caseCode)" }

    /// 200xx00.
    public var isSuccess: Bool { kind == "20000" }
    /// 202xx00: accepted, in progress.
    public var isInProgress: Bool { kind == "20200" }
    /// 401xx01 / 401xx03: the access token is invalid, expired or unknown; a new one may help.
    public var isTokenRejection: Bool { kind == "40101" || kind == "40103" }

    /// What a refusal means, when the request was processed and refused (`failed`), or nil when
    /// its outcome is open (409, 429, 5xx, unrecognised codes): those are unknown, never failure.
    public var refusalCategory: WalletError.Category? {
        switch kind {
        case "40000", "40001", "40002", "40408": return .invalidRequest
        case "40100", "40101", "40103": return .authenticationFailed
        case "40302": return .limitExceeded
        case "40314": return .insufficientFunds
        case "40305", "40315", "40318": return .declined
        case "40418": return .inconsistentRequest
        case "40401": return .notFound
        default:
            switch httpStatus {
            case 400, 401, 403: return httpStatus == 401 ? .authenticationFailed : (httpStatus == 403 ? .declined : .invalidRequest)
            default: return nil
            }
        }
    }

    /// Why an open outcome is open.
    public var openCategory: WalletError.Category {
        switch httpStatus {
        case 409: return .duplicate
        case 429: return .rateLimited
        case 504: return .timeout
        case 500...599: return .partnerUnavailable
        default: return .unknownOutcome
        }
    }
}
