import Foundation
import HTTPTypes
import WalletBridgeHTTP
import WalletBridgePaytm

/// Prints each exchange to stderr: method, URL path, status, and the signature header in
/// short (`--trace`). With a ``TraceMask`` (`--trace-bodies`) it also prints every header and
/// the body of both sides, secrets masked and signatures shortened.
struct TranscriptTransport: HTTPTransport {
    let base: any HTTPTransport
    /// Set for `--trace-bodies`: print headers and bodies through this mask.
    var bodies: TraceMask?
    var write: @Sendable (String) -> Void = { printError($0) }

    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let path = URLComponents(string: request.url)?.path ?? request.url
        write(
            "    > \(request.method) \(path)  \(TranscriptTransport.short(request.headerFields[.signature] ?? request.headerFields[.snapSignature].map { "X-SIGNATURE=" + $0 } ?? TranscriptTransport.paytmSignature(request.body)))"
        )
        if let bodies { details(request.headerFields, request.body, bodies) }
        do {
            let response = try await base.send(request)
            write(
                "    < HTTP \(response.status)  \(TranscriptTransport.short(response.headerFields[.signature] ?? response.headerFields[.snapSignature].map { "X-SIGNATURE=" + $0 } ?? TranscriptTransport.paytmSignature(response.body)))"
            )
            if let bodies { details(response.headerFields, response.body, bodies) }
            return response
        } catch {
            write("    < \(error)")
            throw error
        }
    }

    /// Every header field, then the body, each through the mask.
    private func details(_ fields: HTTPFields, _ body: [UInt8], _ mask: TraceMask) {
        for field in fields {
            write("      \(field.name.rawName): \(mask.header(field.name.rawName, field.value))")
        }
        write("      body: \(mask.body(body))")
    }

    /// Paytm carries its checksum in the envelope's `head.signature`, not in a header.
    static func paytmSignature(_ body: [UInt8]) -> String? {
        guard let envelope = try? PaytmEnvelope(received: body), let signature = envelope.signature else { return nil }
        return "head.signature=" + signature
    }

    static func short(_ signature: String?) -> String {
        guard let signature else { return "(unsigned)" }
        guard let marker = signature.range(of: "signature=") ?? signature.range(of: "SIGNATURE=") else {
            return "Signature: \(signature.prefix(40))…"
        }
        return "Signature: \(signature[..<marker.upperBound])\(signature[marker.upperBound...].prefix(16))…"
    }
}
