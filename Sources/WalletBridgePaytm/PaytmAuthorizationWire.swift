/// The Paytm Auto Debit ("account linking") wire: the accounts host's OTP and token APIs
/// (Basic client authentication, no checksum) and the legacy `HANDLER_FF` withdraw (flat
/// upper-camel JSON, checksum in `CheckSum`). See `Specs/CustomerAuthorization.md` §3.8.
enum PaytmAuthorizationWire {
    /// Send OTP: the customer's mobile number and the scopes asked for.
    struct SendOTPRequest: Encodable, Sendable {
        var phone: String
        var scopes: [String]
    }

    /// Send OTP and Validate OTP replies: `status` SUCCESS/FAILURE, `responseCode` (`BE…`).
    struct OTPReply: Decodable, Sendable {
        var status: String?
        var message: String?
        var responseCode: String?
        var stateToken: String?
        var tokens: Tokens?
        var encryptedUserId: String?

        enum CodingKeys: String, CodingKey {
            case status, message, responseCode, tokens, encryptedUserId
            case stateToken = "state_token"
        }
    }

    /// The tokens of a validated OTP: the access ("SSO") token, the refresh token, the SSO
    /// token's expiry in epoch milliseconds, and the scope.
    struct Tokens: Decodable, Sendable {
        var accessToken: String?
        var refreshToken: String?
        var expires: Int64?
        var refreshTokenExpires: Int64?
        var scope: String?
    }

    /// Validate OTP: the state token of Send OTP and the OTP the customer typed.
    struct ValidateOTPRequest: Encodable, Sendable {
        var otp: String
        var stateToken: String

        enum CodingKeys: String, CodingKey {
            case otp
            case stateToken = "state_token"
        }
    }

    /// Refresh Token: `grantType=refresh_token`.
    struct RefreshRequest: Encodable, Sendable {
        var grantType = "refresh_token"
        var deviceId: String
        var refreshToken: String
    }

    /// Refresh Token reply: `expiresIn` is epoch milliseconds; a failure carries `error` and
    /// `error_description`.
    struct RefreshReply: Decodable, Sendable {
        var scope: String?
        var accessToken: String?
        var tokenType: String?
        var expiresIn: Int64?
        var refreshToken: String?
        var refreshTokenExpiresIn: Int64?
        var error: String?
        var errorDescription: String?

        enum CodingKeys: String, CodingKey {
            case scope, accessToken, tokenType, expiresIn, refreshToken, refreshTokenExpiresIn, error
            case errorDescription = "error_description"
        }
    }
}
