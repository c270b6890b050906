/// The sandbox's own reading of the Antom-family authorization bodies.
extension GCashWire {
    struct ConsultRequest: Decodable, Sendable {
        var customerBelongsTo: String
        var authRedirectUrl: String
        var scopes: [String]
        var authState: String
        var terminalType: String?
        var authNotifyUrl: String?
    }

    struct ConsultBody: Encodable, Sendable {
        var result: Result
        var authUrl: String?
        var normalUrl: String?
        var schemeUrl: String?
        var applinkUrl: String?
    }

    struct ApplyTokenRequest: Decodable, Sendable {
        var grantType: String
        var customerBelongsTo: String
        var authCode: String?
        var refreshToken: String?
    }

    struct TokenBody: Encodable, Sendable {
        var result: Result
        var accessToken: String
        var accessTokenExpiryTime: String
        var refreshToken: String
        var refreshTokenExpiryTime: String
        var userLoginId: String
    }

    struct RevokeRequest: Decodable, Sendable {
        var accessToken: String
    }

    /// `notifyAuthorization` (to the merchant).
    struct AuthorizationNotifyBody: Encodable, Sendable {
        var authorizationNotifyType: String
        var authClientId: String
        var accessToken: String?
        var authCode: String?
        var authState: String?
        var reason: String?
        var userLoginId: String?
        var result: Result
    }
}
