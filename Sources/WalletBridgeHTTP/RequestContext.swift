/// What the caller is doing while a request is sent, for transports that act on it (fault
/// injection, tracing): the operation's name and the key it is about, such as a merchant
/// reference. It says nothing about partners: `WalletClient` binds it around each adapter call,
/// and any other caller may bind its own.
///
/// ```swift
/// try await RequestContext.$current.withValue(RequestContext(operation: "pay", key: "ORDER-1")) {
///     try await transport.send(request)
/// }
/// ```
public struct RequestContext: Sendable, Hashable, CustomStringConvertible {
    /// The operation, such as `pay`, `inquire`, `cancel`, `refund`.
    public var operation: String
    /// What the operation is about, such as a merchant or refund reference.
    public var key: String

    /// Creates a context.
    public init(operation: String, key: String) {
        self.operation = operation
        self.key = key
    }

    /// The context of the current task, if a caller bound one.
    @TaskLocal public static var current: RequestContext?

    public var description: String { "\(operation) \(key)" }
}
