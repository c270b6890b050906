import Foundation
import Logging
import WalletBridgeHTTP

/// Builds a wallet's adapter from its profile, by the profile's scheme: an explicit table,
/// passed to whoever needs it, never a global. An application registers the schemes it links
/// (a partner's own adapter included) and looks adapters up by profile.
///
/// ```swift
/// var registry = WalletAdapterRegistry()
/// registry.register(scheme: "alipayplus") { profile, transport, environment in
///     AlipayPlusAdapter(walletName: profile.wallet, configuration: try AlipayPlusConfiguration(profile: profile),
///                       transport: transport, clock: environment.clock)
/// }
/// let adapter = try registry.adapter(for: profile, transport: transport)
/// ```
public struct WalletAdapterRegistry: Sendable {
    /// What an adapter may take from its surroundings besides profile and transport.
    public struct Environment: Sendable {
        /// Where the adapter logs (token renewals and the like); never secrets.
        public var logger: Logger
        /// Wall time for signed timestamps and token lifetimes.
        public var clock: @Sendable () -> Date

        /// Creates an environment; the defaults discard logs and use `Date()`.
        public init(
            logger: Logger = Logger(label: "walletbridge", factory: { _ in SwiftLogNoOpLogHandler() }),
            clock: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.logger = logger
            self.clock = clock
        }
    }

    /// Builds one adapter.
    public typealias Factory = @Sendable (PartnerProfile, any HTTPTransport, Environment) throws -> any WalletAdapter

    private var factories: [String: Factory]

    /// A registry with these factories, by scheme name.
    public init(_ factories: [String: Factory] = [:]) {
        self.factories = factories
    }

    /// Adds (or replaces) the factory for `scheme`.
    public mutating func register(scheme: String, _ factory: @escaping Factory) {
        factories[scheme] = factory
    }

    /// The schemes registered, sorted.
    public var schemes: [String] { factories.keys.sorted() }

    /// The adapter for `profile`, by its scheme.
    /// - Throws: ``ProfileError`` when no factory is registered for the scheme, or the
    ///   factory's own error (a profile setting it cannot use).
    public func adapter(
        for profile: PartnerProfile, transport: any HTTPTransport, environment: Environment = Environment()
    ) throws -> any WalletAdapter {
        guard let factory = factories[profile.scheme] else {
            throw ProfileError(
                "profile \(profile.wallet): scheme \(profile.scheme) has no adapter registered (registered: \(schemes.joined(separator: ", ")))")
        }
        return try factory(profile, transport, environment)
    }
}
