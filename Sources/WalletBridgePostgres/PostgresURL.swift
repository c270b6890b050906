import Foundation
import PostgresNIO
import WalletBridgeCore

/// Reads a connection URL, `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (`postgresql://` too), into a `PostgresClient.Configuration`.
///
/// `sslmode` is `disable`, `prefer` (the default, as libpq's) or `require`; a host of
/// `127.0.0.1`, `::1` or `localhost` without `sslmode` connects in clear. Percent-escapes in
/// the user, password and database are decoded. The password never appears in an error or a
/// description.
public enum PostgresURL {
    /// The configuration `url` names.
    ///
    /// - Throws: `JournalError` when `url` is not such a URL (the message never quotes the
    ///   password).
    public static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw JournalError("a PostgreSQL URL looks like postgres://user@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else { throw JournalError("the PostgreSQL URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw JournalError("the PostgreSQL URL names no user (postgres://user@host/db)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw JournalError("the PostgreSQL URL names no database (postgres://user@host/db)") }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value
        let local = ["127.0.0.1", "::1", "localhost", "[::1]"].contains(host)
        let tls: PostgresClient.Configuration.TLS
        switch mode ?? (local ? "disable" : "prefer") {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw JournalError("the PostgreSQL URL's sslmode must be disable, prefer or require")
        }
        return PostgresClient.Configuration(
            host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user, password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database, tls: tls)
    }

    /// `url` with its password replaced by `***`, for logs and reports.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }
}
