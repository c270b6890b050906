import HTTPTypes

extension HTTPField.Name {
    /// A header name from a source literal, for the `static let` constants a module declares
    /// once for the names it sends and reads:
    ///
    /// ```swift
    /// extension HTTPField.Name {
    ///     static let clientID = HTTPField.Name.known("Client-Id")
    /// }
    /// ```
    ///
    /// `HTTPField.Name.init(_:)` is failable, and library code never force-unwraps. A literal
    /// that is not a valid field name (RFC 9110 token) yields ``invalidLiteralPlaceholder``
    /// instead of trapping; tests check that no constant is that placeholder. For names that
    /// arrive at run time (a file, a peer), use `HTTPField.Name.init(_:)` and report a nil.
    ///
    /// - Parameter name: The name as it is sent; lookups ignore its case.
    public static func known(_ name: StaticString) -> HTTPField.Name {
        HTTPField.Name(name.description) ?? invalidLiteralPlaceholder
    }

    /// What ``known(_:)`` returns for an invalid literal: `X-WalletBridge-Invalid-Name`, a valid
    /// name that no peer sends, so a lookup with it finds nothing.
    public static let invalidLiteralPlaceholder: HTTPField.Name =
        // The literal is a valid token, so the fallback (present only to avoid a force unwrap)
        // is never taken.
        HTTPField.Name("X-WalletBridge-Invalid-Name") ?? .via
}
