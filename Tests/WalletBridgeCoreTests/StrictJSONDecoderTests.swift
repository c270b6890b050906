import Foundation
import Testing

@testable import WalletBridgeCore

/// `StrictJSONDecoder`, the replies' fast decoder, against its oracle: whatever it decodes must
/// be what `JSONDecoder` decodes from the same bytes, and whatever it is not sure of it must
/// hand over (``StrictJSONDecoder/GaveUp``) rather than guess.
@Suite("Strict JSON decoder")
struct StrictJSONDecoderTests {
    struct Amount: Codable, Equatable {
        var currency: String
        var value: String
    }

    /// Shaped like the adapters' replies.
    struct Reply: Codable, Equatable {
        var result: Result?
        var amount: Amount?
        var items: [Int]?
        var note: String?
        var flag: Bool?
        var count: Int?
        var small: Int8?
        var unsigned: UInt64?
        var nested: [[String: String]]?

        struct Result: Codable, Equatable {
            var resultCode: String
            var resultStatus: String
            var resultMessage: String?
        }
    }

    /// Accepts a number or a numeric string, as a wallet's `expiresIn` does; its `try?` must not
    /// make the fast decoder answer differently from JSONDecoder.
    struct Flexible: Decodable, Equatable {
        var value: Int
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                value = number
            } else if let text = try? container.decode(String.self), let number = Int(text) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a whole number")
            }
        }
    }

    struct WithFlexible: Decodable, Equatable { var expiresIn: Flexible? }

    func oracle<T: Decodable>(_ type: T.Type, _ text: String) -> T? { try? JSONDecoder().decode(type, from: Data(text.utf8)) }

    func fast<T: Decodable>(_ type: T.Type, _ text: String) -> T? { try? StrictJSONDecoder.decode(type, from: Array(text.utf8)) }

    @Test(
        "decodes what JSONDecoder decodes, to the same value",
        arguments: [
            #"{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"Success"},"amount":{"currency":"PHP","value":"100"}}"#,
            #"{"items":[1,-2,0,9223372036854775807,-9223372036854775808],"note":null,"flag":true,"count":-0}"#,
            #" { "note" : "tab\tquote\"slash\/back\\uA\u00e9" , "small" : -128 , "unsigned" : 18446744073709551615 } "#,
            #"{"note":"é 日本 😀","nested":[{"a":"1"},{}],"unknown":{"deep":[1.5,2e3,-0.0,{"x":null}]},"flag":false}"#,
            #"{}"#,
            #"{"count":null,"flag":null,"note":null,"amount":null,"small":null,"unsigned":null,"result":{"resultCode":"F","resultStatus":"F","resultMessage":null}}"#,
        ])
    func agreesWithJSONDecoder(_ text: String) throws {
        let expected = try #require(oracle(Reply.self, text))
        let decoded = try #require(fast(Reply.self, text), "the fast decoder gave up on \(text)")
        #expect(decoded == expected)
        #expect(try StrictJSON.decode(Reply.self, from: Array(text.utf8)) == expected)
    }

    @Test(
        "hands over whatever it is not sure of (and StrictJSON then answers as JSONDecoder)",
        arguments: [
            #"{"count":1.0}"#,  // an integer type from a fraction
            #"{"count":1e2}"#,  // or an exponent
            #"{"small":128}"#,  // out of range
            #"{"unsigned":-0}"#,
            #"{"note":"\ud83d\ude00"}"#,  // a surrogate pair
            #"{"note":"\u+041"}"#,  // not four hex digits
            #"{"count":01}"#,  // not JSON
            #"{"count":+1}"#,
            #"{"unknown":1.}"#,
            #"{"note":"x","junk":tru}"#,
            #"{"count":"1"}"#,  // a string for an integer
            #"{"result":{"resultCode":"S"}}"#,  // a required key missing
        ])
    func handsOver(_ text: String) {
        #expect(fast(Reply.self, text) == nil)
        #expect((try? StrictJSON.decode(Reply.self, from: Array(text.utf8))) == oracle(Reply.self, text))
    }

    @Test("a type that catches an error is decoded by JSONDecoder, whatever it caught")
    func caughtErrorsHandOver() throws {
        #expect(fast(WithFlexible.self, #"{"expiresIn":"900"}"#) == nil)
        #expect(try StrictJSON.decode(WithFlexible.self, from: Array(#"{"expiresIn":"900"}"#.utf8)).expiresIn?.value == 900)
        #expect(fast(WithFlexible.self, #"{"expiresIn":900}"#)?.expiresIn?.value == 900)
    }

    @Test(
        "a key repeated at any depth is refused here and named by StrictJSON",
        arguments: [
            #"{"note":"a","note":"b"}"#,
            #"{"result":{"resultCode":"S","resultStatus":"S","resultCode":"F"}}"#,
            #"{"nested":[{"a":"1","\u0061":"2"}]}"#,
        ])
    func repeatedKeysAreRefused(_ text: String) {
        #expect(fast(Reply.self, text) == nil)
        let error = #expect(throws: WalletError.self) { try StrictJSON.decode(Reply.self, from: Array(text.utf8)) }
        #expect(error?.message.contains("is not trusted") == true)
    }

    @Test("invalid UTF-8 is never decoded here")
    func invalidUTF8HandsOver() {
        var bytes = Array(#"{"note":"x"}"#.utf8)
        bytes[9] = 0xFF
        #expect((try? StrictJSONDecoder.decode(Reply.self, from: bytes)) == nil)
    }

    struct Floating: Decodable { var price: Double }

    @Test("floating point, dates and data go to JSONDecoder")
    func foundationTypesHandOver() throws {
        #expect(fast(Floating.self, #"{"price":1}"#) == nil)
        #expect(try StrictJSON.decode(Floating.self, from: Array(#"{"price":1.5}"#.utf8)).price == 1.5)
    }
}
