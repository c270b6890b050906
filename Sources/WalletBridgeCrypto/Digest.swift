import COpenSSL

/// Message digests through OpenSSL's EVP interface.
public enum Digest {
    /// SHA-256 of `data` (32 bytes).
    public static func sha256(_ data: [UInt8]) -> [UInt8] { digest(data, FetchedAlgorithms.shared.sha256, size: 32) }

    /// SHA-512 of `data` (64 bytes).
    public static func sha512(_ data: [UInt8]) -> [UInt8] { digest(data, FetchedAlgorithms.shared.sha512, size: 64) }

    /// Lowercase hex SHA-256 of `data`, as SNAP and Paytm put it into signed text.
    public static func sha256Hex(_ data: [UInt8]) -> String { Hex.lowercase(sha256(data)) }

    private static func digest(_ data: [UInt8], _ md: OpaquePointer?, size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let rc = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, md, nil)
            }
        }
        // EVP_Digest over a built-in digest only fails on allocation failure.
        precondition(rc == 1 && Int(length) == size, "EVP_Digest failed")
        return Array(out.prefix(size))
    }
}

/// Hexadecimal encoding.
public enum Hex {
    /// Lowercase hex of `bytes`.
    public static func lowercase(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        return bytes.withUnsafeBufferPointer { input in
            String(unsafeUninitializedCapacity: input.count * 2) { out in
                for (index, byte) in input.enumerated() {
                    out[2 * index] = digit(byte >> 4)
                    out[2 * index + 1] = digit(byte & 0x0f)
                }
                return input.count * 2
            }
        }
    }

    /// The lowercase hex digit of a value below 16.
    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble }

    /// Decodes hex (either case); `nil` if the text is not an even-length hex string.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = digitValue(utf8[i]), let lo = digitValue(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// The value of one ASCII hex digit (either case), or `nil`.
    public static func digitValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
