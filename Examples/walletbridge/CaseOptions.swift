import ArgumentParser
import Foundation
import WalletBridgeSignatureTool

extension SignatureTool.Scheme: ExpressibleByArgument {}

/// Options shared by `sign` and `verify`.
struct CaseOptions: ParsableArguments {
    @Option(help: "Signature scheme: \(SignatureTool.Scheme.allCases.map(\.rawValue).joined(separator: "|")).")
    var scheme: SignatureTool.Scheme

    @Option(help: "Directory that key-file fields (private_key_file, public_key_file, merchant_key_file) resolve against.")
    var baseDir: String = FileManager.default.currentDirectoryPath

    @Flag(help: "Show the exact string that was signed, hashed or verified.")
    var explain = false

    @Flag(help: "Show secrets (SNAP access tokens) in explanations instead of masking them.")
    var showSecrets = false

    var tool: SignatureTool {
        SignatureTool(baseDirectory: URL(fileURLWithPath: baseDir, isDirectory: true), showSecrets: showSecrets)
    }

    /// Reads the case on standard input and runs `action` on it with the tool; an unusable
    /// case prints its reason and exits 2. Prints the explanation when `--explain` is given.
    func run<Report>(
        _ action: (SignatureTool, SignatureTool.Scheme, Data) throws(SignatureCaseError) -> Report,
        explanation: (Report) -> [String]
    ) throws -> Report {
        let report: Report
        do {
            report = try action(tool, scheme, FileHandle.standardInput.readDataToEndOfFile())
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if explain { explanation(report).forEach { print($0) } }
        return report
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
