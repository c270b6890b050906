/// Standard base64 (RFC 4648 alphabet, `=` padding), strict on decode.
///
/// Every signature of every request goes through here (an RSA-2048 signature is 344
/// characters), so both directions run over raw buffers: no per-character append, no copy of
/// the input.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        let length = (bytes.count + 2) / 3 * 4
        guard length > 0 else { return "" }
        return alphabet.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { input in
                String(unsafeUninitializedCapacity: length) { out in
                    var i = 0
                    var o = 0
                    while i + 3 <= input.count {
                        let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                        out[o] = table[Int(n >> 18 & 63)]
                        out[o + 1] = table[Int(n >> 12 & 63)]
                        out[o + 2] = table[Int(n >> 6 & 63)]
                        out[o + 3] = table[Int(n & 63)]
                        i += 3
                        o += 4
                    }
                    let rest = input.count - i
                    if rest > 0 {
                        let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                        out[o] = table[Int(n >> 18 & 63)]
                        out[o + 1] = table[Int(n >> 12 & 63)]
                        out[o + 2] = rest == 2 ? table[Int(n >> 6 & 63)] : UInt8(ascii: "=")
                        out[o + 3] = UInt8(ascii: "=")
                        o += 4
                    }
                    return o
                }
            }
        }
    }

    /// Decodes `text`; `nil` for anything that is not canonical padded base64: whitespace,
    /// URL-safe characters, missing or misplaced padding, or non-zero unused bits.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { input in
            reverse.withUnsafeBufferPointer { table in decode(input, table: table) }
        }
    }

    private static func decode(_ input: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        guard !input.isEmpty else { return [] }
        let padding = input[input.count - 1] == UInt8(ascii: "=") ? (input[input.count - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3) { out, written in
            var i = 0
            var o = 0
            // Every quad but the last: four alphabet characters, three bytes.
            while i + 4 < input.count {
                let a = table[Int(input[i])]
                let b = table[Int(input[i + 1])]
                let c = table[Int(input[i + 2])]
                let d = table[Int(input[i + 3])]
                // An invalid character is 0xff in the table: any of its top bits set.
                guard (a | b | c | d) & 0xC0 == 0 else {
                    valid = false
                    written = 0
                    return
                }
                let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[o] = UInt8(truncatingIfNeeded: n >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: n >> 8)
                out[o + 2] = UInt8(truncatingIfNeeded: n)
                i += 4
                o += 3
            }
            // The last quad: `padding` trailing `=`, and the unused bits they leave must be zero.
            var n: UInt32 = 0
            for j in 0..<4 {
                if j >= 4 - padding {
                    n <<= 6
                    continue
                }
                let value = table[Int(input[i + j])]
                guard value != 0xff else {
                    valid = false
                    written = 0
                    return
                }
                n = n << 6 | UInt32(value)
            }
            out[o] = UInt8(truncatingIfNeeded: n >> 16)
            o += 1
            if padding < 2 {
                out[o] = UInt8(truncatingIfNeeded: n >> 8)
                o += 1
            } else if n & 0xffff != 0 {
                valid = false
            }
            if padding < 1 {
                out[o] = UInt8(truncatingIfNeeded: n)
                o += 1
            } else if padding == 1, n & 0xff != 0 {
                valid = false
            }
            written = valid ? o : 0
        }
        return valid ? out : nil
    }
}
