import Foundation
import WalletBridgeCore

/// How Paytm says "your checksum is wrong", and what a reply saying so means when its own
/// checksum does not verify either: the merchant key is symmetric, so a wrong key fails both
/// ways. The first reply of a run then fails its checksum *and* claims `2005` (initiate) or
/// `330` (status, refund): the key in the profile is wrong, not the reply.
enum PaytmConfigurationDiagnosis {
    /// Result codes with which Paytm refuses a request whose checksum it cannot verify.
    static let checksumCodes: Set<String> = ["2005", "330"]

    /// What a reply's `resultInfo` claims, read without trusting it; nil when it claims nothing readable.
    static func claim(_ bodyText: [UInt8], verified: Bool) -> WalletError.Claim? {
        struct Peek: Decodable { var resultInfo: PaytmWire.ResultInfo? }
        guard let info = (try? JSONDecoder().decode(Peek.self, from: Data(bodyText)))?.resultInfo else { return nil }
        return WalletError.Claim(status: info.resultStatus, code: info.resultCode, message: info.resultMsg, verified: verified)
    }

    /// Whether a claim says the wallet could not verify our checksum.
    static func saysChecksumInvalid(_ claim: WalletError.Claim) -> Bool {
        if let code = claim.code, checksumCodes.contains(code) { return true }
        return claim.message?.lowercased().contains("checksum") == true
    }

    /// The diagnosis of a reply whose checksum does not verify (or that has none): our
    /// configuration, when nothing has verified with this key in this run and the reply says
    /// the wallet could not verify our checksum; nil otherwise (a tampered reply stays what
    /// it was: unknown, to be settled by inquiry).
    static func unverifiedReply(_ bodyText: [UInt8], history: VerificationHistory, configuration: PaytmConfiguration) -> WalletError.Diagnosis? {
        guard !history.anyVerified, let claim = claim(bodyText, verified: false), saysChecksumInvalid(claim) else { return nil }
        return WalletError.Diagnosis(
            .configuration,
            advice: "the wallet's replies do not verify with this merchant_key, and the wallet says it cannot verify our checksum either: "
                + "check merchant_key and client_id (mid \(configuration.merchantID)) in the profile",
            claim: claim)
    }
}
