import Foundation

/// Where key text comes from: a file, a string, or an environment variable.
///
/// Loading resolves the source to text; parsing (``RSAPrivateKey/init(source:)``) happens once.
/// The string case never prints its contents.
public enum KeySource: Sendable, CustomStringConvertible {
    /// A file holding PEM or bare base64 text.
    case file(path: String)
    /// Key text given directly (PEM or bare base64; literal `\n` sequences are accepted).
    case string(String)
    /// An environment variable holding key text.
    case environment(name: String)

    /// Reads the key text.
    /// - Throws: ``CryptoError`` (`keySourceUnavailable`) naming the file or variable.
    public func loadText(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        switch self {
        case .string(let text):
            return text
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CryptoError(.keySourceUnavailable, "cannot read key file \(path)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CryptoError(.malformedKey, "key file \(path) is not UTF-8 text")
            }
            return text
        case .environment(let name):
            guard let text = environment[name], !text.isEmpty else {
                throw CryptoError(.keySourceUnavailable, "environment variable \(name) is not set")
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
