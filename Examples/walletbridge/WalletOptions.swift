import ArgumentParser
import Foundation
import WalletBridgeCore

/// Options every payment command shares.
struct WalletOptions: ParsableArguments {
    @Option(help: "Wallet: gcash, paytm or dana.")
    var wallet: String = "gcash"

    @Option(help: "Profile file (JSON or TOML). Without it, an embedded sandbox is used.")
    var config: String?

    @Option(help: "Embedded sandbox state file (default: $WALLETBRIDGE_STATE_FILE or ~/.local/state/walletbridge/sandbox.json).")
    var stateFile: String?

    @Option(
        name: .customLong("snap-mode"),
        help:
            "dana against the embedded sandbox: rsa (DANA's RSA-signed transactions, the default) or token (B2B token plus HMAC-SHA512). With --config the profile's settings.mode decides."
    )
    var snapModeOption: String?

    /// The SNAP mode for the embedded sandbox.
    var snapMode: String { snapModeOption ?? "rsa" }

    @Option(help: "Payment journal (SQLite) that records every payment before it is sent (default: journal.sqlite beside the state file).")
    var journal: String?

    @Option(help: "Run the client's clocks N times faster, against a sandbox started with the same --time-scale (simulations).")
    var timeScale: Double = 1

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    @Flag(help: "Log each operation (correlation id, references, status) to stderr.")
    var verbose = false

    @Flag(help: "Print each HTTP exchange (method, path, status, signature header) to stderr.")
    var trace = false

    @Flag(
        help:
            "Like --trace, with each exchange's body and signed headers; secrets (access and customer tokens, Authorization values, keys) are masked, signatures shortened."
    )
    var traceBodies = false

    @Option(
        help: ArgumentHelp(
            "Write each HTTP exchange into DIR as signature cases that `walletbridge sign --explain` and `walletbridge verify` read as they are (keys by file reference, never key text).",
            valueName: "DIR"))
    var dumpCases: String?

    mutating func validate() throws {
        guard timeScale >= 1, timeScale.isFinite else { throw ValidationError("--time-scale must be a number of at least 1") }
        // Wallet names are case-insensitive: `--wallet GCash` is gcash.
        wallet = wallet.lowercased()
        if let mode = snapModeOption {
            guard config == nil else {
                throw ValidationError("--snap-mode is for the embedded sandbox; with --config the profile's settings.mode decides")
            }
            guard ["rsa", "token"].contains(mode) else { throw ValidationError("--snap-mode must be rsa or token, not \(mode)") }
        }
        // Set-up errors are refused before anything is sent, with a one-line reason.
        if config == nil { try Self.checkWritable(resolvedStateFile, option: "--state-file") }
        try Self.checkWritable(resolvedJournal, option: "--journal")
    }

    /// Refuses a file whose folder cannot be created or written.
    static func checkWritable(_ path: String, option: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("\(option) \(path): its folder \(folder) cannot be created")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ValidationError("\(option) \(path): its folder \(folder) is not writable")
        }
    }

    /// The command that reads a payment's state with these options, for when the client stopped
    /// waiting on a configuration error: run it once the profile is fixed.
    func settleCommand(_ merchantReference: String) -> String {
        var common = "--wallet \(Self.shellQuoted(wallet))"
        if let config { common += " --config \(Self.shellQuoted(config))" }
        return "walletbridge inquire \(common) --merchant-reference \(Self.shellQuoted(merchantReference)) (or walletbridge recover \(common))"
    }

    /// `--wallet W [--config P]`, for commands printed for the user to run next.
    var commonArguments: String {
        "--wallet \(Self.shellQuoted(wallet))" + (config.map { " --config \(Self.shellQuoted($0))" } ?? "")
    }

    /// `text` as one shell word.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./@:=+,".unicodeScalars.contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The sandbox customer who pays, for the chosen wallet.
    var defaultCustomer: String { "\(wallet.lowercased())-pays" }

    /// Parses a command-line amount, ending the command with exit status 2 when it is not an
    /// exact positive amount of the currency.
    static func money(_ amount: String, _ currency: String) throws -> Money {
        if amount.hasPrefix("-") || amount.hasPrefix("+") {
            printError("error: --amount must be a positive amount without a sign, such as 10.00, not \(amount)")
            throw ExitCode(2)
        }
        let money: Money
        do {
            money = try Money(parsing: amount, currencyCode: currency.uppercased())
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        guard money.minorUnits > 0 else {
            printError("error: --amount must be more than zero, not \(amount)")
            throw ExitCode(2)
        }
        return money
    }

    /// Where the payment journal lives.
    var resolvedJournal: String {
        if let journal { return journal }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["WALLETBRIDGE_JOURNAL"], !path.isEmpty { return path }
        return (resolvedStateFile as NSString).deletingLastPathComponent + "/journal.sqlite"
    }

    /// Where the embedded sandbox keeps its ledger between runs.
    var resolvedStateFile: String {
        if let stateFile { return stateFile }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["WALLETBRIDGE_STATE_FILE"], !path.isEmpty { return path }
        let base =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/state")
        return base + "/walletbridge/sandbox.json"
    }
}
