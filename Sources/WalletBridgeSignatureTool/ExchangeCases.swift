import Foundation
import WalletBridgeAlipayPlus
import WalletBridgePaytm

/// One case made from an exchange: its name (`<id>-request`, `<id>-response`) and JSON.
public struct DumpedCase: Sendable {
    /// `<id>-request` or `<id>-response`.
    public var name: String
    /// The case's `kind`.
    public var kind: String
    /// The case, as `walletbridge verify --scheme SCHEME` reads it on stdin.
    public var json: Data
}

/// Turns recorded exchanges into cases in the vector-file shape (see `Tests/Fixtures/vectors`):
/// a request we signed (verifiable with our public key; re-signable with `sign --explain`
/// when the private key is a file), and the wallet's signed reply (verifiable with the
/// wallet's public key, or the Paytm merchant key file). Nothing secret is written: keys are
/// file references, access and customer tokens never appear (SNAP requests signed with HMAC
/// over an access token are skipped, since that case shape needs the token and the client
/// secret as text).
public enum ExchangeCases {
    /// The cases of one exchange, plus why any expected case was not written.
    public static func cases(
        _ exchange: RecordedExchange, scheme: SignatureTool.Scheme, keys: CaseKeys, id: String
    ) -> (cases: [DumpedCase], skipped: [String]) {
        var cases: [DumpedCase] = []
        var skipped: [String] = []
        func add(_ side: String, _ fields: [String: Any]?, or reason: String) {
            guard var fields, let kind = fields["kind"] as? String else { skipped.append("\(id)-\(side): \(reason)"); return }
            fields["id"] = "\(id)-\(side)"
            fields["scheme"] = scheme.rawValue
            fields["operation"] = "verify"
            fields["source"] = "walletbridge --dump-cases"
            if !keys.notes.isEmpty { fields["note"] = keys.notes.joined(separator: " ") }
            guard let json = try? JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            else {
                skipped.append("\(id)-\(side): not representable as JSON")
                return
            }
            cases.append(DumpedCase(name: "\(id)-\(side)", kind: kind, json: json + Data("\n".utf8)))
        }
        switch scheme {
        case .alipayplus:
            add("request", alipayPlusRequest(exchange, keys), or: "the request has no Client-Id, Request-Time or Signature")
            if exchange.status != 0 {
                add("response", alipayPlusResponse(exchange, keys), or: "the reply is unsigned (no signature or response-time header)")
            }
        case .paytm:
            add("request", paytm(exchange.requestBody, keys, withBody: true), or: "the request is not a Paytm envelope")
            if exchange.status != 0 {
                add("response", paytm(exchange.responseBody, keys, withBody: false), or: "the reply is not a signed Paytm envelope")
            }
        case .snap:
            if exchange.requestHeaders["authorization"] != nil {
                skipped.append("\(id)-request: HMAC over an access token (the symmetric case needs the token and client secret as text; not dumped)")
            } else {
                add("request", snapRequest(exchange, keys), or: "the request has no X-TIMESTAMP or X-SIGNATURE")
            }
            if exchange.status != 0 { add("response", snapResponse(exchange, keys), or: "the reply is unsigned (no X-SIGNATURE or X-TIMESTAMP)") }
        }
        return (cases, skipped)
    }

    // MARK: Schemes

    static func alipayPlusRequest(_ e: RecordedExchange, _ keys: CaseKeys) -> [String: Any]? {
        guard let clientID = e.requestHeaders["client-id"], let time = e.requestHeaders["request-time"],
            let signature = e.requestHeaders["signature"],
            var fields = body(e.requestBody)
        else { return nil }
        let version = (try? AlipayPlusSignatureHeader(parsing: signature))?.keyVersion ?? "1"
        fields.merge([
            "kind": "request", "description": "our signed request (\(e.method) \(e.path)), verifiable with our public key",
            "method": e.method, "path": e.path, "client_id": clientID, "time_header": "Request-Time", "time": time,
            "key_version": version, "signature_header": signature,
        ]) { _, new in new }
        put(keys.ownPublicKey, into: &fields)
        if let file = keys.privateKeyFile { fields["private_key_file"] = file }
        return fields
    }

    static func alipayPlusResponse(_ e: RecordedExchange, _ keys: CaseKeys) -> [String: Any]? {
        guard let time = e.responseHeaders["response-time"], let signature = e.responseHeaders["signature"], var fields = body(e.responseBody) else {
            return nil
        }
        let version = (try? AlipayPlusSignatureHeader(parsing: signature))?.keyVersion ?? "1"
        let clientID = e.responseHeaders["client-id"] ?? e.requestHeaders["client-id"] ?? ""
        fields.merge([
            "kind": "response",
            "description": "the wallet's signed reply to \(e.method) \(e.path) (HTTP \(e.status)), verifiable with the wallet's public key",
            "method": e.method, "path": e.path, "client_id": clientID, "time_header": "Response-Time", "time": time,
            "key_version": version, "signature_header": signature,
        ]) { _, new in new }
        put(keys.partnerPublicKeys[version] ?? keys.partnerPublicKeys.values.first, into: &fields)
        return fields
    }

    static func paytm(_ envelopeBytes: [UInt8], _ keys: CaseKeys, withBody: Bool) -> [String: Any]? {
        guard let text = String(validating: envelopeBytes, as: UTF8.self), let envelope = try? PaytmEnvelope(received: envelopeBytes),
            envelope.signature != nil
        else { return nil }
        var fields: [String: Any] = ["kind": "envelope", "envelope": text]
        if withBody {
            fields["description"] =
                "our checksummed request envelope; verify checks head.signature over the body text, sign checksums `body` afresh (random salt)"
            fields["body"] = String(decoding: envelope.bodyText, as: UTF8.self)
        } else {
            fields["description"] = "the wallet's checksummed reply envelope; verify checks head.signature over the body text as received"
        }
        if let file = keys.merchantKeyFile { fields["merchant_key_file"] = file }
        return fields
    }

    static func snapRequest(_ e: RecordedExchange, _ keys: CaseKeys) -> [String: Any]? {
        guard let timestamp = e.requestHeaders["x-timestamp"], let signature = e.requestHeaders["x-signature"] else { return nil }
        var fields: [String: Any]
        if let clientKey = e.requestHeaders["x-client-key"] {
            fields = [
                "kind": "access-token", "description": "our signed access-token request (clientKey|timestamp), verifiable with our public key",
                "client_key": clientKey, "timestamp": timestamp, "signature": signature,
            ]
        } else {
            guard let body = body(e.requestBody) else { return nil }
            fields = body
            fields.merge([
                "kind": "asymmetric", "description": "our signed request (\(e.method) \(e.path)), verifiable with our public key",
                "method": e.method, "path": e.path, "timestamp": timestamp, "signature": signature,
            ]) { _, new in new }
        }
        put(keys.ownPublicKey, into: &fields)
        if let file = keys.privateKeyFile { fields["private_key_file"] = file }
        return fields
    }

    static func snapResponse(_ e: RecordedExchange, _ keys: CaseKeys) -> [String: Any]? {
        guard let timestamp = e.responseHeaders["x-timestamp"], let signature = e.responseHeaders["x-signature"], var fields = body(e.responseBody)
        else { return nil }
        fields.merge([
            "kind": "asymmetric",
            "description": "the wallet's signed reply to \(e.method) \(e.path) (HTTP \(e.status)), verifiable with the wallet's public key",
            "method": "POST", "path": e.path, "timestamp": timestamp, "signature": signature,
        ]) { _, new in new }
        put(keys.partnerPublicKeys.values.first, into: &fields)
        return fields
    }

    // MARK: Helpers

    /// `body` (and `body_utf8_b64` for non-ASCII bodies, as the vector files do).
    static func body(_ bytes: [UInt8]) -> [String: Any]? {
        var fields: [String: Any] = [:]
        if let text = String(validating: bytes, as: UTF8.self) { fields["body"] = text }
        if bytes.contains(where: { $0 >= 0x80 }) { fields["body_utf8_b64"] = Data(bytes).base64EncodedString() }
        return fields.isEmpty && !bytes.isEmpty ? nil : (fields.isEmpty ? ["body": ""] : fields)
    }

    static func put(_ key: CaseKeys.PublicKey?, into fields: inout [String: Any]) {
        switch key {
        case .file(let path)?: fields["public_key_file"] = path
        case .pem(let text)?: fields["public_key_pem"] = text
        case nil: break
        }
    }
}
