import Foundation

/// The request bodies' JSON encoder: the bytes `JSONEncoder` with `[.sortedKeys,
/// .withoutEscapingSlashes]` writes on Linux, without its cost (it built a new encoder, a
/// tree of boxed values and a `Data` for every body, the largest single cost of a payment on
/// the client after the signature).
///
/// What it writes:
/// - objects with their keys in ascending `String` order, arrays in order;
/// - strings with `"` and `\` escaped, `\b \t \n \f \r` for those controls, `\u00XX` (lowercase)
///   for the other controls below U+0020, everything else (`/`, U+007F, non-ASCII) as UTF-8;
/// - integers in decimal, `true`/`false`, `null` for `encodeNil` (an absent optional written
///   with `encodeIfPresent` is left out, as `JSONEncoder` does);
/// - a key written twice in one object keeps the last value.
///
/// Anything else (`Double`, `Float`, `Decimal`, `Date`, `Data`, `URL`, a top-level value that
/// encodes nothing) throws ``Unsupported``, and ``WireFormat/json(_:)`` hands the value to
/// `JSONEncoder` instead: money is never a float, so no request body of this SDK takes that
/// path, and the output never depends on which encoder ran for the cases both handle.
enum WireJSON {
    /// The value holds something only `JSONEncoder` knows how to write.
    struct Unsupported: Error {}

    /// `value` as JSON bytes.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = try Node.of(value, path: [])
        var out = [UInt8]()
        out.reserveCapacity(512)
        root.write(into: &out)
        return out
    }

    /// A JSON value being built. Objects and arrays are boxes, so that a container handed
    /// out by an encoder keeps writing into the tree after the call that made it returned.
    enum Node {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case object(ObjectBox)
        case array(ArrayBox)

        /// `value` encoded on its own (the child of an object, an array, or the root).
        /// `path` is the value's coding path, built only when the value is not a plain string,
        /// number or bool (most are).
        static func of<T: Encodable>(_ value: T, path: @autoclosure () -> [any CodingKey]) throws -> Node {
            // Metatype comparisons, not `as?` casts: a dynamic cast per value cost more than
            // writing the value.
            let type = T.self
            if type == String.self { return .string(unsafeBitCast(value, to: String.self)) }
            if type == Int.self { return .number(String(unsafeBitCast(value, to: Int.self))) }
            if type == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
            if type == Int64.self { return .number(String(unsafeBitCast(value, to: Int64.self))) }
            if type == Int32.self { return .number(String(unsafeBitCast(value, to: Int32.self))) }
            if type == Int16.self { return .number(String(unsafeBitCast(value, to: Int16.self))) }
            if type == Int8.self { return .number(String(unsafeBitCast(value, to: Int8.self))) }
            if type == UInt.self { return .number(String(unsafeBitCast(value, to: UInt.self))) }
            if type == UInt64.self { return .number(String(unsafeBitCast(value, to: UInt64.self))) }
            if type == UInt32.self { return .number(String(unsafeBitCast(value, to: UInt32.self))) }
            if type == UInt16.self { return .number(String(unsafeBitCast(value, to: UInt16.self))) }
            if type == UInt8.self { return .number(String(unsafeBitCast(value, to: UInt8.self))) }
            // Float16 encodes itself as a Float, so Float catches it too.
            if type == Double.self || type == Float.self || type == Decimal.self || type == Date.self || type == Data.self || type == URL.self {
                throw Unsupported()
            }
            let codingPath = path()
            let encoder = Encoder(codingPath: codingPath)
            try value.encode(to: encoder)
            guard let node = encoder.node else {
                // JSONEncoder writes `{}` for a nested value that encoded nothing, and refuses
                // a top-level one: leave the latter (and its error) to it.
                if codingPath.isEmpty { throw Unsupported() }
                return .object(ObjectBox())
            }
            return node
        }

        func write(into out: inout [UInt8]) {
            switch self {
            case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            case .bool(let flag): out.append(contentsOf: flag ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
            case .number(let digits): out.append(contentsOf: digits.utf8)
            case .string(let text): WireJSON.writeString(text, into: &out)
            case .array(let box):
                out.append(UInt8(ascii: "["))
                for (index, item) in box.items.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    item.write(into: &out)
                }
                out.append(UInt8(ascii: "]"))
            case .object(let box):
                out.append(UInt8(ascii: "{"))
                for (index, member) in box.members.sorted(by: { $0.key < $1.key }).enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    WireJSON.writeString(member.key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    member.node.write(into: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
        }
    }

    /// An object's members, in the order first written (sorted when written out). Request
    /// bodies have a handful of keys, so a key is found by comparison, not by hashing; a
    /// dictionary of positions takes over for large objects.
    ///
    /// One encoder on one thread touches a box, never in overlapping accesses, so the runtime's
    /// exclusivity bookkeeping (a fifth of the encoder's own instructions) is switched off.
    final class ObjectBox {
        @exclusivity(unchecked) private(set) var members: [(key: String, node: Node)]
        @exclusivity(unchecked) private var positions: [String: Int]?

        init() {
            members = []
            // Room for a typical object's members: no reallocation as they are added.
            members.reserveCapacity(8)
        }

        subscript(key: String) -> Node? {
            get { position(of: key).map { members[$0].node } }
            set {
                guard let node = newValue else { return }
                if let at = position(of: key) {
                    members[at].node = node
                    return
                }
                members.append((key, node))
                if positions != nil {
                    positions?[key] = members.count - 1
                } else if members.count > 16 {
                    positions = Dictionary(members.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { _, last in last })
                }
            }
        }

        private func position(of key: String) -> Int? {
            if let positions { return positions[key] }
            return members.firstIndex { $0.key == key }
        }
    }

    /// An array's items, in order.
    final class ArrayBox {
        @exclusivity(unchecked) var items: [Node] = []
    }

    /// Lowercase hex digits, by value (also for `RandomIdentifier`).
    static let hexDigits = Array("0123456789abcdef".utf8)

    /// `text` as a JSON string, quoted and escaped as `JSONEncoder` does (without escaping `/`).
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole.
        var text = text
        let plain = text.withUTF8 { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The `Encoder` a value writes itself into; it holds the one node the value produced.
    final class Encoder: Swift.Encoder {
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        @exclusivity(unchecked) var node: Node?

        init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(KeyedContainer<Key>(box: objectBox(), codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            UnkeyedContainer(box: arrayBox(), codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueContainer(encoder: self) }

        /// The object this encoder writes into: the one already started, or a new one.
        func objectBox() -> ObjectBox {
            if case .object(let box)? = node { return box }
            let box = ObjectBox()
            node = .object(box)
            return box
        }

        func arrayBox() -> ArrayBox {
            if case .array(let box)? = node { return box }
            let box = ArrayBox()
            node = .array(box)
            return box
        }
    }

    /// An index as a coding key, for the paths of array items.
    struct IndexKey: CodingKey {
        var stringValue: String { String(index) }
        var intValue: Int? { index }
        let index: Int
        init(_ index: Int) { self.index = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { index = intValue }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: ObjectBox
        let codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { box[key.stringValue] = .null }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            box[key.stringValue] = try Node.of(value, path: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let nested: ObjectBox
            if case .object(let existing)? = box[key.stringValue] {
                nested = existing
            } else {
                nested = ObjectBox()
                box[key.stringValue] = .object(nested)
            }
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let nested: ArrayBox
            if case .array(let existing)? = box[key.stringValue] {
                nested = existing
            } else {
                nested = ArrayBox()
                box[key.stringValue] = .array(nested)
            }
            return UnkeyedContainer(box: nested, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Swift.Encoder { SlotEncoder(box: box, key: "super", codingPath: codingPath) }

        mutating func superEncoder(forKey key: Key) -> any Swift.Encoder {
            SlotEncoder(box: box, key: key.stringValue, codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let box: ArrayBox
        let codingPath: [any CodingKey]
        var count: Int { box.items.count }

        mutating func encodeNil() throws { box.items.append(.null) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            box.items.append(try Node.of(value, path: codingPath + [IndexKey(box.items.count)]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let nested = ObjectBox()
            let path = codingPath + [IndexKey(box.items.count)]
            box.items.append(.object(nested))
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, codingPath: path))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = ArrayBox()
            let path = codingPath + [IndexKey(box.items.count)]
            box.items.append(.array(nested))
            return UnkeyedContainer(box: nested, codingPath: path)
        }

        mutating func superEncoder() -> any Swift.Encoder {
            let index = box.items.count
            box.items.append(.object(ObjectBox()))
            return ItemEncoder(box: box, index: index, codingPath: codingPath + [IndexKey(index)])
        }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let encoder: Encoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { encoder.node = .null }

        mutating func encode<T: Encodable>(_ value: T) throws {
            encoder.node = try Node.of(value, path: encoder.codingPath)
        }
    }

    /// A `superEncoder(forKey:)`: an encoder whose value lands under `key` of `box`.
    final class SlotEncoder: Swift.Encoder {
        let box: ObjectBox
        let key: String
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(box: ObjectBox, key: String, codingPath: [any CodingKey]) {
            self.box = box
            self.key = key
            self.codingPath = codingPath
        }

        private func inner() -> Encoder {
            let encoder = Encoder(codingPath: codingPath)
            encoder.node = box[key]
            return encoder
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            let encoder = inner()
            let container = encoder.container(keyedBy: type)
            box[key] = encoder.node
            return container
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            let encoder = inner()
            let container = encoder.unkeyedContainer()
            box[key] = encoder.node
            return container
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SlotValueContainer(box: box, key: key, codingPath: codingPath) }
    }

    struct SlotValueContainer: SingleValueEncodingContainer {
        let box: ObjectBox
        let key: String
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { box[key] = .null }

        mutating func encode<T: Encodable>(_ value: T) throws { box[key] = try Node.of(value, path: codingPath) }
    }

    /// An unkeyed container's `superEncoder()`: an encoder whose value replaces item `index`.
    final class ItemEncoder: Swift.Encoder {
        let box: ArrayBox
        let index: Int
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(box: ArrayBox, index: Int, codingPath: [any CodingKey]) {
            self.box = box
            self.index = index
            self.codingPath = codingPath
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            let encoder = Encoder(codingPath: codingPath)
            encoder.node = box.items[index]
            let container = encoder.container(keyedBy: type)
            if let node = encoder.node { box.items[index] = node }
            return container
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = ArrayBox()
            box.items[index] = .array(nested)
            return UnkeyedContainer(box: nested, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { ItemValueContainer(box: box, index: index, codingPath: codingPath) }
    }

    struct ItemValueContainer: SingleValueEncodingContainer {
        let box: ArrayBox
        let index: Int
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { box.items[index] = .null }

        mutating func encode<T: Encodable>(_ value: T) throws { box.items[index] = try Node.of(value, path: codingPath) }
    }
}
