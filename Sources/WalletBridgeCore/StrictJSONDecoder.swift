import Foundation

/// The replies' fast JSON decoder, used by ``StrictJSON/decode(_:from:what:)`` before
/// `JSONDecoder`: it decodes what the wire types hold (objects, arrays, strings, integers,
/// booleans, null) straight from the bytes, at a fraction of `JSONDecoder`'s cost, and gives up
/// on anything else.
///
/// It never decides on its own: its result is used only when nothing in the decoding threw
/// (not even an error the type's own `init(from:)` caught) and the whole document is in the
/// subset both decoders read the same way. Otherwise `JSONDecoder` decodes the reply from
/// scratch, and its value or its error is the answer. The subset:
/// - numbers in canonical JSON syntax; an integer type reads only `-?(0|[1-9][0-9]*)` within
///   its range (a fraction or an exponent hands over to `JSONDecoder`);
/// - strings of valid UTF-8 whose `\u` escapes are not surrogates (a surrogate pair hands over);
/// - no `Double`, `Float`, `Decimal`, `Date`, `Data` or `URL` anywhere in the type;
/// - no `superDecoder`.
enum StrictJSONDecoder {
    /// The fast path gave up; `JSONDecoder` decides.
    struct GaveUp: Error {}

    /// `T` decoded from `bytes`, or ``GaveUp`` (also for a key repeated in an object, at any
    /// depth, which it checks as `RawJSON.checkNoDuplicateKeys` does).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(GaveUp) -> T {
        let root: Value
        do {
            root = try bytes.withUnsafeBufferPointer { buffer throws(GaveUp) -> Value in
                var parser = Parser(bytes: buffer)
                parser.skipWhitespace()
                let value = try parser.value()
                parser.skipWhitespace()
                guard parser.index == buffer.count else { throw GaveUp() }
                return value
            }
        }
        let state = State()
        do {
            let value = try decodeValue(type, from: root, path: [], state: state)
            guard !state.threw else { throw GaveUp() }
            return value
        } catch {
            throw GaveUp()
        }
    }

    /// Whether any error was thrown during one decode, caught or not.
    final class State {
        var threw = false

        func fail() -> GaveUp {
            threw = true
            return GaveUp()
        }
    }

    /// A parsed JSON value.
    enum Value {
        case null
        case bool(Bool)
        case integer(ArraySlice<UInt8>)
        /// A number with a fraction or an exponent: only `JSONDecoder` reads these.
        case otherNumber
        case string(String)
        case array([Value])
        case object(Object)
    }

    /// An object's members in document order (keys are unique: checked while parsing).
    struct Object {
        var keys: [String] = []
        var values: [Value] = []

        func value(for key: String) -> Value? {
            // `==`, as JSONDecoder's dictionary has it: canonically equivalent keys match even
            // when their bytes (and lengths) differ.
            guard let at = keys.firstIndex(of: key) else { return nil }
            return values[at]
        }
    }

    // MARK: Parsing

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }

        mutating func value() throws(GaveUp) -> Value {
            guard index < bytes.count else { throw GaveUp() }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: return try number()
            }
        }

        private mutating func literal(_ text: StaticString, _ value: Value) throws(GaveUp) -> Value {
            let count = text.utf8CodeUnitCount
            guard bytes.count - index >= count else { throw GaveUp() }
            for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { throw GaveUp() }
            index += count
            return value
        }

        private mutating func object() throws(GaveUp) -> Value {
            depth += 1
            guard depth < 128 else { throw GaveUp() }
            defer { depth -= 1 }
            index += 1
            var object = Object()
            var seen = RawJSON.KeySet()
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw GaveUp() }
                let key = try string()
                // A repeated key: RawJSON's check names it (StrictJSON runs it on giving up).
                guard seen.insert(key) else { throw GaveUp() }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw GaveUp() }
                index += 1
                skipWhitespace()
                let member = try value()
                object.keys.append(key)
                object.values.append(member)
                skipWhitespace()
                guard index < bytes.count else { throw GaveUp() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { throw GaveUp() }
                index += 1
                return .object(object)
            }
        }

        private mutating func array() throws(GaveUp) -> Value {
            depth += 1
            guard depth < 128 else { throw GaveUp() }
            defer { depth -= 1 }
            index += 1
            var items: [Value] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value())
                skipWhitespace()
                guard index < bytes.count else { throw GaveUp() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { throw GaveUp() }
                index += 1
                return .array(items)
            }
        }

        /// A string's text; gives up on invalid UTF-8, control characters, bad escapes and
        /// any `\u` escape of a surrogate.
        private mutating func string() throws(GaveUp) -> String {
            index += 1
            let start = index
            var escaped = false
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 { throw GaveUp() }
                if byte >= 0x80 { ascii = false }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    guard index + 1 < bytes.count else { throw GaveUp() }
                    if bytes[index + 1] == UInt8(ascii: "u") {
                        // Four hex digits (a strict check: RawJSON's unescaping is more lenient),
                        // none of them a surrogate's.
                        guard index + 5 < bytes.count, let high = Parser.hex(bytes[index + 2]), high != 0xD,
                            Parser.hex(bytes[index + 3]) != nil, Parser.hex(bytes[index + 4]) != nil, Parser.hex(bytes[index + 5]) != nil
                        else { throw GaveUp() }
                        index += 6
                        continue
                    }
                    index += 2
                    continue
                }
                index += 1
            }
            guard index < bytes.count else { throw GaveUp() }
            let inner = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            if !ascii, String(validating: inner, as: UTF8.self) == nil { throw GaveUp() }
            if !escaped { return String(decoding: inner, as: UTF8.self) }
            // With escapes: RawJSON's unescaping (its own checks of each escape).
            do {
                return try RawJSON.decodeString(ArraySlice(UnsafeBufferPointer(rebasing: bytes[(start - 1)...index - 1])))
            } catch {
                throw GaveUp()
            }
        }

        /// The value of an ASCII hex digit.
        static func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        /// A number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
        private mutating func number() throws(GaveUp) -> Value {
            let start = index
            let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw GaveUp() }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            var integral = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw GaveUp() }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                integral = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw GaveUp() }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            // A number must end where a value may end.
            if index < bytes.count {
                let next = bytes[index]
                guard
                    next == UInt8(ascii: ",") || next == UInt8(ascii: "}") || next == UInt8(ascii: "]") || next == 0x20 || next == 0x09
                        || next == 0x0A
                        || next == 0x0D
                else { throw GaveUp() }
            }
            return integral ? .integer(ArraySlice(UnsafeBufferPointer(rebasing: bytes[start..<index]))) : .otherNumber
        }
    }

    // MARK: Decoding

    /// `T` from `value`: the wire scalars directly, anything else through its `init(from:)`.
    static func decodeValue<T: Decodable>(_ type: T.Type, from value: Value, path: @autoclosure () -> [any CodingKey], state: State) throws -> T {
        if type == String.self {
            guard case .string(let text) = value else { throw state.fail() }
            return unsafeBitCast(text, to: T.self)
        }
        if type == Bool.self {
            guard case .bool(let flag) = value else { throw state.fail() }
            return unsafeBitCast(flag, to: T.self)
        }
        if type == Int.self { return unsafeBitCast(try integer(Int.self, value, state), to: T.self) }
        if type == Int64.self { return unsafeBitCast(try integer(Int64.self, value, state), to: T.self) }
        if type == Int32.self { return unsafeBitCast(try integer(Int32.self, value, state), to: T.self) }
        if type == Int16.self { return unsafeBitCast(try integer(Int16.self, value, state), to: T.self) }
        if type == Int8.self { return unsafeBitCast(try integer(Int8.self, value, state), to: T.self) }
        if type == UInt.self { return unsafeBitCast(try integer(UInt.self, value, state), to: T.self) }
        if type == UInt64.self { return unsafeBitCast(try integer(UInt64.self, value, state), to: T.self) }
        if type == UInt32.self { return unsafeBitCast(try integer(UInt32.self, value, state), to: T.self) }
        if type == UInt16.self { return unsafeBitCast(try integer(UInt16.self, value, state), to: T.self) }
        if type == UInt8.self { return unsafeBitCast(try integer(UInt8.self, value, state), to: T.self) }
        if type == Double.self || type == Float.self || type == Decimal.self || type == Date.self || type == Data.self || type == URL.self {
            throw state.fail()
        }
        do {
            return try T(from: Decoder(value: value, codingPath: path(), state: state))
        } catch {
            state.threw = true
            throw error
        }
    }

    /// An integer in canonical syntax within `I`'s range.
    static func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: Value, _ state: State) throws(GaveUp) -> I {
        guard case .integer(let digits) = value else { throw state.fail() }
        var magnitude: I = 0
        var negative = false
        for byte in digits {
            if byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let digit = I(byte - UInt8(ascii: "0"))
            let (next, overflow2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw state.fail() }
            magnitude = next
        }
        // "-0" for an unsigned type: left to JSONDecoder.
        if negative, !I.isSigned { throw state.fail() }
        return magnitude
    }

    final class Decoder: Swift.Decoder {
        let value: Value
        let codingPath: [any CodingKey]
        let state: State
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(value: Value, codingPath: [any CodingKey], state: State) {
            self.value = value
            self.codingPath = codingPath
            self.state = state
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let object) = value else { throw state.fail() }
            return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath, state: state))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let items) = value else { throw state.fail() }
            return UnkeyedContainer(items: items, codingPath: codingPath, state: state)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            SingleValueContainer(value: value, codingPath: codingPath, state: state)
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: Object
        let codingPath: [any CodingKey]
        let state: State

        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { object.value(for: key.stringValue) != nil }

        private func member(_ key: Key) throws -> Value {
            guard let value = object.value(for: key.stringValue) else { throw state.fail() }
            return value
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            if case .null = try member(key) { return true }
            return false
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoded(type, key) }

        // `decodeIfPresent` in one look-up (the protocol's default asks `contains`, then
        // `decodeNil`, then `decode`: three). Absent or null is nil, as the default has it.
        private func present(_ key: Key) -> Value? {
            guard let value = object.value(for: key.stringValue) else { return nil }
            if case .null = value { return nil }
            return value
        }

        private func decodedIfPresent<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
            guard let value = present(key) else { return nil }
            return try StrictJSONDecoder.decodeValue(type, from: value, path: codingPath + [key], state: state)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decodedIfPresent(type, key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodedIfPresent(type, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodedIfPresent(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try integer(Int.self, $0, state) } }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key).map { try integer(Int64.self, $0, state) } }

        private func decoded<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
            try StrictJSONDecoder.decodeValue(type, from: try member(key), path: codingPath + [key], state: state)
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoded(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoded(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw state.fail() }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw state.fail() }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(Int.self, try member(key), state) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(Int8.self, try member(key), state) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(Int16.self, try member(key), state) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(Int32.self, try member(key), state) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(Int64.self, try member(key), state) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(UInt.self, try member(key), state) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(UInt8.self, try member(key), state) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(UInt16.self, try member(key), state) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(UInt32.self, try member(key), state) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(UInt64.self, try member(key), state) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            guard case .object(let nested) = try member(key) else { throw state.fail() }
            return KeyedDecodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: codingPath + [key], state: state))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            guard case .array(let items) = try member(key) else { throw state.fail() }
            return UnkeyedContainer(items: items, codingPath: codingPath + [key], state: state)
        }

        func superDecoder() throws -> any Swift.Decoder { throw state.fail() }
        func superDecoder(forKey key: Key) throws -> any Swift.Decoder { throw state.fail() }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let items: [Value]
        let codingPath: [any CodingKey]
        let state: State
        var currentIndex = 0

        init(items: [Value], codingPath: [any CodingKey], state: State) {
            self.items = items
            self.codingPath = codingPath
            self.state = state
        }

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private func current() throws -> Value {
            guard currentIndex < items.count else { throw state.fail() }
            return items[currentIndex]
        }

        mutating func decodeNil() throws -> Bool {
            guard case .null = try current() else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let value = try StrictJSONDecoder.decodeValue(
                type, from: try current(), path: codingPath + [WireJSON.IndexKey(currentIndex)], state: state)
            currentIndex += 1
            return value
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            guard case .object(let nested) = try current() else { throw state.fail() }
            let path = codingPath + [WireJSON.IndexKey(currentIndex)]
            currentIndex += 1
            return KeyedDecodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: path, state: state))
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let nested) = try current() else { throw state.fail() }
            let path = codingPath + [WireJSON.IndexKey(currentIndex)]
            currentIndex += 1
            return UnkeyedContainer(items: nested, codingPath: path, state: state)
        }

        mutating func superDecoder() throws -> any Swift.Decoder { throw state.fail() }
    }

    struct SingleValueContainer: SingleValueDecodingContainer {
        let value: Value
        let codingPath: [any CodingKey]
        let state: State

        func decodeNil() -> Bool {
            if case .null = value { return true }
            return false
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoded(type) }

        private func decoded<T: Decodable>(_ type: T.Type) throws -> T {
            try StrictJSONDecoder.decodeValue(type, from: value, path: codingPath, state: state)
        }

        func decode(_ type: Bool.Type) throws -> Bool { try decoded(type) }
        func decode(_ type: String.Type) throws -> String { try decoded(type) }
        func decode(_ type: Double.Type) throws -> Double { throw state.fail() }
        func decode(_ type: Float.Type) throws -> Float { throw state.fail() }
        func decode(_ type: Int.Type) throws -> Int { try integer(Int.self, value, state) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self, value, state) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self, value, state) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self, value, state) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self, value, state) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self, value, state) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self, value, state) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self, value, state) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self, value, state) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self, value, state) }
    }
}
