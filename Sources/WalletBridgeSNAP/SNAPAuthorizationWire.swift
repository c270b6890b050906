/// The DANA-style SNAP bodies of the customer authorization lifecycle: Apply Token (B2B2C,
/// service 74), Account Unbinding (service 09) and the sandbox's SNAP-style unbind
/// notification. Field names follow dana-python 2.2.2's widget models.
extension SNAPWire {
    /// `{}`.
    struct EmptyObject: Codable, Sendable {}

    /// `POST /v1.0/access-token/b2b2c.htm`: `AUTHORIZATION_CODE` with `authCode`, or
    /// `REFRESH_TOKEN` with `refreshToken`.
    struct ApplyTokenRequest: Encodable, Sendable {
        var grantType: String
        var authCode: String?
        var refreshToken: String?
        var additionalInfo = EmptyObject()
    }

    /// The Apply Token reply: the customer token (`Authorization-Customer`), its refresh
    /// token and their expiry times (`YYYY-MM-DDTHH:mm:ss+07:00`).
    struct ApplyTokenReply: Decodable, Sendable {
        struct AdditionalInfo: Decodable, Sendable {
            struct UserInfo: Decodable, Sendable {
                var publicUserId: String?
            }
            var userInfo: UserInfo?
        }
        var tokenType: String?
        var accessToken: String?
        var accessTokenExpiryTime: String?
        var refreshToken: String?
        var refreshTokenExpiryTime: String?
        var additionalInfo: AdditionalInfo?
    }

    /// `POST /v1.0/registration-account-unbinding.htm`.
    struct UnbindingRequest: Encodable, Sendable {
        struct AdditionalInfo: Encodable, Sendable {
            var accessToken: String
            var deviceId: String
        }
        var merchantId: String
        var partnerReferenceNo: String
        var additionalInfo: AdditionalInfo
    }

    /// The sandbox's SNAP-style unbind notification (DANA's real one uses the DANA Open API
    /// envelope, `dana.oauth.unbind.notify`, which WalletBridge does not implement).
    struct UnbindNotify: Decodable, Sendable {
        var unbindAccessToken: [String]?
        var unbindTime: String?
        var partnerReferenceNo: String?
        var merchantId: String?
    }
}
