/// Random identifiers for correlation IDs and request IDs, made and formatted by hand.
///
/// Foundation's `UUID()` opens, reads and closes `/dev/urandom` on Linux for each value, and
/// `UUID.uuidString` goes through `snprintf`: together several system calls and about as much
/// as an HTTP request's set-up, several times per payment. The bytes here come from the
/// system generator (`getrandom` on Linux, `arc4random` on Darwin): no file to open.
package enum RandomIdentifier {
    /// A random (version 4) UUID in lowercase, `8-4-4-4-12` hex digits.
    package static func uuid() -> String { text(of: randomUUIDBytes(), dashes: true) }

    /// A random (version 4) UUID as 32 lowercase hex digits, no dashes.
    package static func hex32() -> String { text(of: randomUUIDBytes(), dashes: false) }

    /// 16 random bytes with the RFC 9562 version (4) and variant (10) bits set.
    static func randomUUIDBytes() -> (UInt64, UInt64) {
        var generator = SystemRandomNumberGenerator()
        // Stored big-endian so the bytes read in order are the UUID's bytes in order.
        let high = (generator.next() & ~0xF000 | 0x4000).bigEndian
        let low = (generator.next() & ~(0xC000 << 48) | (0x8000 << 48)).bigEndian
        return (high, low)
    }

    static func text(of uuid: (UInt64, UInt64), dashes: Bool) -> String {
        withUnsafeBytes(of: uuid) { bytes in
            var out = [UInt8]()
            out.reserveCapacity(36)
            for (index, byte) in bytes.enumerated() {
                if dashes, index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(WireJSON.hexDigits[Int(byte >> 4)])
                out.append(WireJSON.hexDigits[Int(byte & 0x0F)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
