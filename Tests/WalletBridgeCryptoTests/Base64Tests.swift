import Foundation
import Testing
import WalletBridgeCrypto

/// `Base64` against Foundation (encoding) and a plain reference decoder with the same strict
/// rules (decoding), over random bytes and random texts.
@Suite struct Base64Tests {
    /// The strict rules spelled out one character at a time: canonical padded base64 only.
    static func referenceDecode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        guard !input.isEmpty else { return [] }
        let padding = input.last == UInt8(ascii: "=") ? (input[input.count - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
        var out = [UInt8]()
        var i = 0
        while i < input.count {
            let isLast = i + 4 == input.count
            var n: UInt32 = 0
            for j in 0..<4 {
                if isLast && j >= 4 - padding {
                    n <<= 6
                    continue
                }
                guard let value = alphabet.firstIndex(of: input[i + j]) else { return nil }
                n = n << 6 | UInt32(value)
            }
            out.append(UInt8(n >> 16 & 0xff))
            if !(isLast && padding == 2) { out.append(UInt8(n >> 8 & 0xff)) } else if n & 0xffff != 0 { return nil }
            if !(isLast && padding >= 1) { out.append(UInt8(n & 0xff)) } else if padding == 1 && n & 0xff != 0 { return nil }
            i += 4
        }
        return out
    }

    @Test func encodesAsFoundationDoesAndDecodesBack() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString(), "length \(length)")
            #expect(Base64.decode(text) == bytes, "length \(length)")
        }
    }

    @Test func decodesRandomTextsAsTheReferenceDoes() {
        var generator = SystemRandomNumberGenerator()
        // Text only (decode takes a String): ASCII outside the alphabet, a control, non-ASCII.
        let pool = Array("ABCXYZabcxyz0189+/=-_ \n€".utf8) + [0x00, 0x7F]
        for _ in 0..<5000 {
            let length =
                4 * Int.random(in: 0...6, using: &generator) + (Bool.random(using: &generator) ? 0 : Int.random(in: 1...3, using: &generator))
            let text = String(decoding: (0..<length).map { _ in pool.randomElement(using: &generator) ?? 0x41 }, as: UTF8.self)
            #expect(Base64.decode(text) == Self.referenceDecode(text), "\(Array(text.utf8))")
        }
    }

    @Test func refusesWhatIsNotCanonical() {
        #expect(Base64.decode("") == [])
        #expect(Base64.decode("QQ==") == [0x41])
        #expect(Base64.decode("QR==") == nil)  // unused bits set
        #expect(Base64.decode("QUI=") == [0x41, 0x42])
        #expect(Base64.decode("QUJ=") == nil)  // unused bits set
        #expect(Base64.decode("Q===") == nil)
        #expect(Base64.decode("====") == nil)
        #expect(Base64.decode("QQ==QUFB") == nil)  // padding before the end
        #expect(Base64.decode("QUFB\n") == nil)
        #expect(Base64.decode("QUF-") == nil)
        #expect(Base64.decode("QUFB") == [0x41, 0x41, 0x41])
    }
}
