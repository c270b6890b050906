/// Byte-level JSON helpers for signature work, where the exact bytes matter more than values.
///
/// Nothing here decodes and re-encodes: signatures cover the text as sent, so re-serialising
/// (key order, spaces, `\u` escapes) would break them.
public enum RawJSON {
    /// Why a raw JSON operation failed.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What went wrong, with the byte offset where it was noticed.
        public let message: String
        public var description: String { message }
    }

    /// Removes insignificant whitespace (space, tab, CR, LF outside strings) and keeps every
    /// other byte exactly as it is, escapes included: `{ "a": "x y" }` → `{"a":"x y"}`.
    ///
    /// This is the "one minified form" a SNAP verifier may try after the raw body.
    /// - Throws: ``Failure`` if a string is not terminated.
    public static func minify(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            default:
                out.append(byte)
            }
        }
        guard !inString else { throw Failure(message: "unterminated string in JSON text") }
        return out
    }

    /// The exact bytes of the value of `key` in the top-level object of `bytes`.
    ///
    /// Used to cut Paytm's `body` out of a `{"head":…,"body":…}` envelope as received.
    /// The scan is structural (strings, escapes, nesting), and a top-level key that occurs
    /// twice is an error: two parsers could otherwise disagree on which one was signed.
    /// - Returns: the value's bytes, or `nil` if the key is absent.
    /// - Throws: ``Failure`` if `bytes` is not a well-formed JSON object.
    public static func topLevelValue(of key: String, in bytes: [UInt8]) throws(Failure) -> [UInt8]? {
        try topLevelValues(of: [key], in: bytes)[key].map { Array($0) }
    }

    /// The raw bytes of several top-level members of the JSON object `bytes` in one scan, by
    /// key (absent keys are left out), with the checks of ``topLevelValue(of:in:)``: a
    /// well-formed object, and none of `keys` more than once.
    package static func topLevelValues(of keys: Set<String>, in bytes: [UInt8]) throws(Failure) -> [String: ArraySlice<UInt8>] {
        var scanner = Scanner(bytes: bytes)
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"))
        var found: [String: ArraySlice<UInt8>] = [:]
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let keyRange = try scanner.string()
                let name = try decodeString(bytes[keyRange])
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                let valueRange = try scanner.value()
                if keys.contains(name) {
                    guard found[name] == nil else { throw Failure(message: "key \"\(name)\" occurs more than once") }
                    found[name] = bytes[valueRange]
                }
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw Failure(message: "trailing bytes after the JSON object at offset \(scanner.index)") }
        return found
    }

    /// Decodes a quoted JSON string token (quotes included) into its text.
    static func decodeString(_ token: ArraySlice<UInt8>) throws(Failure) -> String {
        // Fast path: no escapes.
        let inner = token.dropFirst().dropLast()
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        var units: [UInt16] = []
        var i = inner.startIndex
        var scalars = String.UnicodeScalarView()
        func flushUnits() {
            if !units.isEmpty {
                scalars.append(contentsOf: String(decoding: units, as: UTF16.self).unicodeScalars)
                units.removeAll()
            }
        }
        var pending: [UInt8] = []
        func flushBytes() {
            if !pending.isEmpty {
                scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars)
                pending.removeAll()
            }
        }
        while i < inner.endIndex {
            let b = inner[i]
            if b != UInt8(ascii: "\\") { flushUnits(); pending.append(b); i += 1; continue }
            flushBytes()
            guard i + 1 < inner.endIndex else { throw Failure(message: "bad escape in string") }
            let e = inner[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "u"):
                guard i + 4 <= inner.endIndex, let v = UInt16(String(decoding: inner[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                    throw Failure(message: "bad \\u escape in string")
                }
                units.append(v)
                i += 4
            default:
                flushUnits()
                let mapped: UInt8
                switch e {
                case UInt8(ascii: "n"): mapped = 0x0a
                case UInt8(ascii: "t"): mapped = 0x09
                case UInt8(ascii: "r"): mapped = 0x0d
                case UInt8(ascii: "b"): mapped = 0x08
                case UInt8(ascii: "f"): mapped = 0x0c
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): mapped = e
                default: throw Failure(message: "bad escape in string")
                }
                pending.append(mapped)
            }
        }
        flushUnits()
        flushBytes()
        return String(scalars)
    }

    /// A structural scanner over JSON bytes; validates shape, not number grammar in detail.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            guard peek() == byte else {
                throw Failure(message: "expected '\(Character(Unicode.Scalar(byte)))' at offset \(index)")
            }
            index += 1
        }

        mutating func string() throws(Failure) -> Range<Int> {
            let start = index
            try expect(UInt8(ascii: "\""))
            // One pass over the bytes without bounds checks: replies are mostly string bytes.
            enum Stop { case closed(Int), control(Int), unterminated }
            let from = index
            let stop = bytes.withUnsafeBufferPointer { buffer -> Stop in
                var i = from
                while i < buffer.count {
                    let b = buffer[i]
                    if b == UInt8(ascii: "\"") { return .closed(i + 1) }
                    if b == UInt8(ascii: "\\") {
                        guard i + 1 < buffer.count else { return .unterminated }
                        i += 2
                        continue
                    }
                    if b < 0x20 { return .control(i) }
                    i += 1
                }
                return .unterminated
            }
            switch stop {
            case .closed(let end):
                index = end
                return start..<index
            case .control(let at):
                index = at + 1
                throw Failure(message: "control character inside a string at offset \(at)")
            case .unterminated:
                index = bytes.count
                throw Failure(message: "unterminated string starting at offset \(start)")
            }
        }

        mutating func value() throws(Failure) -> Range<Int> {
            let start = index
            guard let b = peek() else { throw Failure(message: "missing value at offset \(index)") }
            switch b {
            case UInt8(ascii: "\""):
                return try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                index += 1
                skipWhitespace()
                if peek() == close { index += 1; return start..<index }
                while true {
                    skipWhitespace()
                    if close == UInt8(ascii: "}") {
                        _ = try string()
                        skipWhitespace()
                        try expect(UInt8(ascii: ":"))
                        skipWhitespace()
                    }
                    _ = try value()
                    skipWhitespace()
                    if peek() == UInt8(ascii: ",") { index += 1; continue }
                    try expect(close)
                    return start..<index
                }
            default:
                // number, true, false, null
                while let c = peek(),
                    !(c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]")
                        || c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d)
                {
                    guard
                        c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                            || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
                            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                    else {
                        throw Failure(message: "unexpected byte at offset \(index)")
                    }
                    index += 1
                }
                let token = bytes[start..<index]
                guard !token.isEmpty else { throw Failure(message: "missing value at offset \(start)") }
                if token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8) || token.elementsEqual("null".utf8) {
                    return start..<index
                }
                let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                guard let first = token.first, first == UInt8(ascii: "-") || isDigit(first),
                    token.allSatisfy({
                        isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
                            || $0 == UInt8(ascii: "E")
                    })
                else {
                    throw Failure(message: "invalid literal \"\(String(decoding: token, as: UTF8.self))\" at offset \(start)")
                }
                return start..<index
            }
        }
    }
}

extension RawJSON {
    /// Checks that `bytes` is one well-formed JSON value in which no object repeats a key, at
    /// any depth. Keys are compared after unescaping (`"a"` and `"\u0061"` are the same key).
    ///
    /// Two parsers can disagree on which of two equal keys wins (`"resultStatus":"F", …,
    /// "resultStatus":"S"`), so a reply with a repeated key is never trusted.
    /// - Throws: ``Failure`` naming the repeated key or the malformation.
    public static func checkNoDuplicateKeys(_ bytes: [UInt8]) throws(Failure) {
        var scanner = Scanner(bytes: bytes)
        scanner.skipWhitespace()
        try strictValue(&scanner, depth: 0)
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw Failure(message: "trailing bytes after the JSON value at offset \(scanner.index)") }
    }

    private static func strictValue(_ scanner: inout Scanner, depth: Int) throws(Failure) {
        guard depth < 128 else { throw Failure(message: "JSON nested deeper than 128 levels") }
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            scanner.index += 1
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "}") { scanner.index += 1; return }
            var seen = KeySet()
            while true {
                scanner.skipWhitespace()
                let keyRange = try scanner.string()
                let key = try decodeString(scanner.bytes[keyRange])
                let repeated = !seen.insert(key)
                guard !repeated else { throw Failure(message: "key \"\(key)\" occurs more than once in one object") }
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                try strictValue(&scanner, depth: depth + 1)
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
                try scanner.expect(UInt8(ascii: "}"))
                return
            }
        case UInt8(ascii: "["):
            scanner.index += 1
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "]") { scanner.index += 1; return }
            while true {
                scanner.skipWhitespace()
                try strictValue(&scanner, depth: depth + 1)
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
                try scanner.expect(UInt8(ascii: "]"))
                return
            }
        default:
            _ = try scanner.value()
        }
    }
}

extension RawJSON {
    /// The keys of one object seen so far. Replies' objects have a handful of keys: they are
    /// compared one by one (String equality, as a `Set` would) until there are enough for
    /// hashing to pay.
    struct KeySet {
        private var few: [String] = []
        private var many: Set<String>?

        /// Adds `key`; false when it was already there.
        mutating func insert(_ key: String) -> Bool {
            if many != nil { return many?.insert(key).inserted == true }
            if few.contains(key) { return false }
            few.append(key)
            if few.count > 16 { many = Set(few) }
            return true
        }
    }
}
