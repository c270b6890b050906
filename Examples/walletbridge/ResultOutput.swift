import Foundation
import ArgumentParser
import WalletBridgeCore

/// How the CLI reports an operation: one JSON object with `--json`, else a few readable lines.
/// Exit codes: 0 succeeded, cancelled or pending; 1 failed; 3 unknown (reconcile); 2 usage,
/// including a reference reused with other content (refused; the original stands).
enum ResultOutput {
    /// - Parameter settleWith: The command that settles the payment once the profile is fixed,
    ///   printed when the client stopped waiting on a configuration diagnosis.
    static func payment(_ result: PaymentResult, settleWith: String? = nil) -> JSONOutput {
        var fields: [(String, JSONOutput?)] = [
            ("status", .string(result.status.name)),
            ("merchantReference", .string(result.merchantReference)),
            ("walletReference", .text(result.walletReference)),
        ]
        fields += money("amount", "currency", result.amount)
        fields += money("customerAmount", "customerCurrency", result.customerAmount)
        if let quote = result.quote {
            fields.append(
                ("quote", .object([("id", .text(quote.id)), ("currencyPair", .string(quote.currencyPair)), ("rate", .string(quote.rate))])))
        }
        if case .pending(let action?) = result.status {
            fields.append(("nextAction", .object([("kind", .string(action.kind)), ("value", .string(action.value))])))
        }
        if let error = result.status.error { fields.append(("error", errorObject(error))) }
        if let last = result.lastError, result.status.error == nil { fields.append(("lastError", errorObject(last))) }
        if let partner = result.partnerResult { fields.append(("partnerResult", partnerObject(partner))) }
        // One format whatever the wallet (RFC 3339, UTC), and the wallet's own text beside it.
        fields.append(("completedAt", .text(result.completedAtInstant.map(rfc3339))))
        fields.append(("completedAtWallet", .text(result.completedAt)))
        if !result.status.isFinal, let diagnosis = (result.status.error ?? result.lastError)?.diagnosis, diagnosis.stopsWaiting {
            // Not a payment to wait for: the profile must change first, then this settles it.
            fields.append(
                (
                    "settleWith",
                    .string(settleWith ?? "walletbridge inquire --merchant-reference \(result.merchantReference) (or walletbridge recover)")
                ))
        }
        return .object(fields)
    }

    /// `2026-11-29T03:21:23Z`.
    static func rfc3339(_ instant: Date) -> String {
        String(TimestampText.iso8601(instant, offsetHours: 0).dropLast(6)) + "Z"
    }

    /// `amount` as an exact decimal string, its integer minor units, and its currency.
    static func money(_ name: String, _ currencyName: String, _ amount: Money?) -> [(String, JSONOutput?)] {
        guard let amount else { return [] }
        return [(name, .string(amount.decimalString)), (name + "Minor", .integer(amount.minorUnits)), (currencyName, .string(amount.currency.code))]
    }

    static func refund(_ result: RefundResult) -> JSONOutput {
        var fields: [(String, JSONOutput?)] = [
            ("status", .string(result.status.name)),
            ("merchantReference", .text(result.merchantReference)),
            ("refundReference", .string(result.refundReference)),
            ("walletReference", .text(result.walletRefundReference)),
        ]
        fields += money("amount", "currency", result.amount)
        if let error = result.status.error { fields.append(("error", errorObject(error))) }
        if let partner = result.partnerResult { fields.append(("partnerResult", partnerObject(partner))) }
        return .object(fields)
    }

    /// What the journal knows of the payment after `error`, or the error itself when the
    /// journal never recorded the payment: the printed status and exit code come from the
    /// journal's state, never from the error of one call.
    static func payment(
        after error: WalletError, client: WalletClient, merchantReference: String, amount: Money?, settleWith: String? = nil
    ) async -> JSONOutput {
        let id = JournalEntry.paymentID(wallet: client.adapter.walletName, merchantReference: merchantReference)
        let entry = try? await client.journal.entry(id)
        // A reused reference with other content is about this request, not the original payment.
        if error.category == .inconsistentRequest {
            return refused(
                error, original: entry.map { payment($0.paymentResult) }, what: "payment", merchantReference: merchantReference, amount: amount)
        }
        guard let entry, entry.mayHaveReachedWallet else {
            return ResultOutput.error(error, merchantReference: merchantReference, amount: amount)
        }
        var result = entry.paymentResult
        result.lastError = error
        return payment(result, settleWith: settleWith)
    }

    /// A request refused before sending because its reference belongs to another request (a
    /// mistake, not an unknown outcome): the original's state as the journal holds it, with
    /// the refusal as `error` (nothing charged). Exit status 2.
    static func refused(_ error: WalletError, original: JSONOutput?, what: String, merchantReference: String, amount: Money?) -> JSONOutput {
        // The journal refuses before sending (no partner code); the wallet refuses after
        // receiving it (its own code): either way nothing new happened.
        let sent = error.partnerCode == nil ? "nothing was sent, and " : "the wallet refused it, and "
        let refusal = WalletError(.inconsistentRequest, error.message + "; " + sent + "the original \(what) stands", mayHaveCharged: false)
        guard let original else { return ResultOutput.error(refusal, merchantReference: merchantReference, amount: amount) }
        return .object(original.fields.filter { $0.0 != "error" && $0.0 != "lastError" }.map { ($0.0, $0.1) } + [("error", errorObject(refusal))])
    }

    /// A refund the same way.
    static func refund(
        after error: WalletError, client: WalletClient, refundReference: String, merchantReference: String, amount: Money?
    ) async -> JSONOutput {
        let id = JournalEntry.refundID(wallet: client.adapter.walletName, refundReference: refundReference)
        if error.category == .inconsistentRequest {
            let original = (try? await client.journal.entry(id)).map { refund($0.refundResult) }
            return refused(error, original: original, what: "refund", merchantReference: merchantReference, amount: amount)
        }
        guard let entry = try? await client.journal.entry(id), entry.mayHaveReachedWallet else {
            return ResultOutput.error(error, merchantReference: merchantReference, amount: amount)
        }
        return refund(entry.refundResult)
    }

    /// A thrown error: nothing was processed (`failed`) unless the customer may have been
    /// charged (`unknown`).
    static func error(_ error: WalletError, merchantReference: String, amount: Money?) -> JSONOutput {
        var fields: [(String, JSONOutput?)] = [
            ("status", .string(error.mayHaveCharged ? "unknown" : "failed")),
            ("merchantReference", .string(merchantReference)),
        ]
        fields += money("amount", "currency", amount)
        fields.append(("error", errorObject(error)))
        return .object(fields)
    }

    static func errorObject(_ error: WalletError) -> JSONOutput {
        var fields: [(String, JSONOutput?)] = [
            ("category", .string(error.category.rawValue)),
            ("partnerCode", .text(error.partnerCode)),
            ("message", .string(error.partnerMessage.map { "\(error.message) (\($0))" } ?? error.message)),
            ("mayHaveCharged", .bool(error.mayHaveCharged)),
            ("retryable", .bool(error.isRetryable)),
            // Why a customer authorization does not work: bind the customer again.
            ("authorization", .text(error.authorization?.description)),
        ]
        if let diagnosis = error.diagnosis {
            // What to fix, and what the reply claimed (marked unverified when it did not verify:
            // never the payment's result).
            fields.append(
                (
                    "diagnosis",
                    .object([
                        ("kind", .string(diagnosis.kind.description)),
                        ("advice", .string(diagnosis.advice)),
                        ("claimed", .text(diagnosis.claim?.description)),
                        ("claimVerified", diagnosis.claim.map { .bool($0.verified) }),
                    ])
                ))
        }
        return .object(fields)
    }

    static func partnerObject(_ partner: PartnerResult) -> JSONOutput {
        .object([("code", .string(partner.code)), ("status", .text(partner.status)), ("message", .text(partner.message))])
    }

    /// Prints `output` as JSON or as `key: value` lines.
    static func emit(_ output: JSONOutput, json: Bool) {
        if json {
            print(output.rendered())
        } else {
            lines(output).forEach { print($0) }
        }
    }

    static func lines(_ output: JSONOutput, prefix: String = "") -> [String] {
        return output.fields.flatMap { key, value -> [String] in
            switch value {
            case .members: return ["\(prefix)\(key):"] + lines(value, prefix: prefix + "  ")
            default: return ["\(prefix)\(key): \(value.plain)"]
            }
        }
    }

    /// Prints `output` and ends the command with the exit code of its status.
    static func finish(_ output: JSONOutput, json: Bool) throws {
        emit(output, json: json)
        let code = exitCode(output)
        if code != .success { throw code }
    }

    /// The exit code of an output: 2 for a request refused as inconsistent (a mistake; the
    /// original stands), else that of its status.
    static func exitCode(_ output: JSONOutput) -> ExitCode {
        let error = output.fields.first { $0.0 == "error" }?.1
        if case .string("inconsistentRequest")? = error?.fields.first(where: { $0.0 == "category" })?.1 { return ExitCode(2) }
        if case .string(let status)? = output.fields.first?.1 { return exitCode(status) }
        return .success
    }

    static func exitCode(_ status: String) -> ExitCode {
        switch status {
        case "failed": return ExitCode(1)
        case "unknown": return ExitCode(3)
        default: return .success
        }
    }
}
