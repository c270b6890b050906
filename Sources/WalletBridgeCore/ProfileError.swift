/// Why a partner profile could not be loaded.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the file, line or field; never a key's content.
    public let message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
