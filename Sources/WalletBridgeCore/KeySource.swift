import Foundation

/// Where key text comes from: a file, a string, or an environment variable.
///
/// Loading resolves the source to text; an adapter parses it once, when it is built
/// (`RSAPrivateKey(text: source.loadText())`). The string case never prints its contents.
/// It lives in `WalletBridgeCore` (it used to be in `WalletBridgeCrypto`) so that a
/// ``PartnerProfile`` can name keys without linking OpenSSL.
public enum KeySource: Sendable, CustomStringConvertible {
    /// A file holding PEM or bare base64 text.
    case file(path: String)
    /// Key text given directly (PEM or bare base64; literal `\n` sequences are accepted).
    case string(String)
    /// An environment variable holding key text.
    case environment(name: String)

    /// Reads the key text.
    /// - Throws: ``KeySourceError`` naming the file or variable (never the key).
    public func loadText(environment: [String: String] = ProcessInfo.processInfo.environment) throws(KeySourceError) -> String {
        switch self {
        case .string(let text):
            return text
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KeySourceError(.unavailable, "cannot read key file \(path)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw KeySourceError(.notText, "key file \(path) is not UTF-8 text")
            }
            return text
        case .environment(let name):
            guard let text = environment[name], !text.isEmpty else {
                throw KeySourceError(.unavailable, "environment variable \(name) is not set")
            }
            return text
        }
    }

    public var description: String {
        switch self {
        case .file(let path): return "file \(path)"
        case .string: return "inline key text"
        case .environment(let name): return "environment variable \(name)"
        }
    }
}
