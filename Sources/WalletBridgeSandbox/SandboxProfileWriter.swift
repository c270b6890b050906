import Foundation
import WalletBridgeCore
import WalletBridgeCrypto

/// Writes a ``PartnerProfile`` as one wallet's table of a profile file (the shape
/// `PartnerProfileFile` reads), for `walletbridge sandbox --write-config`: inline key text
/// goes to a key file beside it, named after the wallet.
enum SandboxProfileWriter {
    /// The table for `profile`; inline keys are written into `directory`.
    static func table(_ profile: PartnerProfile, keysInto directory: String) throws -> [String: Any] {
        func reference(_ source: KeySource, file name: String) throws -> String {
            switch source {
            case .file(let path): return "file:" + path
            case .environment(let variable): return "env:" + variable
            case .string(let text):
                try (text + "\n").write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
                return "file:" + name
            }
        }
        func milliseconds(_ duration: Duration) -> Int64 {
            let parts = duration.components
            return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
        }
        let wallet = profile.wallet
        var table: [String: Any] = [
            "scheme": profile.scheme,
            "base_url": profile.baseURL,
            "client_id": profile.clientID,
            "connect_timeout_ms": milliseconds(profile.connectTimeout),
            "request_timeout_ms": milliseconds(profile.requestTimeout),
        ]
        if let merchantKey = profile.merchantKey { table["merchant_key"] = try reference(merchantKey, file: "\(wallet)-merchant-key.txt") }
        if let clientSecret = profile.clientSecret { table["client_secret"] = try reference(clientSecret, file: "\(wallet)-client-secret.txt") }
        if let keyVersion = profile.keyVersion { table["key_version"] = keyVersion }
        if !profile.partnerPublicKeys.isEmpty {
            var keys: [String: String] = [:]
            for (version, source) in profile.partnerPublicKeys {
                keys[version] = try reference(source, file: "\(wallet)-partner-public-\(version).pem")
            }
            table["partner_public_keys"] = keys
        }
        if !profile.paths.isEmpty { table["paths"] = profile.paths }
        if !profile.settings.isEmpty { table["settings"] = profile.settings }
        if let notifyURL = profile.notifyURL { table["notify_url"] = notifyURL }
        return table
    }
}
