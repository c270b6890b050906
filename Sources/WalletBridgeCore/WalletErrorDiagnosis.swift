extension WalletError {
    /// What an error says about its own cause, beyond its ``WalletError/Category``: a person's
    /// next step, not a payment's state.
    ///
    /// Today there is one kind, ``Kind/configuration``: the wallet's replies point at our own
    /// profile (a wrong merchant key, client id or private key), so waiting, polling or
    /// resending cannot help until the profile changes. The adapter of each scheme recognises
    /// it in its own codes; ``RetryPolicy`` and ``ReconciliationStateMachine`` stop on it. The
    /// payment it concerns keeps whatever status the wallet has proven (usually `unknown`: the
    /// request may have reached the wallet), to be settled by inquiry once the profile is fixed.
    public struct Diagnosis: Sendable, Equatable, CustomStringConvertible {
        /// The kind of a diagnosis: a private code with `static let` values, so that new kinds
        /// never break a caller's `switch`.
        public struct Kind: Sendable, Hashable, CustomStringConvertible {
            private let code: String
            private init(_ code: String) { self.code = code }

            /// Our own configuration is wrong (key, client id): nothing the wallet says can be
            /// verified, or the wallet says it cannot verify us. Stop waiting; fix the profile.
            public static let configuration = Kind("configuration")

            /// The code, e.g. `configuration`.
            public var description: String { code }
        }

        /// The kind.
        public let kind: Kind
        /// Plain words for a person: what is wrong and what to check, e.g. "the wallet's replies
        /// do not verify with this merchant_key: check merchant_key and client_id in the
        /// profile". Never holds a secret.
        public let advice: String
        /// What the wallet's reply claimed, when it claimed something readable: shown to a
        /// person, never acted upon when it is unverified.
        public let claim: Claim?

        /// Creates a diagnosis.
        public init(_ kind: Kind, advice: String, claim: Claim? = nil) {
            self.kind = kind
            self.advice = advice
            self.claim = claim
        }

        /// Whether waiting for the wallet (polling, resending) cannot help until the caller
        /// changes something: true for ``Kind/configuration``.
        public var stopsWaiting: Bool { kind == .configuration }

        /// The advice, then the claim: `…: check merchant_key and client_id in the profile;
        /// claimed: F 2005 "Invalid checksum" (unverified)` (or `the wallet said: …` when the
        /// reply verified).
        public var description: String {
            guard let claim else { return advice }
            return advice + (claim.verified ? "; the wallet said: " : "; claimed: ") + claim.description
        }
    }

    /// An error of `category` diagnosed as ours: its message is `reason`, then the diagnosis
    /// (advice and claim), so every place that prints the message names the mistake.
    /// - Parameters:
    ///   - category: The error's category.
    ///   - reason: What went wrong, in plain words; the diagnosis is appended to it.
    ///   - diagnosis: The advice and the reply's claim.
    ///   - partnerCode: Only from a verified reply (an unverified claim lives in `diagnosis.claim`).
    ///   - partnerMessage: Only from a verified reply.
    ///   - mayHaveCharged: Whether the customer could have been charged; nil: what the category implies.
    public static func diagnosed(
        _ category: Category, _ reason: String, _ diagnosis: Diagnosis, partnerCode: String? = nil, partnerMessage: String? = nil,
        mayHaveCharged: Bool? = nil
    ) -> WalletError {
        WalletError(
            category, "\(reason): \(diagnosis)", partnerCode: partnerCode, partnerMessage: partnerMessage, mayHaveCharged: mayHaveCharged,
            diagnosis: diagnosis)
    }

    /// This error with `diagnosis` attached (the message unchanged).
    public func with(diagnosis: Diagnosis?) -> WalletError {
        var copy = WalletError(
            category, message, partnerCode: partnerCode, partnerMessage: partnerMessage, retryAfter: retryAfter, mayHaveCharged: mayHaveCharged,
            diagnosis: diagnosis)
        copy.authorization = authorization
        return copy
    }
}
