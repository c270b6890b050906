import ArgumentParser
import WalletBridgeSignatureTool

/// `walletbridge verify`: checks the signature in a case, and says why it passes or fails.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the signature in one case read on stdin (signature only: never clocks or replay).",
        discussion: """
            Exit status: 0 valid; 1 invalid (mismatch, malformed base64, wrong length, bad padding, \
            unsigned); 2 the case cannot be used (bad JSON, missing field, unreadable key, unknown kind).
            """
    )

    @OptionGroup var options: CaseOptions

    func run() throws {
        let report = try options.run(
            { (tool, scheme, json) throws(SignatureCaseError) in try tool.verify(scheme: scheme, json: json) },
            explanation: \.explanation)
        print("\(report.valid ? "valid" : "invalid"): \(report.reason)")
        if !report.valid { throw ExitCode(1) }
    }
}
