/// Reads the subset of TOML that profile files use: `[table]` and `[dotted."table"]`
/// headers, `key = value` with bare or quoted keys, basic and literal strings, integers and
/// booleans, and `#` comments. Anything else is an error naming the line.
enum TOMLSubset {
    static func parse(_ text: String) throws(ProfileError) -> ConfigValue {
        var root: [String: ConfigValue] = [:]
        var current: [String] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            var scanner = Scanner(Array(rawLine.unicodeScalars))
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                scanner.advance()
                var path: [String] = []
                repeat {
                    scanner.skipSpaces()
                    path.append(try scanner.key(line: lineNumber))
                    scanner.skipSpaces()
                } while scanner.consume(".")
                guard scanner.consume("]") else { throw ProfileError("line \(lineNumber): expected ] after table name") }
                scanner.skipSpaces()
                guard scanner.atEndOrComment else { throw ProfileError("line \(lineNumber): unexpected text after table header") }
                current = path
                try insert(.table([:]), at: path, into: &root, line: lineNumber, allowExistingTable: true)
                continue
            }
            let key = try scanner.key(line: lineNumber)
            scanner.skipSpaces()
            guard scanner.consume("=") else { throw ProfileError("line \(lineNumber): expected = after key \(key)") }
            scanner.skipSpaces()
            let value = try scanner.value(line: lineNumber)
            scanner.skipSpaces()
            guard scanner.atEndOrComment else { throw ProfileError("line \(lineNumber): unexpected text after the value of \(key)") }
            try insert(value, at: current + [key], into: &root, line: lineNumber, allowExistingTable: false)
        }
        return .table(root)
    }

    private static func insert(
        _ value: ConfigValue, at path: [String], into table: inout [String: ConfigValue], line: Int, allowExistingTable: Bool
    ) throws(ProfileError) {
        guard let first = path.first else { return }
        if path.count == 1 {
            if let existing = table[first] {
                if allowExistingTable, existing.table != nil { return }
                throw ProfileError("line \(line): \(first) is defined twice")
            }
            table[first] = value
            return
        }
        var child: [String: ConfigValue]
        switch table[first] {
        case nil: child = [:]
        case .table(let existing)?: child = existing
        default: throw ProfileError("line \(line): \(first) is not a table")
        }
        try insert(value, at: Array(path.dropFirst()), into: &child, line: line, allowExistingTable: allowExistingTable)
        table[first] = .table(child)
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }
        var atEndOrComment: Bool { peek == nil || peek == "#" }
        mutating func advance() { position += 1 }
        mutating func skipSpaces() { while peek == " " || peek == "\t" || peek == "\r" { advance() } }
        mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
            guard peek == scalar else { return false }
            advance()
            return true
        }

        mutating func key(line: Int) throws(ProfileError) -> String {
            if peek == "\"" || peek == "'" { return try string(line: line) }
            var key = ""
            while let scalar = peek,
                scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
            {
                key.unicodeScalars.append(scalar)
                advance()
            }
            guard !key.isEmpty else { throw ProfileError("line \(line): expected a key") }
            return key
        }

        mutating func value(line: Int) throws(ProfileError) -> ConfigValue {
            switch peek {
            case "\""?, "'"?:
                return .string(try string(line: line))
            case "t"?, "f"?:
                var word = ""
                while let scalar = peek, ("a"..."z").contains(scalar) { word.unicodeScalars.append(scalar); advance() }
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: throw ProfileError("line \(line): unexpected value \(word)")
                }
            default:
                var digits = ""
                if peek == "-" || peek == "+" { digits.unicodeScalars.append(scalars[position]); advance() }
                while let scalar = peek, ("0"..."9").contains(scalar) || scalar == "_" {
                    if scalar != "_" { digits.unicodeScalars.append(scalar) }
                    advance()
                }
                guard let number = Int64(digits) else {
                    throw ProfileError("line \(line): expected a string, a whole number or a boolean")
                }
                return .integer(number)
            }
        }

        mutating func string(line: Int) throws(ProfileError) -> String {
            guard let quote = peek else { throw ProfileError("line \(line): expected a string") }
            advance()
            var text = ""
            while let scalar = peek {
                advance()
                if scalar == quote { return text }
                if scalar == "\\" && quote == "\"" {
                    guard let escaped = peek else { break }
                    advance()
                    switch escaped {
                    case "\"": text += "\""
                    case "\\": text += "\\"
                    case "n": text += "\n"
                    case "t": text += "\t"
                    case "r": text += "\r"
                    case "u", "U":
                        let width = escaped == "u" ? 4 : 8
                        guard position + width <= scalars.count,
                            let code = UInt32(String(String.UnicodeScalarView(scalars[position..<(position + width)])), radix: 16),
                            let decoded = Unicode.Scalar(code)
                        else { throw ProfileError("line \(line): bad \\\(escaped) escape") }
                        text.unicodeScalars.append(decoded)
                        position += width
                    default: throw ProfileError("line \(line): unsupported escape \\\(escaped)")
                    }
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
            throw ProfileError("line \(line): unterminated string")
        }
    }
}
