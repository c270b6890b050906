/// One response header line as curl hands it over (with its CR LF), split on its bytes: no
/// `String` is made until a field is kept, and none per character.
enum CurlHeaderLine {
    /// `HTTP/...`: the status line of a (possibly interim) response.
    case statusLine
    /// `name: value`: the name's bytes and the value's, without the surrounding spaces and tabs.
    case field(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    /// Nil for a line that is neither (the empty line ending the head, a line without a colon).
    /// The buffers point into `bytes`, valid as long as it is.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        if end >= 5, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
            bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/")
        {
            self = .statusLine
            return
        }
        guard let colon = bytes[..<end].firstIndex(of: UInt8(ascii: ":")) else { return nil }
        var start = colon + 1
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        self = .field(name: UnsafeRawBufferPointer(rebasing: bytes[..<colon]), value: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// The value as a non-negative decimal (`Content-Length`), nil when it is not one or is too large.
    static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
