/// Why a ``KeySource`` could not be read. Never carries key material.
public struct KeySourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for programmatic handling.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read, or the environment variable is unset or empty.
        case unavailable
        /// The file is not UTF-8 text.
        case notText
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// A human-readable explanation naming the file or variable.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
