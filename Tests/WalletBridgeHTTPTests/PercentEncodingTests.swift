import Foundation
import Testing
import WalletBridgeHTTP

/// `PercentEncoding` against Foundation's `addingPercentEncoding` with RFC 3986's unreserved
/// set, over every byte and random texts (ASCII, controls, non-ASCII).
@Suite struct PercentEncodingTests {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

    static func reference(_ text: String, keeping: String = "", spaceAsPlus: Bool = false) -> String {
        let allowed = unreserved.union(CharacterSet(charactersIn: keeping))
        let encoded = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return spaceAsPlus ? encoded.replacingOccurrences(of: "%20", with: "+") : encoded
    }

    static func encoded(_ text: String, keeping: String = "", spaceAsPlus: Bool = false) -> String {
        String(decoding: PercentEncoding.encode(text, keeping: Array(keeping.utf8), spaceAsPlus: spaceAsPlus), as: UTF8.self)
    }

    @Test func everyASCIIByteAlone() {
        for scalar in (0..<128).compactMap(Unicode.Scalar.init) {
            let text = String(Character(scalar))
            #expect(Self.encoded(text) == Self.reference(text), "byte \(scalar.value)")
            #expect(Self.encoded(text, spaceAsPlus: true) == Self.reference(text, spaceAsPlus: true), "byte \(scalar.value), + for space")
        }
    }

    @Test func knownValues() {
        #expect(Self.encoded("a b+c/d=e&f") == "a%20b%2Bc%2Fd%3De%26f")
        #expect(Self.encoded("a b+c/d=e", spaceAsPlus: true) == "a+b%2Bc%2Fd%3De")
        #expect(Self.encoded("x@y.z", keeping: "@") == "x@y.z")
        #expect(Self.encoded("x@y.z") == "x%40y.z")
        // A space is `+` with spaceAsPlus, even when it is also to be kept.
        #expect(Self.encoded("a b@", keeping: " @", spaceAsPlus: true) == "a+b@")
        #expect(Self.encoded("a b@", keeping: " @") == "a b@")
        #expect(Self.encoded("₱ é") == "%E2%82%B1%20%C3%A9")
        #expect(Self.encoded("") == "")
        #expect(Self.encoded("AZaz09-_.~") == "AZaz09-_.~")
    }

    @Test func formDecodingUndoesEncodingAndRefusesBrokenEscapes() {
        for text in ["", "a b+c/d=e&f", "₱ é 😀", "100%", "x@y.z~-_."] {
            #expect(PercentEncoding.decodeForm(PercentEncoding.encode(text, spaceAsPlus: true)) == Array(text.utf8))
        }
        #expect(PercentEncoding.decodeForm(Array("a+b%2b%2F%e2%82%b1".utf8)) == Array("a b+/₱".utf8))
        #expect(PercentEncoding.decodeForm("ab%2".utf8) == nil)
        #expect(PercentEncoding.decodeForm("ab%".utf8) == nil)
        #expect(PercentEncoding.decodeForm("%zz".utf8) == nil)
        #expect(PercentEncoding.decodeForm("%FF".utf8) == [0xFF])  // bytes: whether they are UTF-8 is the caller's check
        #expect(PercentEncoding.decodeForm(Array("x=%41".utf8)[2...]) == Array("A".utf8))
    }

    @Test func randomTexts() {
        var generator = SystemRandomNumberGenerator()
        let pool = Array("abcXYZ019-_.~ +/=&%@\u{0}\u{1F}\u{7F}é₱😀\n\"\\")
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...400, using: &generator)).map { _ in pool.randomElement(using: &generator) ?? "a" })
            #expect(Self.encoded(text) == Self.reference(text))
            #expect(Self.encoded(text, spaceAsPlus: true) == Self.reference(text, spaceAsPlus: true))
            #expect(Self.encoded(text, keeping: "@") == Self.reference(text, keeping: "@"))
        }
    }
}
