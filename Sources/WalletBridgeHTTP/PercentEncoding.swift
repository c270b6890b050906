/// RFC 3986 percent-encoding on bytes, for the wallets' query strings, forms and header
/// fields: unreserved bytes (`A-Z a-z 0-9 - _ . ~`) stay, every other byte becomes `%XX` in
/// uppercase hex. Runs on every request (an Alipay+ signature header is some 350 bytes), so it
/// writes into one buffer sized for the worst case, with no `CharacterSet`, `String` append or
/// per-byte capacity check.
package enum PercentEncoding {
    /// The bytes of `text`, percent-encoded; `keeping` bytes stay as they are too, and with
    /// `spaceAsPlus` a space is `+` (`application/x-www-form-urlencoded`).
    package static func encode(_ text: String, keeping: [UInt8] = [], spaceAsPlus: Bool = false) -> [UInt8] {
        var text = text
        return text.withUTF8 { input in
            [UInt8](unsafeUninitializedCapacity: input.count * 3) { output, written in
                var at = 0
                for byte in input {
                    if spaceAsPlus, byte == UInt8(ascii: " ") {
                        output[at] = UInt8(ascii: "+")
                        at += 1
                    } else if isUnreserved(byte) || (!keeping.isEmpty && keeping.contains(byte)) {
                        output[at] = byte
                        at += 1
                    } else {
                        output[at] = UInt8(ascii: "%")
                        output[at + 1] = upperHex(byte >> 4)
                        output[at + 2] = upperHex(byte & 0x0F)
                        at += 3
                    }
                }
                written = at
            }
        }
    }

    /// `A-Z a-z 0-9 - _ . ~`.
    @inline(__always)
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        let letter = byte | 0x20  // ASCII letters in lowercase; nothing else lands in a-z
        return (letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
    }

    /// The uppercase hex digit of a value below 16.
    @inline(__always)
    private static func upperHex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") - 10 + nibble }
}
