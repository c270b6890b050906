extension WalletError {
    /// What a wallet's reply said about itself (status, code, message), kept for a person to
    /// read next to a ``Diagnosis``. An unverified claim is never a payment's result: it only
    /// helps name the mistake (`claimed: F 2005 "Invalid checksum" (unverified)`).
    ///
    /// The texts come from a reply nobody vouches for: they are cut to 120 characters and
    /// stripped of control characters before they are kept.
    public struct Claim: Sendable, Equatable, CustomStringConvertible {
        /// The reply's status (`F`, `TXN_FAILURE`...), when it has one.
        public let status: String?
        /// The reply's code (`2005`, `INVALID_CLIENT`, `4015400`...).
        public let code: String?
        /// The reply's message.
        public let message: String?
        /// Whether the reply's signature or checksum verified (false: anyone could have written it).
        public let verified: Bool

        /// Creates a claim; nil when the reply claimed nothing readable.
        public init?(status: String?, code: String?, message: String?, verified: Bool) {
            self.status = Self.clean(status)
            self.code = Self.clean(code)
            self.message = Self.clean(message)
            self.verified = verified
            if self.status == nil, self.code == nil, self.message == nil { return nil }
        }

        /// `F 2005 "Invalid checksum" (unverified)`.
        public var description: String {
            var parts = [status, code].compactMap { $0 }
            if let message { parts.append("\"\(message)\"") }
            return parts.joined(separator: " ") + (verified ? "" : " (unverified)")
        }

        /// Printable, trimmed, at most 120 characters; nil when empty.
        static func clean(_ text: String?) -> String? {
            guard let text else { return nil }
            let printable = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
                .trimmedSpaces()
            guard !printable.isEmpty else { return nil }
            return printable.count > 120 ? String(printable.prefix(120)) + "…" : printable
        }
    }
}

extension String {
    /// Without leading and trailing spaces (no Foundation needed).
    fileprivate func trimmedSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
