/// Secret bytes (a merchant key, a client secret, an access token) that never print.
///
/// `description`, `debugDescription` and string interpolation all show `<redacted N bytes>`,
/// so a secret cannot reach a log line or an error message by accident. Use ``withBytes(_:)``
/// to hand the bytes to a primitive.
public struct SecretBytes: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let storage: [UInt8]

    /// Wraps raw secret bytes.
    public init(_ bytes: [UInt8]) { self.storage = bytes }

    /// Wraps the UTF-8 bytes of a secret string, as Paytm merchant keys and SNAP client
    /// secrets are used (the text's bytes are the key; nothing is decoded).
    public init(utf8 text: String) { self.storage = Array(text.utf8) }

    /// The number of bytes.
    public var count: Int { storage.count }

    /// Whether the secret is empty.
    public var isEmpty: Bool { storage.isEmpty }

    /// Calls `body` with the secret bytes.
    public func withBytes<R>(_ body: ([UInt8]) throws -> R) rethrows -> R { try body(storage) }

    /// The secret as UTF-8 text, for secrets that are text on the wire (access tokens).
    /// Returns `nil` if the bytes are not valid UTF-8.
    public func revealUTF8() -> String? { String(validating: storage, as: UTF8.self) }

    public var description: String { "<redacted \(storage.count) bytes>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Compares in constant time for equal lengths.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        ConstantTime.equal(lhs.storage, rhs.storage)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(storage.count) }
}
