import Testing
import WalletBridgeCore

@Suite("Raw JSON")
struct RawJSONTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func minifyKeepsEveryCharacterInStrings() throws {
        let pretty = "{\n  \"a\" : \"x y\\\" z\",\n\t\"b\": [ 1, 2 ],\r\n \"c\": \"–\\u2013\" }"
        #expect(String(decoding: try RawJSON.minify(bytes(pretty)), as: UTF8.self) == "{\"a\":\"x y\\\" z\",\"b\":[1,2],\"c\":\"–\\u2013\"}")
        #expect(try RawJSON.minify([]) == [])
        #expect(throws: RawJSON.Failure.self) { try RawJSON.minify(bytes("{\"a\":\"open")) }
    }

    @Test func cutsTopLevelValuesExactly() throws {
        let envelope = "{\"head\":{\"signature\":\"abc\"} , \"body\" : {\"b\":\"}\\\"{\",\"n\":[1,{\"x\":null}]} }"
        #expect(
            String(decoding: try #require(try RawJSON.topLevelValue(of: "body", in: bytes(envelope))), as: UTF8.self)
                == "{\"b\":\"}\\\"{\",\"n\":[1,{\"x\":null}]}")
        #expect(try RawJSON.topLevelValue(of: "missing", in: bytes(envelope)) == nil)
        #expect(String(decoding: try #require(try RawJSON.topLevelValue(of: "n", in: bytes("{\"n\":-1.5e3}"))), as: UTF8.self) == "-1.5e3")
        // Keys written with escapes are matched by their decoded name.
        #expect(try RawJSON.topLevelValue(of: "body", in: bytes("{\"b\\u006fdy\":1}")) == bytes("1"))
    }

    @Test(arguments: [
        "{\"body\":1,\"body\":2}", "[1]", "{\"body\":}", "{\"body\":1", "{\"body\":1} x", "{\"body\":tru}", "{body:1}", "",
    ])
    func rejectsMalformedOrAmbiguous(text: String) {
        #expect(throws: RawJSON.Failure.self) { try RawJSON.topLevelValue(of: "body", in: Array(text.utf8)) }
    }
}
