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

    /// `application/x-www-form-urlencoded` decoding of `bytes`: `+` is a space, `%XX` a byte
    /// (hex digits in either case); nil for a `%` not followed by two hex digits. The caller
    /// checks that the bytes are the UTF-8 it expects.
    package static func decodeForm(_ bytes: some Collection<UInt8>) -> [UInt8]? {
        if let decoded = bytes.withContiguousStorageIfAvailable(decodeForm(buffer:)) { return decoded }
        return Array(bytes).withUnsafeBufferPointer(decodeForm(buffer:))
    }

    private static func decodeForm(buffer input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var valid = true
        let bytes = [UInt8](unsafeUninitializedCapacity: input.count) { out, written in
            var i = 0
            var o = 0
            while i < input.count {
                let byte = input[i]
                if byte == UInt8(ascii: "+") {
                    out[o] = 0x20
                    i += 1
                } else if byte == UInt8(ascii: "%") {
                    guard i + 2 < input.count, let high = hexValue(input[i + 1]), let low = hexValue(input[i + 2]) else {
                        valid = false
                        break
                    }
                    out[o] = high << 4 | low
                    i += 3
                } else {
                    out[o] = byte
                    i += 1
                }
                o += 1
            }
            written = valid ? o : 0
        }
        return valid ? bytes : nil
    }

    /// The value of one hex digit, either case.
    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
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
