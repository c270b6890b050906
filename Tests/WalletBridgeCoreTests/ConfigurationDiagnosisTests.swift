import Testing
import WalletBridgeCore

/// ``WalletError/Diagnosis``: an error that names our own configuration as the mistake, what
/// the unverified reply claimed, and the pure decisions that stop waiting on it
/// (``RetryPolicy`` and ``ReconciliationStateMachine``).
@Suite("Configuration diagnosis")
struct ConfigurationDiagnosisTests {
    typealias Machine = ReconciliationStateMachine

    static let claim = WalletError.Claim(status: "F", code: "2005", message: "Invalid checksum", verified: false)
    static let diagnosis = WalletError.Diagnosis(
        .configuration, advice: "the wallet's replies do not verify with this merchant_key: check merchant_key and client_id in the profile",
        claim: claim)
    static let misconfigured = WalletError.diagnosed(.invalidPartnerResponse, "the reply's checksum does not verify", diagnosis)
    static let tampered = WalletError(.invalidPartnerResponse, "the reply's checksum does not verify over its body as received")
    static let paytm = ReconciliationRule.queryUntilExpiry(validity: .seconds(900), initial: .seconds(1), cap: .seconds(30))
    static let alipay = ReconciliationRule.inquireThenCancel(interval: .seconds(3), window: .seconds(60))

    // MARK: The error

    @Test func claimReadsAsTheWalletWroteItMarkedUnverified() throws {
        let claim = try #require(Self.claim)
        #expect(claim.description == #"F 2005 "Invalid checksum" (unverified)"#)
        let verified = try #require(WalletError.Claim(status: nil, code: "4015400", message: "Unauthorized. Invalid Signature", verified: true))
        #expect(verified.description == #"4015400 "Unauthorized. Invalid Signature""#)
    }

    @Test func claimIsCleanedAndCutAndEmptyClaimsAreNone() throws {
        let noisy = try #require(
            WalletError.Claim(status: " F ", code: "2005", message: "bad\u{1B}[31m\nnews" + String(repeating: "x", count: 300), verified: false))
        #expect(noisy.status == "F")
        #expect(!(noisy.message ?? "").unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect((noisy.message ?? "").count <= 121)
        #expect(WalletError.Claim(status: "", code: nil, message: "  ", verified: false) == nil)
    }

    @Test func diagnosedErrorNamesTheMistakeAndTheClaimAndIsNotRetryable() {
        let error = Self.misconfigured
        #expect(error.diagnosis?.kind == .configuration)
        #expect(error.diagnosis?.stopsWaiting == true)
        #expect(error.message.contains("check merchant_key and client_id in the profile"))
        #expect(error.message.contains(#"claimed: F 2005 "Invalid checksum" (unverified)"#))
        // Unverified: never the wallet's code, and still a possible charge.
        #expect(error.partnerCode == nil)
        #expect(error.mayHaveCharged)
        #expect(!error.isRetryable)
        #expect(Self.tampered.isRetryable)
        #expect(Self.tampered.diagnosis == nil)
        #expect(WalletError.Diagnosis.Kind.configuration.description == "configuration")
    }

    @Test func withDiagnosisKeepsEverythingElse() {
        let error = WalletError(.authenticationFailed, "refused", partnerCode: "4015400", mayHaveCharged: false).with(diagnosis: Self.diagnosis)
        #expect(error.category == .authenticationFailed)
        #expect(error.partnerCode == "4015400")
        #expect(!error.mayHaveCharged)
        #expect(error.diagnosis == Self.diagnosis)
        #expect(error.message == "refused")
    }

    // MARK: Retry policy

    @Test func retryPolicyStopsOnAConfigurationErrorForEveryOperation() {
        let policy = RetryPolicy()
        for operation in WalletCapabilities.Operation.allCases {
            #expect(policy.decide(operation, outcome: .threw(Self.misconfigured), attempt: 1, elapsed: .zero, jitter: 0.5) == .stop)
            #expect(policy.decide(operation, outcome: .inDoubt(Self.misconfigured), attempt: 1, elapsed: .zero, jitter: 0.5) == .stop)
        }
        // The same failure without the diagnosis (a tampered reply) is still worth an inquiry or a resend.
        #expect(policy.decide(.pay, outcome: .inDoubt(Self.tampered), attempt: 1, elapsed: .zero, jitter: 0.5) == .inquire(after: .milliseconds(125)))
        #expect(
            policy.decide(.inquire, outcome: .threw(Self.tampered), attempt: 1, elapsed: .zero, jitter: 0.5) == .resend(after: .milliseconds(125)))
        #expect(
            policy.decide(.refund, outcome: .inDoubt(Self.tampered), attempt: 1, elapsed: .zero, jitter: 0.5) == .resend(after: .milliseconds(125)))
    }

    // MARK: State machine

    func expectStopped(_ action: Machine.Action, _ machine: Machine, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .giveUp(let error) = action else {
            Issue.record("expected giveUp, got \(action)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.category == .unknownOutcome, sourceLocation: sourceLocation)
        #expect(error.mayHaveCharged, sourceLocation: sourceLocation)
        #expect(error.diagnosis == Self.diagnosis, sourceLocation: sourceLocation)
        #expect(error.message.contains("check merchant_key and client_id in the profile"), sourceLocation: sourceLocation)
        #expect(error.message.contains("(unverified)"), sourceLocation: sourceLocation)
        #expect(error.message.contains("inquire it by its merchant reference or recover pending payments"), sourceLocation: sourceLocation)
        #expect(machine.state == .stopped, sourceLocation: sourceLocation)
        #expect(machine.inquiries == 0 && machine.resends == 0, sourceLocation: sourceLocation)
    }

    @Test func aPayThatIsUnknownForAConfigurationErrorIsNotPolled() {
        var machine = Machine(rule: Self.paytm, canResend: true)
        let action = machine.next(.status(.unknown(Self.misconfigured), elapsed: .zero))
        expectStopped(action, machine)
        // Stopped stays stopped.
        if case .giveUp = machine.next(.status(.succeeded, elapsed: .seconds(1))) {} else { Issue.record("a stopped machine must stay stopped") }
    }

    @Test func anInquiryThatFailsForAConfigurationErrorStopsPolling() {
        var machine = Machine(rule: Self.paytm, canResend: true)
        #expect(machine.next(.status(.unknown(Self.tampered), elapsed: .zero)) == .inquire(after: .seconds(1)))
        let action = machine.next(.callFailed(Self.misconfigured, elapsed: .seconds(1)))
        guard case .giveUp(let error) = action else { Issue.record("expected giveUp, got \(action)"); return }
        #expect(error.diagnosis == Self.diagnosis)
        #expect(machine.state == .stopped)
    }

    @Test func aCancelThatFailsForAConfigurationErrorStopsCancelling() {
        var machine = Machine(rule: Self.alipay, canResend: true)
        // The window has passed: the rule cancels.
        #expect(machine.next(.status(.pending(nil), elapsed: .seconds(61))) == .inquire(after: .zero))
        #expect(machine.next(.status(.pending(nil), elapsed: .seconds(62))) == .cancel(after: .zero))
        let refused = WalletError(.authenticationFailed, "refused", mayHaveCharged: false, diagnosis: Self.diagnosis)
        let action = machine.next(.cancelAnswered(.failed(refused), elapsed: .seconds(62)))
        guard case .giveUp(let error) = action else { Issue.record("expected giveUp, got \(action)"); return }
        #expect(error.diagnosis == Self.diagnosis)
        #expect(machine.state == .stopped)
    }

    @Test func aVerifiedFinalStatusIsNeverOverriddenByItsDiagnosis() {
        // A verified refusal (the wallet proves it did not act) settles as failed, diagnosis kept.
        var machine = Machine(rule: Self.paytm, canResend: true)
        let refused = WalletError(.authenticationFailed, "refused", mayHaveCharged: false, diagnosis: Self.diagnosis)
        #expect(machine.next(.status(.failed(refused), elapsed: .zero)) == .settle(.failed(refused)))
    }

    @Test func withoutADiagnosisTheSameFailureIsPolledAsBefore() {
        var machine = Machine(rule: Self.paytm, canResend: true)
        #expect(machine.next(.status(.unknown(Self.tampered), elapsed: .zero)) == .inquire(after: .seconds(1)))
        #expect(machine.next(.callFailed(Self.tampered, elapsed: .seconds(1))) == .inquire(after: .seconds(2)))
    }
}
