import Foundation
import Testing

@testable import WalletBridgeCore

/// `WireJSON`, the request bodies' encoder, against its oracle: every body it writes must be
/// the bytes `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` writes for the same
/// value, and what it cannot write it must refuse (so that `WireFormat.json` hands it over).
@Suite("Wire JSON")
struct WireJSONTests {
    struct Amount: Codable, Equatable {
        var currency: String
        var value: String
    }

    struct Item: Codable, Equatable {
        var name: String
        var quantity: Int
        var tags: [String]
    }

    /// Shaped like the adapters' request bodies: nested objects, optionals, arrays of
    /// objects, a dictionary, every integer width, keys whose order differs by case and digits.
    struct Body: Codable, Equatable {
        var partnerReferenceNo: String
        var amount: Amount
        var items: [Item]
        var note: String?
        var absent: String?
        var additionalInfo: [String: String]
        var flags: [Bool]
        var int8: Int8
        var int16: Int16
        var int32: Int32
        var int64: Int64
        var uint: UInt
        var uint8: UInt8
        var uint64: UInt64
        var MID: String
        var ORDERID: String
        var a10: Int
        var a9: Int
        var _private: Int

        enum CodingKeys: String, CodingKey {
            case partnerReferenceNo, amount, items, note, absent, additionalInfo, flags, int8, int16, int32, int64, uint, uint8, uint64
            case MID, ORDERID, a10, a9, _private
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(partnerReferenceNo, forKey: .partnerReferenceNo)
            try container.encode(amount, forKey: .amount)
            try container.encode(items, forKey: .items)
            try container.encode(note, forKey: .note)  // nil → null
            try container.encodeIfPresent(absent, forKey: .absent)  // nil → left out
            try container.encode(additionalInfo, forKey: .additionalInfo)
            try container.encode(flags, forKey: .flags)
            try container.encode(int8, forKey: .int8)
            try container.encode(int16, forKey: .int16)
            try container.encode(int32, forKey: .int32)
            try container.encode(int64, forKey: .int64)
            try container.encode(uint, forKey: .uint)
            try container.encode(uint8, forKey: .uint8)
            try container.encode(uint64, forKey: .uint64)
            try container.encode(MID, forKey: .MID)
            try container.encode(ORDERID, forKey: .ORDERID)
            try container.encode(a10, forKey: .a10)
            try container.encode(a9, forKey: .a9)
            try container.encode(_private, forKey: ._private)
        }
    }

    func oracle(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Strings that exercise every escaping rule: all controls, quote, backslash, slash,
    /// DEL, non-ASCII, a scalar outside the BMP, the line and paragraph separators.
    static let awkwardStrings: [String] = {
        var controls = ""
        for scalar in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        return [
            "", "plain", controls, #"quote " backslash \ slash / both \/"#, "del \u{7F}", "é Ñ 日本 😀", "\u{2028}\u{2029}", "tab\tnl\ncr\r",
            "{\"json\":[1,2]}",
        ]
    }()

    func body(_ text: String, seed: Int) -> Body {
        Body(
            partnerReferenceNo: "WB-\(seed)-\(text)", amount: Amount(currency: "IDR", value: "\(seed).00"),
            items: [Item(name: text, quantity: seed, tags: [text, "x"]), Item(name: "", quantity: -seed, tags: [])],
            note: seed % 2 == 0 ? nil : text, absent: seed % 3 == 0 ? text : nil,
            additionalInfo: ["b": text, "A": "1", "a": "2", "10": "ten", "9": "nine", text: "key"], flags: [true, false],
            int8: .min, int16: .max, int32: .min, int64: .max, uint: .max, uint8: .max, uint64: .max, MID: "m", ORDERID: "o",
            a10: 10, a9: 9, _private: seed)
    }

    @Test("writes JSONEncoder's bytes for request-shaped values", arguments: Array(awkwardStrings.enumerated()))
    func sameBytesAsJSONEncoder(_ index: Int, _ text: String) throws {
        let value = body(text, seed: index)
        let ours = try WireJSON.encode(value)
        #expect(ours == (try oracle(value)), "\(String(decoding: ours, as: UTF8.self))")
        #expect(try WireFormat.json(value) == ours)
        // And it reads back as the same value.
        #expect(try JSONDecoder().decode(Body.self, from: Data(ours)) == value)
    }

    @Test("writes JSONEncoder's bytes for top-level arrays, dictionaries, scalars and empty containers")
    func sameBytesForOtherShapes() throws {
        #expect(try WireJSON.encode([1, 2, 3]) == (try oracle([1, 2, 3])))
        #expect(try WireJSON.encode(["z": 1, "Z": 2, "_": 3]) == (try oracle(["z": 1, "Z": 2, "_": 3])))
        #expect(try WireJSON.encode([[String: Int]]()) == (try oracle([[String: Int]]())))
        #expect(try WireJSON.encode([String: [Int]]()) == (try oracle([String: [Int]]())))
        #expect(try WireJSON.encode("text") == (try oracle("text")))
        #expect(try WireJSON.encode([String?.none, "x"]) == (try oracle([String?.none, "x"])))
        #expect(try WireJSON.encode([Int64.min, 0, Int64.max]) == (try oracle([Int64.min, 0, Int64.max])))
    }

    struct Floating: Encodable { var price: Double }
    struct Stamped: Encodable { var at: Date }
    struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }

    @Test("refuses what only JSONEncoder writes, and WireFormat.json hands it over")
    func refusesFoundationValues() throws {
        #expect(throws: WireJSON.Unsupported.self) { try WireJSON.encode(Floating(price: 1.5)) }
        #expect(throws: WireJSON.Unsupported.self) { try WireJSON.encode(Stamped(at: Date(timeIntervalSince1970: 0))) }
        #expect(throws: WireJSON.Unsupported.self) { try WireJSON.encode(Nothing()) }
        #expect(try WireFormat.json(Floating(price: 1.5)) == (try oracle(Floating(price: 1.5))))
        #expect(try WireFormat.json(Stamped(at: Date(timeIntervalSince1970: 0))) == (try oracle(Stamped(at: Date(timeIntervalSince1970: 0)))))
        // A nested value that encodes nothing is `{}`, as JSONEncoder writes it.
        #expect(try WireJSON.encode(["empty": Nothing()]) == (try oracle(["empty": Nothing()])))
    }
}
