import ArgumentParser
import Foundation
import WalletBridgeCore

/// `walletbridge bindings`: the stored customer authorizations, redacted (handles, customers,
/// scopes, expiries; never a token).
struct BindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bindings",
        abstract: "List the stored customer authorizations (redacted: handles, never tokens).",
        discussion: "Lists the bindings of --wallet (or of every wallet with --all). Exit status: 0, or 2 on a set-up error."
    )

    @OptionGroup var options: WalletOptions

    @Flag(help: "Every wallet's bindings, not only --wallet's.")
    var all = false

    func run() async throws {
        let store = try BindingStore.open(options)
        let list: [CustomerAuthorization]
        do {
            list = try await store.authorizations(wallet: all ? nil : options.wallet)
        } catch {
            printError("error: the bindings cannot be read: \(error)")
            throw ExitCode(2)
        }
        let items = list.map { JSONOutput.object(Self.fields($0, status: $0.isRevoked ? "revoked" : "bound")) }
        if options.json {
            print(JSONOutput.object([("bindings", .items(items))]).rendered())
        } else if items.isEmpty {
            print("no bindings" + (all ? "" : " for \(options.wallet)"))
        } else {
            for item in items { ResultOutput.lines(item).forEach { print($0) }; print("") }
        }
    }

    /// An authorization's printable fields: never a token.
    static func fields(_ authorization: CustomerAuthorization, status: String) -> [(String, JSONOutput?)] {
        [
            ("status", .string(status)), ("binding", .string(authorization.handle)), ("wallet", .string(authorization.wallet)),
            ("customer", .string(authorization.customerID)),
            ("scopes", authorization.scopes.isEmpty ? nil : .items(authorization.scopes.map { .string($0) })),
            ("walletReference", .text(authorization.walletReference)),
            ("grantedAt", .string(ResultOutput.rfc3339(authorization.grantedAt))),
            ("accessTokenExpiresAt", authorization.accessTokenExpiresAt.map { .string(ResultOutput.rfc3339($0)) }),
            ("refreshable", .bool(authorization.refreshToken != nil)),
            ("refreshedAt", authorization.refreshedAt.map { .string(ResultOutput.rfc3339($0)) }),
            ("revokedAt", authorization.revokedAt.map { .string(ResultOutput.rfc3339($0)) }),
        ]
    }
}
