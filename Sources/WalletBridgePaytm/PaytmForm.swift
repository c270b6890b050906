import WalletBridgeHTTP

/// `application/x-www-form-urlencoded` as Paytm's callbacks use it: a flat map of string
/// fields, one of them `CHECKSUMHASH`.
public enum PaytmForm {
    /// Decodes a form body (`+` is a space, `%XX` a byte). Repeated or undecodable fields are
    /// refused, so nothing is silently dropped before the checksum is checked.
    public static func decode(_ body: [UInt8]) throws(PaytmChecksumError) -> [String: String] {
        var fields: [String: String] = [:]
        guard !body.isEmpty else { return fields }
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try unescape(parts[0])
            let value = parts.count > 1 ? try unescape(parts[1]) : ""
            guard !name.isEmpty else { throw PaytmChecksumError("the form has a field without a name") }
            guard fields.updateValue(value, forKey: name) == nil else { throw PaytmChecksumError("the form repeats the field \(name)") }
        }
        return fields
    }

    /// Encodes fields in key order (unreserved characters kept, everything else `%XX`).
    public static func encode(_ fields: [String: String]) -> [UInt8] {
        var out: [UInt8] = []
        for key in fields.keys.sorted() {
            if !out.isEmpty { out.append(UInt8(ascii: "&")) }
            out += escape(key) + [UInt8(ascii: "=")] + escape(fields[key] ?? "")
        }
        return out
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) throws(PaytmChecksumError) -> String {
        guard let out = PercentEncoding.decodeForm(bytes) else { throw PaytmChecksumError("the form has a malformed %-escape") }
        guard let text = String(validating: out, as: UTF8.self) else { throw PaytmChecksumError("the form is not UTF-8") }
        return text
    }

    private static func escape(_ text: String) -> [UInt8] {
        PercentEncoding.encode(text)
    }
}
