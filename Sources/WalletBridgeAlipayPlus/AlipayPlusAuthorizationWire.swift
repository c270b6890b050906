/// The Antom-family authorization bodies (field names as global-open-sdk-python 1.7.1 has
/// them; `Specs/CustomerAuthorization.md` section 1.2). Same conventions as ``AlipayPlusWire``:
/// strings only, optional fields omitted, sorted keys.
extension AlipayPlusWire {
    /// `consult`: where the customer grants the authorization.
    struct ConsultRequest: Codable, Sendable {
        var customerBelongsTo: String
        var authRedirectUrl: String
        var scopes: [String]
        var authState: String
        var terminalType: String
        var authNotifyUrl: String?
    }

    /// The `consult` reply: the consent page (web, scheme or app link).
    struct ConsultReply: Codable, Sendable {
        var result: Result?
        var authUrl: String?
        var normalUrl: String?
        var schemeUrl: String?
        var applinkUrl: String?
        var appIdentifier: String?
    }

    /// `applyToken` with `AUTHORIZATION_CODE` or `REFRESH_TOKEN`.
    struct ApplyTokenRequest: Codable, Sendable {
        var grantType: String
        var customerBelongsTo: String
        var authCode: String?
        var refreshToken: String?
    }

    /// The `applyToken` reply.
    struct ApplyTokenReply: Codable, Sendable {
        var result: Result?
        var accessToken: String?
        var accessTokenExpiryTime: String?
        var refreshToken: String?
        var refreshTokenExpiryTime: String?
        var userLoginId: String?
    }

    /// `revoke`.
    struct RevokeRequest: Codable, Sendable {
        var accessToken: String
    }

    /// `notifyAuthorization` (to us).
    struct AuthorizationNotify: Codable, Sendable {
        var notifyType: String?
        var result: Result?
        var authorizationNotifyType: String?
        var authClientId: String?
        var accessToken: String?
        var authState: String?
        var authCode: String?
        var reason: String?
        var userLoginId: String?
        var userId: String?
    }
}
