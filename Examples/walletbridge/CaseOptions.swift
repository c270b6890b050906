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

    /// Reads the whole case from standard input.
    func readCase() -> Data { FileHandle.standardInput.readDataToEndOfFile() }
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
