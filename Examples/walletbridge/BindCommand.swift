import ArgumentParser
import Foundation
import WalletBridgeCore

/// `walletbridge bind`: binds a customer's wallet once (the customer authorization), so that
/// later payments go through in one step with `pay --binding HANDLE`.
struct BindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bind",
        abstract: "Bind a customer's wallet once (customer authorization); pay later with pay --binding HANDLE.",
        discussion: """
            Against the embedded sandbox the whole flow runs here, the customer's consent given as the sandbox's test \
            customer would. With --config it prints the wallet's consent page and the state; once the customer comes \
            back, run it again with --redirect-url URL --state STATE to finish. The authorization is stored in the \
            journal's database with its tokens sealed (AES-256-GCM, key file bindings.key, mode 0600) and only its \
            handle is printed (--json: "binding"). Exit status: 0 bound, 1 refused (the customer declined, a bad or \
            used code), 2 usage or set-up error, 3 unknown (no answer in time: start again), 4 waiting for the customer \
            (--config, consent step printed).
            """
    )

    @OptionGroup var options: WalletOptions

    @Option(help: "The merchant's id for the customer; against the sandbox also the test customer who consents (default WALLET-binds).")
    var customer: String?

    @Option(help: "Where the wallet sends the customer back (default: the profile's, or a local placeholder for the sandbox).")
    var returnURL: String?

    @Option(
        help:
            "With --config: the URL the wallet redirected the customer to, carrying authCode and the state; - reads it from stdin (keeps the one-time code out of ps and shell history)."
    )
    var redirectURL: String?

    @Option(help: "With --redirect-url: the state printed when the binding started.")
    var state: String?

    func run() async throws {
        if redirectURL != nil, options.config == nil {
            printError("error: --redirect-url finishes a binding started with --config; against the embedded sandbox bind runs the whole flow")
            throw ExitCode(2)
        }
        if redirectURL != nil, state == nil {
            printError("error: --redirect-url needs --state (printed when the binding started)")
            throw ExitCode(2)
        }
        let session = try await WalletSession.open(options)
        guard session.client.adapter is any AuthorizationAdapter else {
            await session.close()
            printError("error: \(options.wallet) does not support binding a customer's wallet in this build")
            throw ExitCode(2)
        }
        let customerID = customer ?? "\(options.wallet)-binds"
        let output: JSONOutput
        let code: ExitCode
        do throws(WalletError) {
            (output, code) = try await bind(session, customerID: customerID)
        } catch {
            (output, code) = (Self.refusal(error, wallet: options.wallet, customer: customerID), Self.exitCode(error))
        }
        await session.close()
        ResultOutput.emit(output, json: options.json)
        if code != .success { throw code }
    }

    func bind(_ session: WalletSession, customerID: String) async throws(WalletError) -> (JSONOutput, ExitCode) {
        let client = session.client
        let back = returnURL ?? "http://127.0.0.1/walletbridge/bound"
        if var redirectURL, let state {
            if redirectURL == "-" { redirectURL = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces) }
            let start = AuthorizationStart(
                wallet: options.wallet, customerID: customerID, action: .redirect(url: back), state: state,
                scopes: (client.adapter as? any AuthorizationAdapter)?.authorizationCapabilities.defaultScopes ?? [])
            let grant = try AuthorizationGrant(redirectURL: redirectURL)
            return (Self.bound(try await client.completeAuthorization(grant, start: start, correlationID: session.correlationID)), .success)
        }
        let start = try await client.startAuthorization(
            AuthorizationRequest(customerID: customerID, redirectURL: back), correlationID: session.correlationID)
        guard let sandbox = session.sandbox else {
            // A real wallet: the customer consents on the wallet's page; finish with --redirect-url.
            let output = JSONOutput.object([
                ("status", .string("waiting")), ("wallet", .string(start.wallet)), ("customer", .string(start.customerID)),
                ("action", .object([("kind", .string(start.action.kind)), ("url", .string(start.action.value))])),
                ("state", .string(start.state)),
                (
                    "next",
                    .string(
                        "open the URL as the customer; then run walletbridge bind \(options.commonArguments) --customer \(WalletOptions.shellQuoted(customerID)) --state \(start.state) --redirect-url - (then paste the URL)"
                    )
                ),
            ])
            return (output, ExitCode(4))
        }
        let redirect = try await SandboxConsent.approve(start, customer: customerID, sandbox: sandbox, transport: session.transport)
        let grant = try AuthorizationGrant(redirectURL: redirect)
        return (Self.bound(try await client.completeAuthorization(grant, start: start, correlationID: session.correlationID)), .success)
    }

    /// The stored authorization, redacted: its handle, never a token.
    static func bound(_ authorization: CustomerAuthorization) -> JSONOutput {
        .object(BindingsCommand.fields(authorization, status: "bound"))
    }

    static func refusal(_ error: WalletError, wallet: String, customer: String) -> JSONOutput {
        .object([
            ("status", .string(undecided(error) ? "unknown" : "refused")), ("wallet", .string(wallet)), ("customer", .string(customer)),
            ("error", ResultOutput.errorObject(error)),
        ])
    }

    /// A timeout, an outage or an unsigned answer: the wallet may have bound the customer (a
    /// code is single-use, so start again); not a refusal.
    static func undecided(_ error: WalletError) -> Bool {
        error.mayHaveCharged || (error.isRetryable && error.authorization == nil)
    }

    static func exitCode(_ error: WalletError) -> ExitCode {
        if undecided(error) { return ExitCode(3) }
        switch error.category {
        case .journalUnavailable: return ExitCode(2)
        case .invalidRequest where error.authorization == nil: return ExitCode(2)
        default: return ExitCode(1)
        }
    }
}
