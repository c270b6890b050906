import WalletBridgeCore

/// The body forms a SNAP verifier hashes: the raw bytes as received, then one minified form
/// that keeps every character (no re-escaping, unlike the reference library's fallback).
enum SNAPBodyForms {
    /// Whether `matches` accepts the raw body or, only if it does not, the minified body.
    /// The minified copy is made only when the raw form fails, so the common case costs nothing.
    static func anyMatches(_ body: [UInt8], _ matches: ([UInt8]) -> Bool) -> Bool {
        if matches(body) { return true }
        guard let minified = try? RawJSON.minify(body), minified != body else { return false }
        return matches(minified)
    }
}
