import Foundation

/// A binding the sandbox issued customer tokens for (DANA-style and Paytm-style wallets): its
/// current access token, the ones a refresh replaced, its expiry and revocation.
protocol SandboxIssuedToken: Equatable {
    var accessToken: String { get }
    var accessTokenExpiresAt: Date { get }
    var replacedAccessTokens: [String] { get }
    var revokedAt: Date? { get }
}

/// What a wallet makes of a customer token presented to it.
enum SandboxTokenCheck<Binding: Equatable>: Equatable {
    case valid(Binding), expired, revoked, unknown
}

extension SandboxIssuedToken {
    /// `token` among `bindings` at `now`: valid while current and unexpired; a replaced token
    /// reads as expired (revoked once its binding is).
    static func check(_ token: String, among bindings: some Sequence<Self>, now: Date) -> SandboxTokenCheck<Self> {
        for binding in bindings {
            if binding.accessToken == token {
                if binding.revokedAt != nil { return .revoked }
                return now < binding.accessTokenExpiresAt ? .valid(binding) : .expired
            }
            if binding.replacedAccessTokens.contains(token) { return binding.revokedAt == nil ? .expired : .revoked }
        }
        return .unknown
    }
}
