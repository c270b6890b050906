import WalletBridgeCore

/// The body forms a SNAP verifier hashes: the raw bytes as received, then one minified form
/// that keeps every character (no re-escaping, unlike the reference library's fallback).
enum SNAPBodyForms {
    static func candidates(_ body: [UInt8]) -> [[UInt8]] {
        guard let minified = try? RawJSON.minify(body), minified != body else { return [body] }
        return [body, minified]
    }
}
