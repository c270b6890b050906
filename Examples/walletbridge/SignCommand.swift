import ArgumentParser
import WalletBridgeSignatureTool

/// `walletbridge sign`: prints the signature as it goes on the wire.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign one case read on stdin and print the wire value (Signature header value, Paytm checksum, or X-SIGNATURE).",
        discussion: "Exit status: 0 signed; 2 the case cannot be used (bad JSON, missing field, unreadable key, unknown kind)."
    )

    @OptionGroup var options: CaseOptions

    @Flag(
        help:
            "Print one JSON object with every expected-style field the case determines (content_to_sign, signature_b64, hash_string, checksum, string_to_sign, ...)."
    )
    var json = false

    func run() throws {
        let report = try options.run(
            { (tool, scheme, json) throws(SignatureCaseError) in try tool.sign(scheme: scheme, json: json) },
            explanation: \.explanation)
        print(json ? report.json() : report.wireValue)
    }
}
