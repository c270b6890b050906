import Foundation
import WalletBridgeCrypto

/// One signature case in the shape of the interop vector files, read from JSON.
///
/// Accessors throw ``SignatureCaseError`` naming the missing or mistyped field, so a partner
/// engineer knows which field of their case to fix.
public struct SignatureCase {
    let fields: [String: Any]
    /// Directory that key-file fields are resolved against.
    let baseDirectory: URL

    /// Parses a case from JSON bytes.
    public init(json: Data, baseDirectory: URL) throws(SignatureCaseError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
        } catch {
            throw SignatureCaseError("case is not valid JSON: \(error.localizedDescription)")
        }
        guard let dictionary = object as? [String: Any] else {
            throw SignatureCaseError("case must be a JSON object")
        }
        self.fields = dictionary
        self.baseDirectory = baseDirectory
    }

    /// The case's `kind`.
    public var kind: String { get throws(SignatureCaseError) { try string("kind") } }

    /// The case's `id`, if any.
    public var id: String? { fields["id"] as? String }

    func has(_ key: String) -> Bool { fields[key] != nil && !(fields[key] is NSNull) }

    func string(_ key: String) throws(SignatureCaseError) -> String {
        guard let value = fields[key] else { throw SignatureCaseError("missing field \"\(key)\"") }
        guard let text = value as? String else { throw SignatureCaseError("field \"\(key)\" must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(SignatureCaseError) -> String? {
        has(key) ? try string(key) : nil
    }

    /// The exact body bytes: `body_utf8_b64` when present (it is authoritative for non-ASCII
    /// bodies), else the UTF-8 of `body`.
    func body(required: Bool = true) throws(SignatureCaseError) -> [UInt8] {
        if let encoded = try optionalString("body_utf8_b64") {
            guard let bytes = Data(base64Encoded: encoded) else { throw SignatureCaseError("field \"body_utf8_b64\" is not base64") }
            return Array(bytes)
        }
        if !required && !has("body") { return [] }
        return Array(try string("body").utf8)
    }

    /// A flat map of string (or null) values, as Paytm forms are.
    func params(_ key: String) throws(SignatureCaseError) -> [String: String?] {
        guard let value = fields[key] else { throw SignatureCaseError("missing field \"\(key)\"") }
        guard let object = value as? [String: Any] else { throw SignatureCaseError("field \"\(key)\" must be an object") }
        var result: [String: String?] = [:]
        for (name, item) in object {
            if item is NSNull {
                result[name] = .some(nil)
            } else if let text = item as? String {
                result[name] = text
            } else {
                throw SignatureCaseError("\(key).\(name) must be a string or null (Paytm values are strings)")
            }
        }
        return result
    }

    /// Key text: the inline field wins over the file field (resolved against the base directory).
    func keyText(inline: String, file: String, trimLineBreak: Bool = false) throws(SignatureCaseError) -> String {
        if let text = try optionalString(inline) { return text }
        guard let path = try optionalString(file) else {
            throw SignatureCaseError("missing key: give \"\(inline)\" or \"\(file)\"")
        }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path), var text = String(data: data, encoding: .utf8) else {
            throw SignatureCaseError("cannot read key file \(url.path) (field \"\(file)\"; relative paths resolve against --base-dir)")
        }
        if trimLineBreak {
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        }
        return text
    }

    func privateKey() throws(SignatureCaseError) -> RSAPrivateKey {
        let text = try keyText(inline: "private_key_pem", file: "private_key_file")
        do { return try RSAPrivateKey(text: text) } catch { throw SignatureCaseError("unusable private key: \(error)") }
    }

    func publicKey() throws(SignatureCaseError) -> RSAPublicKey {
        let text = try keyText(inline: "public_key_pem", file: "public_key_file")
        do { return try RSAPublicKey(text: text) } catch { throw SignatureCaseError("unusable public key: \(error)") }
    }
}

/// A case that cannot be used: bad JSON, a missing field, an unreadable key, an unknown kind.
/// (An invalid *signature* is not an error; it is a ``VerifyOutcome``.)
public struct SignatureCaseError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with the case.
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
