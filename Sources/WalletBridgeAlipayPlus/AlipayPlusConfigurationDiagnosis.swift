import Foundation
import WalletBridgeCore

/// How an Alipay+ reply points at our own profile, read from a reply that did not verify:
/// - it is addressed to another `client-id` than ours (the platform answers under the client
///   id it knows, so ours is wrong), or
/// - its signature does not verify with the profile's platform keys and it claims the
///   platform could not verify *us* (`INVALID_SIGNATURE`, `INVALID_CLIENT`...).
///
/// Either counts only on a run's first replies: once a reply has verified with this profile,
/// the same failure points at the reply (misrouted, tampered), which stays an unknown outcome.
enum AlipayPlusConfigurationDiagnosis {
    /// Result codes with which the platform refuses a request it cannot authenticate.
    static let authenticationCodes: Set<String> = ["INVALID_SIGNATURE", "INVALID_CLIENT", "KEY_NOT_FOUND", "INVALID_CLIENT_STATUS"]

    /// What a reply's `result` claims, read without trusting it.
    static func claim(_ body: [UInt8], verified: Bool) -> WalletError.Claim? {
        struct Peek: Decodable { var result: AlipayPlusWire.Result? }
        guard let result = (try? JSONDecoder().decode(Peek.self, from: Data(body)))?.result else { return nil }
        return WalletError.Claim(status: result.resultStatus, code: result.resultCode, message: result.resultMessage, verified: verified)
    }

    /// A reply addressed to `replyClientID`, not ours.
    static func otherClient(
        _ replyClientID: String, body: [UInt8], history: VerificationHistory, configuration: AlipayPlusConfiguration
    ) -> WalletError.Diagnosis? {
        guard !history.anyVerified else { return nil }
        return WalletError.Diagnosis(
            .configuration,
            advice: "the wallet's replies are addressed to client id \(replyClientID), not to this profile's client_id \(configuration.clientID): "
                + "check client_id (and merchant_key, key_version) in the profile",
            claim: claim(body, verified: false))
    }

    /// A reply whose signature does not verify, claiming the platform could not authenticate us.
    static func unverifiedRefusal(_ body: [UInt8], history: VerificationHistory) -> WalletError.Diagnosis? {
        guard !history.anyVerified, let claim = claim(body, verified: false), let code = claim.code, authenticationCodes.contains(code) else {
            return nil
        }
        return WalletError.Diagnosis(
            .configuration,
            advice:
                "the wallet's replies do not verify with this profile's partner_public_keys, and the wallet says it cannot verify our signature either: "
                + "check merchant_key, key_version, client_id and partner_public_keys in the profile",
            claim: claim)
    }
}
