import Foundation

/// One contract scenario, read from a JSON file in `Specs/contract/scenarios/`: what it proves,
/// what it needs, how the world is set up, the steps, and what each step and the ledger must
/// show. Adding a scenario means adding a file.
public struct ContractScenario: Codable, Sendable, Equatable {
    /// Stable id, such as `pay.success` (also the JUnit test case name and `--case ID`).
    public var id: String
    /// One line: the promise it checks.
    public var purpose: String
    /// Capabilities it needs (`pay`, `inquire`, `cancel`, `refund`, `inquireRefund`,
    /// `notifications`, `walletFaults`); a wallet that does not declare one skips it.
    public var needs: [String]
    /// The world before the first step.
    public var setup: Setup
    /// What the client does, in order, and what each answer must show.
    public var steps: [Step]
    /// What the wallet's ledger must show for the scenario's reference afterwards.
    public var ledger: [String: ContractAssertion]?

    /// The world before the first step.
    public struct Setup: Codable, Sendable, Equatable {
        /// The test customer's role: `pays`, `low-balance`, `declines`, `slow`.
        public var customer: String?
        /// The amount in the wallet's currency, as a decimal of its minor-unit digits
        /// (`"10.00"`); absent: the wallet's default amount.
        public var amount: String?
        /// Two digits that replace the last two of the amount's minor units (`"51"`: a magic
        /// amount of the sandbox; `"15"`: an amount floating point cannot hold).
        public var endsIn: String?
        /// A sandbox fault (its admin name) injected once on the path of `walletFaultOn`.
        public var walletFault: String?
        /// The operation whose path the wallet fault hits (`pay`, `inquire`, `cancel`, `refund`).
        public var walletFaultOn: String?
        /// A client-side fault (`FaultInjectingTransport.Fault` name) applied to the first
        /// request of `clientFaultOn`.
        public var clientFault: String?
        /// The operation the client fault hits.
        public var clientFaultOn: String?
        /// The client's whole-request timeout, in milliseconds (to make a delay a timeout).
        public var requestTimeoutMs: Int?
        /// Pay in the currency the declaration gives for this class (`zeroDecimal`,
        /// `threeDecimal`) instead of the wallet's own; a wallet that declares none skips the
        /// scenario.
        public var currency: String?
    }

    /// One thing the client does.
    public struct Step: Codable, Sendable, Equatable {
        /// `pay`, `pay-again`, `pay-other-amount`, `inquire`, `settle`, `cancel`, `refund`,
        /// `refund-other-amount`, `inquire-refund`, `notify`, `notify-again`, `notify-tampered`,
        /// `notify-stale` (the notification signed again an hour earlier: a replay),
        /// `notify-reserialised` (its JSON re-serialised, or its form fields reordered).
        public var `do`: String
        /// For refunds: `half`, `full`, `over` (more than what is left), `tenth`.
        public var amount: String?
        /// For refunds: the refund reference's suffix (`R1`...).
        public var refund: String?
        /// A sandbox fault (its admin name) queued just before this step, for the operation
        /// `injectOn` (default: the step's own).
        public var inject: String?
        /// The operation ``inject`` hits.
        public var injectOn: String?
        /// How many requests ``inject`` hits (default 1; more outlasts the client's retries).
        public var injectCount: Int?
        /// What the answer must show, by field: `status`, `errorCategory`, `mayHaveCharged`,
        /// `threw`, `amount`, `merchantReference`, `walletReference`, `notification`.
        public var expect: [String: ContractAssertion]?
    }

    /// Reads every `*.json` scenario in `directory`, sorted by id.
    /// - Throws: ``ContractError`` naming the file that does not parse.
    public static func load(from directory: String) throws -> [ContractScenario] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        var scenarios: [ContractScenario] = []
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw ContractError("cannot read \(path)") }
            do {
                scenarios.append(try JSONDecoder().decode(ContractScenario.self, from: data))
            } catch {
                throw ContractError("\(path) is not a contract scenario: \(error)")
            }
        }
        let ids = scenarios.map(\.id)
        if Set(ids).count != ids.count { throw ContractError("scenario ids repeat in \(directory)") }
        return scenarios.sorted { $0.id < $1.id }
    }
}

/// What a wallet declares, read from `Specs/contract/wallets/WALLET.json`: its capabilities,
/// and the scenarios where it legitimately differs.
public struct ContractDeclaration: Codable, Sendable, Equatable {
    /// The wallet's name.
    public var wallet: String
    /// The capabilities it declares (as in ``ContractScenario/needs``).
    public var declares: [String]
    /// The default amount in the wallet's currency (`"10.00"`; `"10000.00"` for IDR).
    public var amount: String?
    /// Test customer ids by role (`pays`, `low-balance`...); absent: `WALLET-ROLE`.
    public var customers: [String: String]?
    /// Currencies other than the wallet's own that it takes, by class (`zeroDecimal`,
    /// `threeDecimal`), each with the amount to pay; the declaration check holds them against
    /// the adapter's `capabilities.currencies`, in both directions.
    public var currencies: [String: DeclaredCurrency]?
    /// Per scenario id: skip it (with the reason), or replace step expectations.
    public var overrides: [String: Override]?

    /// A currency the wallet takes, and the amount scenarios pay in it.
    public struct DeclaredCurrency: Codable, Sendable, Equatable {
        /// ISO 4217 code (`JPY`).
        public var code: String
        /// The amount, with the currency's minor-unit digits (`"1000"`, `"1.235"`).
        public var amount: String
    }

    /// The minor-unit digits of each currency class.
    public static let currencyClasses: [String: Int] = ["zeroDecimal": 0, "threeDecimal": 3]

    /// How one scenario differs for this wallet.
    public struct Override: Codable, Sendable, Equatable {
        /// Skip the scenario, for this reason.
        public var skip: String?
        /// Step index (0-based, as text) to the expectations that replace the scenario's.
        public var expect: [String: [String: ContractAssertion]]?
        /// Why it differs (shown in reports).
        public var why: String?
    }

    /// Reads `directory/WALLET.json`.
    public static func load(wallet: String, from directory: String) throws -> ContractDeclaration {
        let path = directory + "/" + wallet + ".json"
        guard let data = FileManager.default.contents(atPath: path) else { throw ContractError("no declaration \(path) for wallet \(wallet)") }
        do {
            return try JSONDecoder().decode(ContractDeclaration.self, from: data)
        } catch {
            throw ContractError("\(path) is not a wallet declaration: \(error)")
        }
    }
}

/// A harness set-up error (a scenario file that does not parse, a wallet without declaration).
public struct ContractError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
