import WalletBridgeCore

/// Where a contract run finds the wallet.
///
/// | target | wallet-side faults | ledger checks | notifications | network |
/// |---|---|---|---|---|
/// | ``embeddedSandbox`` | yes | yes | yes | loopback |
/// | ``sandbox(endpoint:)`` | yes (admin API) | yes (admin API) | yes | loopback |
/// | ``live(profile:)`` | skipped, with the reason | not made | skipped | the wallet's |
/// | ``scripted(recordings:)`` | as recorded | not made | as recorded | none |
///
/// Client-side faults (`FaultInjectingTransport`) run in every mode.
public enum ContractTarget: Sendable {
    /// A fresh sandbox in this process for each scenario (the default).
    case embeddedSandbox
    /// A standalone sandbox (`walletbridge sandbox`) at this base URL, shared by the scenarios:
    /// faults are queued and the ledger read through its admin endpoints, and its clock and
    /// time scale are read from `GET /sandbox/clock`.
    case sandbox(endpoint: String)
    /// The wallet's own sandbox, reached with `profile`: scenarios that need a wallet-side fault
    /// (a queued fault, a magic amount) or a notification delivered to the harness are skipped
    /// with the reason, and ledger expectations are not checked (the harness cannot see the
    /// wallet's ledger); client-side faults still run.
    case live(profile: PartnerProfile)
    /// Canned replies: each scenario is replayed from the recording an earlier run wrote
    /// (``ContractHarness/recordTo``) into `recordings/WALLET/ID.json`, with no network. The
    /// replies, wallet faults and notifications are the recording's; ledger expectations are
    /// not checked, and a request the recording does not have fails the scenario.
    case scripted(recordings: String)

    /// The mode's name, as reports and `--json` show it.
    public var name: String {
        switch self {
        case .embeddedSandbox: return "sandbox"
        case .sandbox: return "endpoint"
        case .live: return "live"
        case .scripted: return "scripted"
        }
    }
}
