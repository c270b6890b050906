/// A failure the sandbox injects on demand, to test what a client does when the partner
/// misbehaves. Faults queue per path and are used up one request at a time.
public enum SandboxFault: Sendable, Equatable {
    /// Process the request, then send a response whose signature does not match.
    case tamperResponseSignature
    /// Process the request, then send the response without signature headers.
    case omitResponseSignature
    /// Process the request, then answer `U/UNKNOWN_EXCEPTION` (as if the platform's reply was lost).
    case resultUnknown
    /// Process the request, then wait this long before answering (to trigger client timeouts).
    case delay(Duration)
    /// Do not process the request; answer with this HTTP status and no body.
    case httpStatus(Int)

    /// Parses the admin endpoint's names: `tamper-response-signature`, `omit-response-signature`,
    /// `result-unknown`, `delay-ms:N`, `http-status:N`.
    public init?(name: String) {
        switch name {
        case "tamper-response-signature": self = .tamperResponseSignature
        case "omit-response-signature": self = .omitResponseSignature
        case "result-unknown": self = .resultUnknown
        default:
            if name.hasPrefix("delay-ms:"), let millis = Int64(name.dropFirst(9)), millis >= 0 {
                self = .delay(.milliseconds(millis))
            } else if name.hasPrefix("http-status:"), let status = Int(name.dropFirst(12)), (100...599).contains(status) {
                self = .httpStatus(status)
            } else {
                return nil
            }
        }
    }
}
