/// RFC 3986 percent-encoding on bytes, for the wallets' query strings, forms and header
/// fields: unreserved bytes (`A-Z a-z 0-9 - _ . ~`) stay, every other byte becomes `%XX` in
/// uppercase hex. Runs on every request, so it never goes through `CharacterSet` or `String`
/// appends.
package enum PercentEncoding {
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The bytes of `text`, percent-encoded; `keeping` bytes stay as they are too, and with
    /// `spaceAsPlus` a space is `+` (`application/x-www-form-urlencoded`).
    package static func encode(_ text: String, keeping: [UInt8] = [], spaceAsPlus: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " ") where spaceAsPlus:
                out.append(UInt8(ascii: "+"))
            case _ where keeping.contains(byte):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
