import Foundation

/// A hosted ``SandboxWalletEmulation`` inside the sandbox: the wallet-independent faults
/// applied around its handler, the same way the built-in wallets apply them (a fault queued
/// for the request, or drawn by the plan; see ``SandboxFaults/take(for:wallet:operation:)``).
struct SandboxEmulationHost: Sendable {
    let emulation: any SandboxWalletEmulation
    let ledger: SandboxLedger
    let faults: SandboxFaults
    let clock: @Sendable () -> Date

    var wallet: String { emulation.wallet }

    /// Where a request names its reference and amount, for the fault plan.
    var summaryFields: (references: [String], amounts: [String]) { (emulation.referenceFields, emulation.amountFields) }

    /// Whether the emulation serves `request` (never the sandbox's own `/sandbox/...` endpoints).
    func handles(_ request: SandboxRequest) -> Bool {
        !request.path.hasPrefix("/sandbox/") && emulation.handles(request)
    }

    /// The common operation name of `request`, if it is one of the five.
    func operationName(_ request: SandboxRequest) -> String? {
        guard let operation = emulation.operation(of: request), operation != .notifications else { return nil }
        return operation.rawValue
    }

    /// A 503 or a 429 instead of the handler (nothing processed); otherwise the handler, with
    /// the fault it may apply itself, then a 5xx, throttle, delay or slow body over its reply.
    func handle(_ request: SandboxRequest) async -> SandboxReply {
        let fault = faults.take(for: request.path, wallet: wallet, operation: operationName(request))
        if let early = fault?.unprocessedReply { return early }
        let context = SandboxEmulationContext(
            wallet: wallet, fault: fault.flatMap { $0.isWireIndependent ? nil : $0 },
            ledger: SandboxEmulationLedger(wallet: wallet, ledger: ledger, clock: clock), clock: clock)
        let reply = await emulation.handle(request, context: context)
        return fault?.finish(reply) ?? reply
    }
}
