import Foundation
import HTTPTypes
import WalletBridgeCore
import WalletBridgeCrypto
import WalletBridgeHTTP
import WalletBridgeSignatureTool

/// `--dump-cases DIR`: writes each exchange as signature cases (`NNN-operation-request.json`,
/// `NNN-operation-response.json`) that `walletbridge verify --scheme SCHEME` (and, for our own
/// requests, `walletbridge sign --explain`) read as they are. Keys are file references or
/// public key text, never secret key text (see ``CaseDumper/keys(for:sandbox:directory:)``).
struct CaseDumpTransport: HTTPTransport {
    let base: any HTTPTransport
    let dumper: CaseDumper

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let operation = RequestContext.current?.operation ?? "call"
        do {
            let response = try await base.send(request)
            dumper.record(request, response, operation: operation)
            return response
        } catch {
            dumper.record(request, nil, operation: operation)
            throw error
        }
    }
}

/// Numbers exchanges and writes their cases (thread-safe: payments run concurrently).
final class CaseDumper: @unchecked Sendable {
    let directory: String
    let scheme: SignatureTool.Scheme
    let keys: CaseKeys
    private let lock = NSLock()
    private var sequence = 0
    private var written = 0
    private var skipped: [String] = []

    /// Whether the tokens in bodies are the embedded sandbox's test-only ones. Against a real
    /// profile, an exchange whose body carries a token or a customer credential is not written
    /// (a signature covers the exact bytes, so the token cannot be masked in a case).
    let testTokensOnly: Bool

    init(directory: String, scheme: SignatureTool.Scheme, keys: CaseKeys, testTokensOnly: Bool) {
        self.directory = directory
        self.scheme = scheme
        self.keys = keys
        self.testTokensOnly = testTokensOnly
    }

    /// The first token or credential member a body names, if any.
    static func tokenMember(in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        return TraceMask.secretMembers.first { text.contains("\"\($0)\"") || text.contains("\($0)=") }
    }

    func record(_ request: TransportRequest, _ response: TransportResponse?, operation: String) {
        func headers(_ fields: HTTPFields) -> [String: String] {
            var result: [String: String] = [:]
            for field in fields where result[field.name.canonicalName] == nil { result[field.name.canonicalName] = field.value }
            return result
        }
        let exchange = RecordedExchange(
            method: request.method.rawValue, path: URLComponents(string: request.url)?.path ?? request.url,
            requestHeaders: headers(request.headerFields), requestBody: request.body,
            status: response.map { Int($0.status) } ?? 0,
            responseHeaders: response.map { headers($0.headerFields) } ?? [:], responseBody: response?.body ?? [])
        lock.withLock {
            sequence += 1
            let id = String(format: "%03d", sequence) + "-" + operation
            // Against a real profile, a side whose body carries a token or a customer credential
            // is not written.
            var withheld: [String: String] = [:]
            if !testTokensOnly {
                withheld["request"] = Self.tokenMember(in: request.body)
                withheld["response"] = response.flatMap { Self.tokenMember(in: $0.body) }
            }
            for (side, member) in withheld.sorted(by: { $0.key < $1.key }) {
                skipped.append(
                    "\(id)-\(side): its body carries \(member), a token or customer credential; not written (--trace-bodies shows it masked)")
            }
            var (cases, notWritten) = ExchangeCases.cases(exchange, scheme: scheme, keys: keys, id: id)
            cases.removeAll { dumped in withheld.keys.contains { dumped.name.hasSuffix("-" + $0) } }
            for dumped in cases where FileManager.default.createFile(atPath: directory + "/" + dumped.name + ".json", contents: dumped.json) {
                written += 1
            }
            skipped += notWritten
        }
    }

    /// One line for stderr when the command ends.
    var summary: String {
        lock.withLock {
            var text =
                "dumped \(written) signature case(s) into \(directory) (check each with: walletbridge verify --scheme \(scheme.rawValue) < FILE)"
            for reason in skipped { text += "\n  not dumped: \(reason)" }
            return text
        }
    }

    /// The keys cases refer to, from the profile: our public key and the wallet's as text,
    /// secret keys only as a file path. The embedded sandbox's test-only keys (given inline) are
    /// written into `directory/keys` first, as `walletbridge sandbox --write-config` does; a
    /// real profile's inline or environment key is never written: the cases say so in `note`.
    static func keys(for profile: PartnerProfile, sandbox: Bool, directory: String) -> CaseKeys {
        var keys = CaseKeys()
        func fileReference(_ source: KeySource?, field: String, sandboxFile: String) -> String? {
            switch source {
            case .file(let path)?:
                return URL(fileURLWithPath: path).standardizedFileURL.path
            case .string(let text)? where sandbox:
                let keyDirectory = directory + "/keys"
                let path = keyDirectory + "/" + sandboxFile
                do {
                    try FileManager.default.createDirectory(atPath: keyDirectory, withIntermediateDirectories: true)
                    try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                    return URL(fileURLWithPath: path).standardizedFileURL.path
                } catch {
                    keys.notes.append("the sandbox's test-only \(field) could not be written (\(error)).")
                    return nil
                }
            case .string?:
                keys.notes.append(
                    "The profile gives \(field) as inline text, which dumped cases never hold: save it in a file and add \(field)_file to this case to re-sign or verify it."
                )
                return nil
            case .environment(let name)?:
                keys.notes.append(
                    "The profile reads \(field) from $\(name), which dumped cases never hold: save it in a file and add \(field)_file to this case to re-sign or verify it."
                )
                return nil
            case nil:
                return nil
            }
        }
        func publicKey(_ source: KeySource) -> CaseKeys.PublicKey? {
            if case .file(let path) = source { return .file(URL(fileURLWithPath: path).standardizedFileURL.path) }
            return (try? source.loadText()).map { .pem($0) }
        }
        switch profile.scheme {
        case "paytm":
            keys.merchantKeyFile = fileReference(profile.merchantKey, field: "merchant_key", sandboxFile: "\(profile.wallet)-merchant-key.txt")
        default:
            keys.privateKeyFile = fileReference(profile.merchantKey, field: "private_key", sandboxFile: "\(profile.wallet)-merchant-private.pem")
            if let text = try? profile.merchantKey?.loadText(), let key = try? RSAPrivateKey(text: text) {
                keys.ownPublicKey = .pem(key.publicKey.pem)
            }
            for (version, source) in profile.partnerPublicKeys {
                keys.partnerPublicKeys[version] = publicKey(source)
            }
        }
        return keys
    }
}
