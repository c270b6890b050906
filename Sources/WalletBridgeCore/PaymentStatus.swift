/// Where a payment stands.
///
/// `unknown` is not failure: the customer might have been charged, and the payment must be
/// reconciled by inquiry before anyone reports it failed or tries a new payment.
///
/// Its description never prints a next action's token or URL query (see ``NextAction``).
public enum PaymentStatus: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The money moved.
    case succeeded
    /// No money moved; the reason says why.
    case failed(WalletError)
    /// The payment was cancelled before money moved.
    case cancelled
    /// Still in progress; when the customer must act, the action says how.
    case pending(NextAction?)
    /// It might have been charged; inquire until it is final. The error says why it is unknown.
    case unknown(WalletError)

    /// `succeeded`, `failed`, `cancelled`, `pending` or `unknown`.
    public var name: String {
        switch self {
        case .succeeded: return "succeeded"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        case .pending: return "pending"
        case .unknown: return "unknown"
        }
    }

    /// Whether the status can no longer change by itself (succeeded, failed, cancelled).
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: return true
        case .pending, .unknown: return false
        }
    }

    /// The reason carried by `failed` or `unknown`.
    public var error: WalletError? {
        switch self {
        case .failed(let error), .unknown(let error): return error
        default: return nil
        }
    }

    /// `succeeded`, `failed(reason)`, `pending(action)`...: safe to log.
    public var description: String {
        switch self {
        case .succeeded, .cancelled: return name
        case .failed(let error), .unknown(let error): return "\(name)(\(error))"
        case .pending(let action?): return "pending(\(action))"
        case .pending(nil): return "pending"
        }
    }

    public var debugDescription: String { description }
}

/// What the customer must do to complete a pending payment.
///
/// Its ``value`` is for the customer's device only: a token or a URL's query can let anyone who
/// reads it complete or view the payment, so the description (and `print`, and string
/// interpolation) shows the kind and the URL without its query, never a token or a payload.
public enum NextAction: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Open this web page.
    case redirect(url: String)
    /// Open the wallet app at this link.
    case deeplink(url: String)
    /// Show this QR payload for the wallet app to scan.
    case qrCode(payload: String)
    /// Hand this token to the wallet's client SDK (Paytm's `txnToken`).
    case token(String)

    /// `redirect`, `deeplink`, `qrCode` or `token`.
    public var kind: String {
        switch self {
        case .redirect: return "redirect"
        case .deeplink: return "deeplink"
        case .qrCode: return "qrCode"
        case .token: return "token"
        }
    }

    /// The URL, payload or token.
    public var value: String {
        switch self {
        case .redirect(let url), .deeplink(let url): return url
        case .qrCode(let payload): return payload
        case .token(let token): return token
        }
    }

    /// The kind and what is safe to show: a URL's scheme, host and path; a token's or
    /// payload's length only.
    public var description: String {
        switch self {
        case .redirect(let url), .deeplink(let url):
            let shown = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
            return "\(kind)(\(shown)\(url.contains("?") ? "?…" : ""))"
        case .qrCode(let payload): return "qrCode(\(payload.count) characters, not shown)"
        case .token(let token): return "token(\(token.count) characters, not shown)"
        }
    }

    public var debugDescription: String { description }
}
