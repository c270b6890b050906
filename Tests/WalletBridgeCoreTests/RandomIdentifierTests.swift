import Foundation
import Testing
import WalletBridgeCore

/// Correlation and request IDs: RFC 9562 version 4 UUIDs, written in lowercase hex, from the
/// system generator.
@Suite struct RandomIdentifierTests {
    @Test func uuidIsVersion4InLowercaseWithDashes() throws {
        for _ in 0..<200 {
            let text = RandomIdentifier.uuid()
            let parsed = try #require(UUID(uuidString: text), "\(text) is not a UUID")
            #expect(text == parsed.uuidString.lowercased())
            let bytes = parsed.uuid
            #expect(bytes.6 >> 4 == 4, "version nibble of \(text)")
            #expect(bytes.8 >> 6 == 0b10, "variant bits of \(text)")
        }
    }

    @Test func hex32IsTheSameWithoutDashes() {
        for _ in 0..<200 {
            let text = RandomIdentifier.hex32()
            #expect(text.utf8.count == 32)
            #expect(
                text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
            let version = text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: 12)]
            #expect(version == UInt8(ascii: "4"))
            let variant = text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: 16)]
            #expect([UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(variant))
        }
    }

    @Test func valuesDoNotRepeat() {
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(RandomIdentifier.uuid()) }
        #expect(seen.count == 10_000)
        // All 122 random bits vary: every hex position but the version digit takes several values.
        let samples = (0..<64).map { _ in Array(RandomIdentifier.hex32().utf8) }
        for position in 0..<32 where position != 12 {
            #expect(Set(samples.map { $0[position] }).count > 1, "position \(position) never changes")
        }
    }
}
