import Foundation

/// What the sandbox hands a hosted ``SandboxWalletEmulation`` with each request: the ledger,
/// the sandbox's clock, and the fault the emulation may apply itself.
public struct SandboxEmulationContext: Sendable {
    /// The emulation's wallet name.
    public let wallet: String
    /// The fault queued or drawn for this request that only the wallet's wire can carry, if
    /// any: `.tamperResponseSignature`, `.omitResponseSignature`, `.resultUnknown` (magic
    /// amount 56), `.walletInProcess` (magic amount 54), `.foreignReference`, `.foreignAmount`,
    /// `.duplicateKey`, `.replayOtherPayment`, `.expireToken` (see ``SandboxFault``).
    ///
    /// A hook, not an order: an emulation honours the ones its wire has a meaning for (say, by
    /// breaking its reply's signature, or answering its own in-process result) and ignores the
    /// rest, which are then processed normally. Faults the sandbox applies around the handler
    /// (``SandboxFault/isWireIndependent``) never appear here.
    public let fault: SandboxFault?
    /// The emulation's payments in the sandbox's ledger: the ground truth the sandbox reports.
    public let ledger: SandboxEmulationLedger
    private let clock: @Sendable () -> Date

    init(wallet: String, fault: SandboxFault?, ledger: SandboxEmulationLedger, clock: @escaping @Sendable () -> Date) {
        self.wallet = wallet
        self.fault = fault
        self.ledger = ledger
        self.clock = clock
    }

    /// The sandbox's time, for signed timestamps: compressed by its time scale, and moved by
    /// the timestamp skew the fault plan drew for this request.
    public func now() -> Date { clock() }
}
