import Testing
import WalletBridgeCore

/// ``RawJSON/checkNoDuplicateKeys(_:)`` and ``StrictJSON/decode(_:from:what:)``: a reply with a
/// repeated key, at any depth, is never trusted.
@Suite("Strict JSON")
struct StrictJSONTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func nested(_ depth: Int, open: String = "[", close: String = "]", inner: String = "") -> String {
        String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
    }

    // MARK: duplicates

    @Test(arguments: [
        // top level
        #"{"a":1,"a":2}"#,
        #"{"a":1,"b":2,"a":1}"#,
        #"{"resultStatus":"F","x":1,"resultStatus":"S"}"#,
        // nested in objects
        #"{"o":{"k":1,"k":2}}"#,
        #"{"a":{"b":{"c":{"d":1,"e":2,"d":3}}}}"#,
        // inside arrays of objects
        #"{"list":[{"k":1},{"k":1,"k":2}]}"#,
        #"[{"a":1,"a":1}]"#,
        #"[[[{"x":[{"y":1,"y":1}]}]]]"#,
        // spelled with escapes
        #"{"a":1,"\u0061":2}"#,
        #"{"\u0061":1,"a":2}"#,
        #"{"resultStatus":"F","result\u0053tatus":"S"}"#,
        #"{"a/b":1,"a\/b":2}"#,
        #"{"\u00e9":1,"é":2}"#,
        #"{"😀":1,"\ud83d\ude00":2}"#,
        #"{"tab\t":1,"tab\u0009":2}"#,
        // whitespace does not hide them
        "{ \"a\" : 1 ,\n\t\"a\"\r\n: 2 }",
    ])
    func repeatedKeysAreRejected(text: String) {
        #expect(throws: RawJSON.Failure.self) { try RawJSON.checkNoDuplicateKeys(bytes(text)) }
    }

    @Test func theFailureNamesTheRepeatedKey() throws {
        let failure = #expect(throws: RawJSON.Failure.self) {
            try RawJSON.checkNoDuplicateKeys(bytes(#"{"outer":{"resultStatus":"F","resultStatus":"S"}}"#))
        }
        #expect(failure?.message.contains("resultStatus") == true)
    }

    @Test(arguments: [
        // same key in sibling objects
        #"{"x":{"k":1},"y":{"k":2},"k":3}"#,
        #"[{"k":1},{"k":2},{"k":3}]"#,
        #"{"a":{"a":{"a":1}}}"#,
        // keys that differ by one character or by case
        #"{"a":1,"A":2,"a ":3,"\u0062":4}"#,
        // a repeated value is not a repeated key
        #"{"a":"a","b":"a"}"#,
        // a key-like text inside a string value
        #"{"a":"\"a\":1","b":"{\"a\":1,\"a\":2}"}"#,
        // scalars and empty containers
        "1", "-1.5e3", "true", "false", "null", #""text""#, "{}", "[]", " { } ", "[{},{},[]]",
        // unicode, escapes and every value kind
        #"{"名前":"José","emoji":"😀","esc":"\u00e9\ud83d\ude00\n\"\\\/","arr":[1,-2.5e3,true,false,null,{},[]],"obj":{"ключ":"значение"}}"#,
    ])
    func validJSONWithoutRepeatedKeysPasses(text: String) throws {
        try RawJSON.checkNoDuplicateKeys(bytes(text))
    }

    // MARK: malformed

    @Test(arguments: [
        "", " ", "{", "}", "[", "]", "{\"a\":1", "{\"a\":1}}", "{\"a\" 1}", "{a:1}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]",
        "{\"a\":tru}", "{\"a\":\"open}", "{\"a\":1} x", "{\"a\":1}{\"a\":2}", "1 2", "[1]]", "{'a':1}",
        "{\"a\\q\":1}", "{\"\\u12\":1}", "{\"a\":1\u{0}}", "{\"a\":\"line\nbreak\"}",
    ])
    func malformedJSONOrTrailingBytesAreRejected(text: String) {
        #expect(throws: RawJSON.Failure.self) { try RawJSON.checkNoDuplicateKeys(bytes(text)) }
    }

    // MARK: nesting

    @Test func nestingIsLimited() throws {
        // Well inside the limit.
        try RawJSON.checkNoDuplicateKeys(bytes(nested(100)))
        try RawJSON.checkNoDuplicateKeys(bytes(nested(100, inner: "1")))
        try RawJSON.checkNoDuplicateKeys(bytes(nested(100, open: "{\"a\":", close: "}", inner: "1")))
        // Up to 128 nested containers pass; the 129th is refused.
        try RawJSON.checkNoDuplicateKeys(bytes(nested(128)))
        #expect(throws: RawJSON.Failure.self) { try RawJSON.checkNoDuplicateKeys(bytes(nested(129))) }
        #expect(throws: RawJSON.Failure.self) { try RawJSON.checkNoDuplicateKeys(bytes(nested(200))) }
        #expect(throws: RawJSON.Failure.self) {
            try RawJSON.checkNoDuplicateKeys(bytes(nested(200, open: "{\"a\":", close: "}", inner: "1")))
        }
    }

    @Test func absurdNestingIsRefusedWithoutExhaustingTheStack() {
        let deep = bytes(nested(100_000))
        let failure = #expect(throws: RawJSON.Failure.self) { try RawJSON.checkNoDuplicateKeys(deep) }
        #expect(failure?.message.contains("128") == true)
        // Unbalanced, too.
        #expect(throws: RawJSON.Failure.self) { try RawJSON.checkNoDuplicateKeys(bytes(String(repeating: "[", count: 100_000))) }
    }

    // MARK: StrictJSON.decode

    struct Reply: Decodable, Equatable {
        var resultStatus: String
        var amount: Int?
    }

    @Test func decodesValidReplies() throws {
        let reply = try StrictJSON.decode(Reply.self, from: bytes(#"{"resultStatus":"S","amount":100,"extra":{"k":[{"k":1}]}}"#))
        #expect(reply == Reply(resultStatus: "S", amount: 100))
        let unicode = try StrictJSON.decode(Reply.self, from: bytes(#"{"resultStatus":"\u00e9 😀"}"#))
        #expect(unicode.resultStatus == "\u{e9} 😀")
    }

    @Test func repeatedResultStatusIsNotTrusted() {
        let error = #expect(throws: WalletError.self) {
            try StrictJSON.decode(Reply.self, from: bytes(#"{"resultStatus":"F","x":1,"resultStatus":"S"}"#))
        }
        #expect(error?.category == .invalidPartnerResponse)
        #expect(error?.mayHaveCharged == true)
        #expect(error?.message.contains("resultStatus") == true)
    }

    @Test func repeatedNestedOrEscapedKeysAreNotTrusted() {
        for text in [#"{"resultStatus":"S","extra":{"k":1,"k":2}}"#, #"{"resultStatus":"F","result\u0053tatus":"S"}"#] {
            let error = #expect(throws: WalletError.self) { try StrictJSON.decode(Reply.self, from: bytes(text)) }
            #expect(error?.category == .invalidPartnerResponse)
            #expect(error?.mayHaveCharged == true)
        }
    }

    @Test(arguments: [#"{"resultStatus":"S""#, #"{"resultStatus":"S"} trailing"#, "", #"{"amount":1}"#, #"{"resultStatus":1}"#, "[]"])
    func malformedOrMisshapenRepliesAreNotTrusted(text: String) {
        let error = #expect(throws: WalletError.self) { try StrictJSON.decode(Reply.self, from: bytes(text), what: "the inquiry reply") }
        #expect(error?.category == .invalidPartnerResponse)
        #expect(error?.mayHaveCharged == true)
        #expect(error?.message.hasPrefix("the inquiry reply") == true)
    }
}
