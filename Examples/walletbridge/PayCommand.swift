import ArgumentParser
import Foundation
import WalletBridgeCore

/// `walletbridge pay`: takes a payment through the journal and, unless `--no-wait`, settles it
/// by the wallet's rule until it is final or `--timeout` passes.
struct PayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "Take a signed payment (against the embedded sandbox unless --config is given).",
        discussion: """
            Every payment is recorded in the journal before it is sent; a payment interrupted by \
            Ctrl-C or a kill is settled by `walletbridge recover` or by the next command. \
            With --binding HANDLE it pays in one step with a stored customer authorization (see bind); a revoked or \
            expired one is refused (error.authorization) without sending. \
            Exit status: 0 succeeded or pending, 1 failed, 3 unknown (reconcile with inquire or recover), 2 usage or set-up error.
            """
    )

    @OptionGroup var options: WalletOptions

    @Option(parsing: .unconditional, help: "Amount in major units, e.g. 10.00 (positive).")
    var amount: String

    @Option(help: "ISO 4217 currency of the amount, e.g. PHP, USD, JPY (gcash), INR (paytm) or IDR (dana).")
    var currency: String

    @Option(help: "Customer credential or id (sandbox customer id, default WALLET-pays; see `walletbridge sandbox --list-customers`).")
    var customer: String?

    @Option(help: "Pay with a stored customer authorization (the handle bind printed) instead of --customer; its token is refreshed when due.")
    var binding: String?

    @Option(help: "Merchant reference (idempotency key); generated when omitted. With --count, the prefix of each reference.")
    var merchantReference: String?

    @Option(help: "Order description shown to the customer.")
    var description: String = "WalletBridge example order"

    @Option(help: "Notify URL for the wallet's notifications.")
    var notifyURL: String?

    @Flag(help: "Return the first answer instead of waiting for a final status.")
    var noWait = false

    @Option(help: "Seconds to wait for a final status.")
    var timeout: Int = 30

    @Option(help: "Make this many payments (references PREFIX-1 … PREFIX-N), one line each.")
    var count: Int = 1

    @Option(help: "With --count: payments in flight at once.")
    var concurrency: Int = 1

    func run() async throws {
        let money = try WalletOptions.money(amount, currency)
        guard count >= 1, concurrency >= 1 else {
            printError("error: --count and --concurrency must be at least 1")
            throw ExitCode(2)
        }
        if binding != nil, customer != nil {
            printError("error: --binding pays with a stored authorization; leave out --customer")
            throw ExitCode(2)
        }
        let reference = merchantReference ?? PayCommand.newReference()
        let session = try await WalletSession.open(options, settleWithin: noWait ? .zero : .seconds(timeout))
        let customer = CustomerCredential(customer ?? options.defaultCustomer)
        if count == 1 {
            let output = await pay(reference, money, customer, session.client, session.correlationID)
            await session.close()
            try ResultOutput.finish(output, json: options.json)
            return
        }
        // Many payments: one line each, exit status of the worst.
        let references = (1...count).map { "\(reference)-\($0)" }
        var worst = ExitCode.success
        await withTaskGroup(of: JSONOutput.self) { group in
            var next = 0
            for _ in 0..<min(concurrency, references.count) {
                let ref = references[next]; next += 1
                group.addTask { await pay(ref, money, customer, session.client, session.correlationID) }
            }
            while let output = await group.next() {
                ResultOutput.emit(output, json: true)
                // The worst outcome decides: unknown (3) over failed (1) over success.
                if ResultOutput.exitCode(output).rawValue > worst.rawValue { worst = ResultOutput.exitCode(output) }
                if next < references.count {
                    let ref = references[next]; next += 1
                    group.addTask { await pay(ref, money, customer, session.client, session.correlationID) }
                }
            }
        }
        await session.close()
        if worst != .success { throw worst }
    }

    func pay(_ reference: String, _ money: Money, _ customer: CustomerCredential, _ client: WalletClient, _ correlationID: String) async -> JSONOutput
    {
        do throws(WalletError) {
            let request =
                binding.map {
                    PaymentRequest(
                        merchantReference: reference, amount: money, authorization: $0, orderDescription: description, notifyURL: notifyURL)
                }
                ?? PaymentRequest(
                    merchantReference: reference, amount: money, customer: customer, orderDescription: description, notifyURL: notifyURL)
            let started = ContinuousClock.now
            var result = try await client.pay(request, correlationID: correlationID)
            let left = Duration.seconds(timeout) - (ContinuousClock.now - started)
            // A configuration error is not a payment to wait for: the client already stopped.
            let stopped = (result.status.error ?? result.lastError)?.diagnosis?.stopsWaiting == true
            if !noWait, !stopped, !result.status.isFinal, left > .zero {
                // Pending with a customer action (or still open): settle by the wallet's rule,
                // within what is left of --timeout.
                result = try await client.settle(merchantReference: reference, within: left, correlationID: correlationID)
            }
            return ResultOutput.payment(result, settleWith: options.settleCommand(reference))
        } catch {
            return await ResultOutput.payment(
                after: error, client: client, merchantReference: reference, amount: money, settleWith: options.settleCommand(reference))
        }
    }

    static func newReference() -> String {
        let stamp = Int(Date().timeIntervalSince1970)
        return "WB-\(stamp)-\(UUID().uuidString.prefix(6))"
    }
}
