import Foundation

/// Random identifiers for correlation IDs and request IDs, formatted by hand: Foundation's
/// `UUID.uuidString` goes through `snprintf` and cost about as much as an HTTP request's
/// set-up, several times per payment.
package enum RandomIdentifier {
    /// A random (version 4) UUID in lowercase, `8-4-4-4-12` hex digits.
    package static func uuid() -> String { text(of: UUID(), dashes: true) }

    /// A random (version 4) UUID as 32 lowercase hex digits, no dashes.
    package static func hex32() -> String { text(of: UUID(), dashes: false) }

    static func text(of uuid: UUID, dashes: Bool) -> String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
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
