import WalletBridgeCore

/// A partner's emulation of their own wallet, hosted by ``WalletSandbox`` beside the wallets it
/// ships (`WalletSandbox.Configuration.emulations`), so that the wallet-side fault scenarios run
/// for a wallet WalletBridge does not ship.
///
/// The emulation speaks its wallet's wire: it verifies the request, keeps its payments in the
/// sandbox's ledger (``SandboxEmulationContext/ledger``), and signs its reply. The sandbox does
/// the rest around it:
/// - it routes a request to the first emulation that ``handles(_:)`` it, after the built-in
///   wallets;
/// - it draws the fault plan's faults and the magic amounts for the request (by
///   ``operation(of:)``, and the merchant reference and amount it finds under
///   ``referenceFields`` and ``amountFields``), and takes the faults queued for the wallet,
///   its operation or the path;
/// - it applies the faults that need no knowledge of the wire
///   (``SandboxFault/isWireIndependent``): a 503 or a 429 *instead of* calling ``handle(_:context:)``
///   (nothing is processed, the ledger does not change), and a 5xx, a throttle, a delay or a
///   slow body *after* it returned (the ledger has committed);
/// - it offers the emulation the faults that do (a tampered or missing signature, a reply about
///   another reference or amount, the wallet's own in-process or unknown result) through
///   ``SandboxEmulationContext/fault``. Honouring them is up to the emulation; one it ignores is
///   processed normally.
///
/// Its payments show in `WalletSandbox.ledgerSnapshot(wallet:)`, `payments(wallet:)`,
/// `GET /sandbox/ledger` and `GET /sandbox/payments`, and ``clientProfile(baseURL:)`` makes
/// `WalletSandbox.clientProfile(wallet:)` and `writeClientConfig(to:)` work for it.
///
/// Called concurrently, for concurrent requests: keep it a value without shared mutable state
/// (the ledger is the state).
public protocol SandboxWalletEmulation: Sendable {
    /// The wallet's name, unique in the sandbox (not `gcash`, `tng`, `paytm` or `dana`): the
    /// ledger's, the fault plan's and the client profile's name for it.
    var wallet: String { get }

    /// Whether `request` is this wallet's: by its path, and/or a header such as `Client-Id`.
    /// Asked only for requests no built-in wallet serves, in the order of the emulations.
    func handles(_ request: SandboxRequest) -> Bool

    /// The common operation of `request` (`.pay`, `.inquire`, `.cancel`, `.refund`,
    /// `.inquireRefund`), for the fault plan, the magic amounts (pay only) and the faults
    /// queued by operation; nil for a request that is none of them (a token request, say),
    /// which no fault hits.
    func operation(of request: SandboxRequest) -> WalletCapabilities.Operation?

    /// The body fields that name a request's merchant reference, most specific first (a
    /// refund's own reference before its payment's): the first one found, at any depth of a
    /// JSON body, keys the fault plan's draws.
    var referenceFields: [String] { get }

    /// The body fields that state a request's amount, most specific first: an object's
    /// `value`, or the field itself when it is a string, as a decimal (`"10.51"`) or in minor
    /// units (`"1051"`). A pay whose amount ends in 51–56 minor units meets a magic fault.
    var amountFields: [String] { get }

    /// The client profile that talks to this emulation in a sandbox at `baseURL`, with the
    /// emulation's test-only keys.
    func clientProfile(baseURL: String) throws -> PartnerProfile

    /// Answers one request: verify it, act on the ledger, sign the reply. Never called for a
    /// request the sandbox answered itself (a 503 or a 429 before processing).
    func handle(_ request: SandboxRequest, context: SandboxEmulationContext) async -> SandboxReply
}
