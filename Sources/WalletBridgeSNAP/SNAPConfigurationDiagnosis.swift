import Foundation
import WalletBridgeCore

/// How a SNAP wallet says it cannot authenticate us, and what that means for our profile.
///
/// `401xx00` ("Unauthorized. [reason]": an invalid signature, an unknown partner id) refuses a
/// request whose signature or partner the wallet cannot verify. In a verified reply it is the
/// wallet's proven word: the request was refused, and the profile's key or partner id is
/// wrong. In a reply that does not verify with the profile's wallet key either, it counts only
/// on a run's first replies (nothing has verified with this profile yet): then both keys
/// point at our profile; later, the same reply points at the reply (tampered), which stays
/// an unknown outcome.
enum SNAPConfigurationDiagnosis {
    /// Whether a response code is the wallet's "I cannot authenticate you" (`401xx00`).
    static func rejectsUs(_ code: SNAPResponseCode?) -> Bool {
        guard let code else { return false }
        return code.httpStatus == 401 && code.caseCode == "00"
    }

    /// What a reply's head claims.
    static func claim(_ code: SNAPResponseCode?, message: String?, verified: Bool) -> WalletError.Claim? {
        WalletError.Claim(status: nil, code: code?.text, message: message, verified: verified)
    }

    /// The diagnosis of a `401xx00` in a reply that passed verification: `verified` says whether
    /// its signature verified (false: an unsigned reply under a profile whose responses need not
    /// be signed, so the claim is shown as unverified).
    static func rejection(_ code: SNAPResponseCode?, message: String?, verified: Bool, configuration: SNAPConfiguration) -> WalletError.Diagnosis? {
        guard rejectsUs(code) else { return nil }
        return WalletError.Diagnosis(
            .configuration, advice: "the wallet cannot verify our request: " + check(configuration),
            claim: claim(code, message: message, verified: verified))
    }

    /// The diagnosis of a reply that did not verify (or was unsigned where it must be signed),
    /// read without trusting it.
    static func unverifiedReply(_ body: [UInt8], history: VerificationHistory, configuration: SNAPConfiguration) -> WalletError.Diagnosis? {
        guard !history.anyVerified, let head = try? JSONDecoder().decode(SNAPWire.Head.self, from: Data(body)) else { return nil }
        let code = head.responseCode.flatMap(SNAPResponseCode.init)
        guard rejectsUs(code) else { return nil }
        return WalletError.Diagnosis(
            .configuration,
            advice:
                "the wallet's replies do not verify with this profile's partner_public_keys, and the wallet says it cannot verify our request either: "
                + check(configuration) + " and partner_public_keys",
            claim: claim(code, message: head.responseMessage, verified: false))
    }

    /// Which profile fields to check, by mode.
    static func check(_ configuration: SNAPConfiguration) -> String {
        switch configuration.mode {
        case .rsa: return "check merchant_key (our private key) and client_id (X-PARTNER-ID \(configuration.partnerID)) in the profile"
        case .token:
            return "check merchant_key (our private key), client_secret and client_id (X-PARTNER-ID \(configuration.partnerID)) in the profile"
        }
    }
}
