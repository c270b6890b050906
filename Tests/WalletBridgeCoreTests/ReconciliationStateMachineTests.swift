import Testing
import WalletBridgeCore

/// ``ReconciliationStateMachine`` driven by events for each wallet's ``ReconciliationRule``:
/// no I/O, no clock, the elapsed time travels in the events.
@Suite("Reconciliation state machine")
struct ReconciliationStateMachineTests {
    typealias Machine = ReconciliationStateMachine

    static let alipay = ReconciliationRule.inquireThenCancel(interval: .seconds(3), window: .seconds(60))
    static let paytm = ReconciliationRule.queryUntilExpiry(validity: .seconds(900), initial: .seconds(1), cap: .seconds(30))
    static let snap = ReconciliationRule.queryResendThenCancel(validity: .seconds(600), initial: .seconds(1), cap: .seconds(30))

    static let timeout = WalletError(.timeout, "no answer in time")
    static let notFound = WalletError(.notFound, "x")
    static let declined = WalletError(.declined, "declined", mayHaveCharged: false)
    static let unbound = WalletError(.invalidPartnerResponse, "unbound")

    func expectGiveUp(_ action: Machine.Action, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .giveUp(let error) = action else {
            Issue.record("expected giveUp, got \(action)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.category == .unknownOutcome, sourceLocation: sourceLocation)
        #expect(error.mayHaveCharged, sourceLocation: sourceLocation)
    }

    // MARK: rules

    @Test func rulesDeclareTheirWindowsAndWhetherTheyCancel() {
        #expect(Self.alipay.window == .seconds(60))
        #expect(Self.paytm.window == .seconds(900))
        #expect(Self.snap.window == .seconds(600))
        #expect(Self.alipay.cancelsAtWindow)
        #expect(!Self.paytm.cancelsAtWindow)
        #expect(Self.snap.cancelsAtWindow)
    }

    // MARK: Alipay+: inquire every interval, cancel at the end of the window

    /// Drives an Alipay+ machine from an unknown pay through the window to the cancel.
    func alipayUntilCancel(_ m: inout Machine) -> (inquiries: Int, elapsed: Duration) {
        var elapsed = Duration.zero
        var action = m.next(.status(.unknown(Self.timeout), elapsed: elapsed))
        #expect(action == .inquire(after: .seconds(3)))
        var count = 0
        while case .inquire(let wait) = action {
            #expect(wait == .seconds(3))
            count += 1
            elapsed += wait
            #expect(count <= 100, "the machine kept inquiring")
            if count > 100 { break }
            let status: PaymentStatus = count.isMultiple(of: 2) ? .pending(nil) : .unknown(Self.timeout)
            action = m.next(.status(status, elapsed: elapsed))
        }
        #expect(action == .cancel(after: .zero))
        #expect(m.state == .cancelling(attempts: 1))
        return (count, elapsed)
    }

    @Test func alipayInquiresEveryIntervalThenCancelsAtTheWindow() {
        var m = Machine(rule: Self.alipay, canResend: true)
        let (count, elapsed) = alipayUntilCancel(&m)
        // 60 s / 3 s: about twenty inquiries.
        #expect(count == 20)
        #expect(m.inquiries == 20)
        #expect(elapsed == .seconds(60))
    }

    @Test func alipaySucceededCancelSettlesAsCancelledByPolicy() {
        var m = Machine(rule: Self.alipay, canResend: true)
        _ = alipayUntilCancel(&m)
        let action = m.next(.cancelAnswered(.cancelled, elapsed: .seconds(60)))
        // Documented: a succeeded cancel settles the payment as `cancelled` (cancelledByPolicy):
        // final, nothing charged, the state the wallet proved (so journal and caller agree).
        #expect(action == .settle(Machine.cancelledByPolicy))
        #expect(m.state == .settled(Machine.cancelledByPolicy))
        #expect(Machine.cancelledByPolicy == .cancelled)
    }

    @Test func alipayRefusedCancelInquiresAndASucceededInquirySettlesSucceeded() {
        var m = Machine(rule: Self.alipay, canResend: true)
        _ = alipayUntilCancel(&m)
        let refused = WalletError(.invalidRequest, "ORDER_STATUS_INVALID: the payment already succeeded", mayHaveCharged: false)
        #expect(m.next(.cancelAnswered(.failed(refused), elapsed: .seconds(61))) == .inquire(after: .zero))
        #expect(m.next(.status(.succeeded, elapsed: .seconds(61))) == .settle(.succeeded))
        #expect(m.state == .settled(.succeeded))
    }

    @Test func alipayCancelAnsweredSucceededSettlesSucceeded() {
        var m = Machine(rule: Self.alipay, canResend: true)
        _ = alipayUntilCancel(&m)
        #expect(m.next(.cancelAnswered(.succeeded, elapsed: .seconds(61))) == .settle(.succeeded))
    }

    @Test func alipayRefusedCancelThenPendingCancelsAgain() {
        var m = Machine(rule: Self.alipay, canResend: true)
        _ = alipayUntilCancel(&m)
        #expect(m.next(.cancelAnswered(.unknown(Self.unbound), elapsed: .seconds(61))) == .inquire(after: .zero))
        #expect(m.next(.status(.pending(nil), elapsed: .seconds(61))) == .cancel(after: .seconds(3)))
    }

    @Test func alipayCancelRefusedForAnUnknownPaymentSettlesFailedWithoutCharge() {
        var m = Machine(rule: Self.alipay, canResend: true)
        _ = alipayUntilCancel(&m)
        #expect(
            m.next(.cancelAnswered(.failed(WalletError(.notFound, "ORDER_NOT_EXIST", mayHaveCharged: false)), elapsed: .seconds(60)))
                == .inquire(after: .zero))
        let action = m.next(.status(.unknown(Self.notFound), elapsed: .seconds(60)))
        guard case .settle(.failed(let error)) = action else {
            Issue.record("expected settle(failed), got \(action)")
            return
        }
        #expect(error.category == .notFound)
        #expect(!error.mayHaveCharged)
    }

    @Test(arguments: [0, 3, 30, 57, 59, 60, 120])
    func alipayFinalStatusAtAnyTimeSettlesWithIt(seconds: Int) {
        for status in [PaymentStatus.succeeded, .failed(Self.declined), .cancelled] {
            var m = Machine(rule: Self.alipay, canResend: true)
            if seconds > 0 { _ = m.next(.status(.pending(nil), elapsed: .zero)) }
            #expect(m.next(.status(status, elapsed: .seconds(seconds))) == .settle(status))
            #expect(m.state == .settled(status))
        }
    }

    @Test func alipayFinalStatusWhileCancellingSettlesWithIt() {
        for status in [PaymentStatus.succeeded, .failed(Self.declined)] {
            var m = Machine(rule: Self.alipay, canResend: true)
            _ = alipayUntilCancel(&m)
            #expect(m.next(.cancelAnswered(.unknown(Self.unbound), elapsed: .seconds(60))) == .inquire(after: .zero))
            #expect(m.next(.status(status, elapsed: .seconds(60))) == .settle(status))
        }
    }

    @Test func alipayInquiryErrorsKeepPolling() {
        var m = Machine(rule: Self.alipay, canResend: true)
        #expect(m.next(.status(.unknown(Self.timeout), elapsed: .zero)) == .inquire(after: .seconds(3)))
        #expect(m.next(.callFailed(Self.timeout, elapsed: .seconds(3))) == .inquire(after: .seconds(3)))
        #expect(
            m.next(.callFailed(WalletError(.partnerUnavailable, "503", mayHaveCharged: false), elapsed: .seconds(6))) == .inquire(after: .seconds(3)))
        #expect(
            m.next(.callFailed(WalletError(.rateLimited, "slow down", mayHaveCharged: false), elapsed: .seconds(9))) == .inquire(after: .seconds(3)))
        #expect(m.next(.callFailed(Self.unbound, elapsed: .seconds(12))) == .inquire(after: .seconds(3)))
        #expect(m.next(.callFailed(WalletError(.notFound, "not yet", mayHaveCharged: false), elapsed: .seconds(15))) == .inquire(after: .seconds(3)))
        #expect(m.state == .observing)
    }

    @Test func alipayRefusedInquiryGivesUpAndStaysGivenUp() {
        var m = Machine(rule: Self.alipay, canResend: true)
        #expect(m.next(.status(.unknown(Self.timeout), elapsed: .zero)) == .inquire(after: .seconds(3)))
        expectGiveUp(m.next(.callFailed(WalletError(.authenticationFailed, "bad signature", mayHaveCharged: false), elapsed: .seconds(3))))
        #expect(m.state == .stopped)
        expectGiveUp(m.next(.status(.succeeded, elapsed: .seconds(6))))
        expectGiveUp(m.next(.status(.pending(nil), elapsed: .seconds(9))))
        expectGiveUp(m.next(.cancelAnswered(.cancelled, elapsed: .seconds(9))))
        expectGiveUp(m.next(.deadlineReached))
    }

    @Test func deadlineReachedGivesUpWithUnknownOutcome() {
        // While observing.
        var m = Machine(rule: Self.alipay, canResend: true)
        _ = m.next(.status(.pending(nil), elapsed: .zero))
        expectGiveUp(m.next(.deadlineReached))
        expectGiveUp(m.next(.status(.pending(nil), elapsed: .seconds(3))))
        expectGiveUp(m.next(.status(.succeeded, elapsed: .seconds(3))))
        // While cancelling.
        var c = Machine(rule: Self.alipay, canResend: true)
        _ = alipayUntilCancel(&c)
        expectGiveUp(c.next(.deadlineReached))
        expectGiveUp(c.next(.cancelAnswered(.cancelled, elapsed: .seconds(61))))
        // As the very first event.
        var f = Machine(rule: Self.paytm, canResend: false)
        expectGiveUp(f.next(.deadlineReached))
    }

    @Test(arguments: 1...5)
    func failingCancelsAreBoundedByMaxCancels(maxCancels: Int) {
        // maxCancels is documented as "Most cancels before giving up".
        var m = Machine(rule: Self.alipay, canResend: true, maxCancels: maxCancels)
        _ = alipayUntilCancel(&m)
        var cancels = 1
        var elapsed = Duration.seconds(60)
        var action = m.next(.callFailed(Self.timeout, elapsed: elapsed))
        while case .cancel(let wait) = action, cancels < 100 {
            cancels += 1
            elapsed += wait
            action = m.next(.callFailed(Self.timeout, elapsed: elapsed))
        }
        expectGiveUp(action)
        #expect(cancels <= maxCancels, "sent \(cancels) cancels with maxCancels \(maxCancels)")
    }

    // MARK: Paytm: query until the order expires, never cancel

    @Test func paytmQueriesWithCappedExponentialBackoffAndNeverCancels() {
        var m = Machine(rule: Self.paytm, canResend: true)
        var elapsed = Duration.zero
        var action = m.next(.status(.pending(nil), elapsed: elapsed))
        var waits: [Duration] = []
        while case .inquire(let wait) = action, waits.count < 1_000 {
            waits.append(wait)
            elapsed += wait
            action = m.next(.status(waits.count.isMultiple(of: 3) ? .unknown(Self.timeout) : .pending(nil), elapsed: elapsed))
        }
        #expect(
            Array(waits.prefix(8)) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30), .seconds(30)])
        #expect(waits.allSatisfy { $0 <= .seconds(30) })
        #expect(elapsed <= .seconds(900))
        #expect(elapsed + .seconds(30) > .seconds(900))
        // At the end of validity the payment stays open: give up, never cancel.
        expectGiveUp(action)
        #expect(m.state == .stopped)
        #expect(m.inquiries == waits.count)
    }

    @Test func paytmNeverCancelsWhateverItHears() {
        var m = Machine(rule: Self.paytm, canResend: true)
        var elapsed = Duration.zero
        var action = m.next(.status(.unknown(Self.timeout), elapsed: elapsed))
        var step = 0
        // An order the status API does not know never arrived: its initiate (which moves no
        // money) may be resent, at most maxResends times; it is never cancelled.
        var resends = 0
        while step < 1_000 {
            let wait: Duration
            if case .inquire(let after) = action {
                wait = after
            } else if case .resend(let after) = action {
                wait = after
                resends += 1
            } else {
                break
            }
            step += 1
            elapsed += wait
            switch step % 4 {
            case 0: action = m.next(.callFailed(Self.timeout, elapsed: elapsed))
            case 1: action = m.next(.status(.unknown(Self.notFound), elapsed: elapsed))
            case 2: action = m.next(.status(.pending(nil), elapsed: elapsed))
            default: action = m.next(.callFailed(WalletError(.partnerUnavailable, "x", mayHaveCharged: false), elapsed: elapsed))
            }
        }
        if case .cancel = action { Issue.record("Paytm's rule must never cancel") }
        #expect(resends <= m.maxResends)
    }

    @Test func paytmUnknownPaymentPastValiditySettlesFailedNotFound() {
        var m = Machine(rule: Self.paytm, canResend: true)
        let action = m.next(.status(.unknown(WalletError(.notFound, "x", partnerCode: "334")), elapsed: .seconds(901)))
        guard case .settle(.failed(let error)) = action else {
            Issue.record("expected settle(failed), got \(action)")
            return
        }
        #expect(error.category == .notFound)
        #expect(!error.mayHaveCharged)
        #expect(error.partnerCode == "334")
        // Exactly at the end of validity, too.
        var n = Machine(rule: Self.paytm, canResend: true)
        guard case .settle(.failed) = n.next(.status(.unknown(Self.notFound), elapsed: .seconds(900))) else {
            Issue.record("notFound at the end of validity should settle failed")
            return
        }
    }

    @Test func paytmUnknownOrderWithinValidityIsResentThenQueried() {
        // Its initiate never arrived: resend it identically (it moves no money; orderId is
        // idempotent), at most maxResends times, then keep querying.
        var m = Machine(rule: Self.paytm, canResend: true, maxResends: 1)
        #expect(m.next(.status(.unknown(Self.notFound), elapsed: .seconds(10))) == .resend(after: .seconds(1)))
        #expect(m.next(.status(.unknown(Self.notFound), elapsed: .seconds(11))) == .inquire(after: .seconds(1)))
    }

    @Test func alipayResendsAPayThatNeverArrivedAndItsWindowStartsAgain() {
        var m = Machine(rule: Self.alipay, canResend: true)
        #expect(m.next(.status(.unknown(Self.notFound), elapsed: .seconds(50))) == .resend(after: .seconds(3)))
        // The resend (sent at 53 s) timed out: the wallet may still process it. Whatever the
        // wallet says after, "never arrived" waits for a whole window from 53 s.
        var elapsed = Duration.seconds(63)
        var action = m.next(.status(.unknown(Self.timeout), elapsed: elapsed))
        var cancelled = false
        for _ in 0..<200 {
            switch action {
            case .inquire(let wait):
                elapsed += wait
                action = m.next(.status(.unknown(Self.notFound), elapsed: elapsed))
            case .resend(let wait):
                elapsed += wait
                action = m.next(.status(.unknown(Self.timeout), elapsed: elapsed))
            case .cancel(let wait):
                cancelled = true
                elapsed += wait
                action = m.next(.cancelAnswered(.failed(WalletError(.notFound, "ORDER_NOT_EXIST", mayHaveCharged: false)), elapsed: elapsed))
            case .settle, .giveUp:
                break
            }
            if case .settle = action { break }
            if case .giveUp = action { break }
        }
        guard case .settle(.failed(let error)) = action else {
            Issue.record("expected settle(failed), got \(action)")
            return
        }
        #expect(cancelled)
        #expect(error.category == .notFound && !error.mayHaveCharged)
        #expect(m.resends == 3)
    }

    @Test func paytmUnknownPaymentWithinValidityIsQueriedAgain() {
        var m = Machine(rule: Self.paytm, canResend: false)
        #expect(m.next(.status(.unknown(Self.notFound), elapsed: .seconds(10))) == .inquire(after: .seconds(1)))
        #expect(m.next(.status(.unknown(Self.notFound), elapsed: .seconds(11))) == .inquire(after: .seconds(2)))
        #expect(m.next(.callFailed(WalletError(.notFound, "x", mayHaveCharged: false), elapsed: .seconds(13))) == .inquire(after: .seconds(4)))
    }

    // MARK: SNAP: query, resend what never arrived, cancel after validity

    @Test func snapResendsWhatNeverArrivedAtMostMaxResendsTimes() {
        var m = Machine(rule: Self.snap, canResend: true, maxResends: 3)
        var elapsed = Duration.zero
        var resends = 0
        var action = m.next(.status(.unknown(Self.notFound), elapsed: elapsed))
        while case .resend(let wait) = action, resends < 100 {
            resends += 1
            elapsed += wait
            action = m.next(.status(.unknown(Self.notFound), elapsed: elapsed))
        }
        #expect(resends == 3)
        #expect(m.resends == 3)
        #expect(action == .inquire(after: .seconds(1)))
        // Still unknown to the wallet: keep inquiring, never resend again.
        for _ in 0..<10 {
            guard case .inquire(let wait) = action else { break }
            elapsed += wait
            action = m.next(.status(.unknown(Self.notFound), elapsed: elapsed))
            if case .resend = action { Issue.record("resent beyond maxResends") }
        }
    }

    @Test func snapFirstResendWaitsTheInitialDelay() {
        var m = Machine(rule: Self.snap, canResend: true)
        #expect(m.next(.status(.unknown(Self.notFound), elapsed: .zero)) == .resend(after: .seconds(1)))
        #expect(m.resends == 1)
    }

    @Test func snapInRecoveryNeverResends() {
        var m = Machine(rule: Self.snap, canResend: false)
        var elapsed = Duration.zero
        var action = m.next(.status(.unknown(Self.notFound), elapsed: elapsed))
        #expect(action == .inquire(after: .seconds(1)))
        var steps = 0
        while case .inquire(let wait) = action, steps < 1_000 {
            steps += 1
            elapsed += wait
            action = m.next(.status(.unknown(Self.notFound), elapsed: elapsed))
        }
        #expect(m.resends == 0)
        // After validity the rule cancels.
        #expect(action == .cancel(after: .zero))
    }

    @Test func snapPendingIsInquired() {
        var m = Machine(rule: Self.snap, canResend: true)
        #expect(m.next(.status(.pending(nil), elapsed: .zero)) == .inquire(after: .seconds(1)))
        #expect(m.next(.status(.pending(nil), elapsed: .seconds(1))) == .inquire(after: .seconds(2)))
        #expect(m.next(.status(.unknown(Self.timeout), elapsed: .seconds(3))) == .inquire(after: .seconds(4)))
        #expect(m.resends == 0)
    }

    @Test func snapCancelsAfterValidity() {
        var pending = Machine(rule: Self.snap, canResend: true)
        // Resumed after the window: ask once, then act.
        #expect(pending.next(.status(.pending(nil), elapsed: .seconds(600))) == .inquire(after: .zero))
        #expect(pending.next(.status(.pending(nil), elapsed: .seconds(600))) == .cancel(after: .zero))
        // Never arrived, but the window has passed: no resend, cancel.
        var lost = Machine(rule: Self.snap, canResend: true)
        #expect(lost.next(.status(.unknown(Self.notFound), elapsed: .seconds(601))) == .inquire(after: .zero))
        #expect(lost.next(.status(.unknown(Self.notFound), elapsed: .seconds(601))) == .cancel(after: .zero))
        #expect(lost.resends == 0)
        // The wallet refuses to cancel what it does not know, and still does not know it: nothing was charged.
        #expect(
            lost.next(.cancelAnswered(.failed(WalletError(.notFound, "4045701", mayHaveCharged: false)), elapsed: .seconds(601)))
                == .inquire(after: .zero))
        guard case .settle(.failed(let error)) = lost.next(.status(.unknown(Self.notFound), elapsed: .seconds(601))) else {
            Issue.record("expected settle(failed)")
            return
        }
        #expect(error.category == .notFound)
        #expect(!error.mayHaveCharged)
    }

    @Test func snapDrivenThroughItsValidityCancels() {
        var m = Machine(rule: Self.snap, canResend: true)
        var elapsed = Duration.zero
        var action = m.next(.status(.pending(nil), elapsed: elapsed))
        var steps = 0
        while case .inquire(let wait) = action, steps < 1_000 {
            steps += 1
            elapsed += wait
            action = m.next(.status(.pending(nil), elapsed: elapsed))
        }
        #expect(action == .cancel(after: .zero))
        #expect(elapsed <= .seconds(600))
        #expect(m.next(.cancelAnswered(.cancelled, elapsed: elapsed)) == .settle(Machine.cancelledByPolicy))
    }

    // MARK: properties over pseudo-random runs

    /// SplitMix64, inline so the run reproduces from its seed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// What a wallet may say about a payment that is still open (failures never "may have charged").
    static let inquiryStatuses: [PaymentStatus] = [
        .pending(nil), .pending(.redirect(url: "https://pay.example")), .unknown(timeout), .unknown(notFound), .unknown(unbound),
        .unknown(WalletError(.unknownOutcome, "processing")),
    ]
    static let finalStatuses: [PaymentStatus] = [
        .succeeded, .failed(declined), .failed(WalletError(.insufficientFunds, "x")), .cancelled,
        .failed(WalletError(.notFound, "x", mayHaveCharged: false)),
    ]
    static let callErrors: [WalletError] = [
        timeout, unbound, WalletError(.partnerUnavailable, "x", mayHaveCharged: false), WalletError(.rateLimited, "x", mayHaveCharged: false),
        WalletError(.notFound, "x", mayHaveCharged: false), WalletError(.unknownOutcome, "x"),
    ]
    static let refusingErrors: [WalletError] = [WalletError(.authenticationFailed, "x"), WalletError(.invalidRequest, "x")]
    static let cancelAnswers: [PaymentStatus] = [
        .cancelled, .succeeded, .failed(WalletError(.notFound, "x", mayHaveCharged: false)),
        .failed(WalletError(.invalidRequest, "refused", mayHaveCharged: false)),
        .unknown(unbound), .unknown(notFound), .pending(nil), .failed(declined),
    ]

    struct Run {
        var settled: PaymentStatus?
        var gaveUp = false
        var events = 0
        var fedSucceeded = false
        var fedCancelled = false
        /// When the pay was last sent (0: the caller's own send).
        var lastSent = Duration.zero
        /// Time from the last send to a "never arrived" failure, when the run settled so.
        var neverArrivedAfter: Duration?
    }

    /// Drives a machine the way the reconciliation middleware does: an inquire or resend is
    /// answered by a status or a call failure, a cancel by a cancel answer or a call failure;
    /// elapsed grows by at least the requested wait.
    func run(rule: ReconciliationRule, seed: UInt64) -> (Run, Machine) {
        var g = Generator(state: seed)
        var m = Machine(rule: rule, canResend: g.chance(50), maxCancels: 1 + g.below(5), maxResends: g.below(4))
        var run = Run()
        var elapsed = Duration.seconds(Int64(g.below(Int(rule.window.components.seconds) + 60)))

        func statusEvent(_ g: inout Generator) -> Machine.Event {
            if g.chance(4) { return .deadlineReached }
            if g.chance(3) { return .callFailed(g.pick(Self.refusingErrors), elapsed: elapsed) }
            if g.chance(15) { return .callFailed(g.pick(Self.callErrors), elapsed: elapsed) }
            return .status(g.chance(6) ? g.pick(Self.finalStatuses) : g.pick(Self.inquiryStatuses), elapsed: elapsed)
        }
        func cancelEvent(_ g: inout Generator) -> Machine.Event {
            if g.chance(4) { return .deadlineReached }
            if g.chance(20) { return .callFailed(g.pick(Self.callErrors + Self.refusingErrors), elapsed: elapsed) }
            return .cancelAnswered(g.pick(Self.cancelAnswers), elapsed: elapsed)
        }
        func feed(_ event: Machine.Event) -> Machine.Action {
            run.events += 1
            switch event {
            case .status(.succeeded, _), .cancelAnswered(.succeeded, _): run.fedSucceeded = true
            case .status(.cancelled, _), .cancelAnswered(.cancelled, _): run.fedCancelled = true
            default: break
            }
            return m.next(event)
        }

        var action = feed(.status(g.chance(5) ? g.pick(Self.finalStatuses) : g.pick(Self.inquiryStatuses), elapsed: elapsed))
        while run.events < 10_000 {
            switch action {
            case .settle(let status):
                run.settled = status
                if case .failed(let error) = status, error.message.contains("never received") { run.neverArrivedAfter = elapsed - run.lastSent }
            case .giveUp:
                run.gaveUp = true
            case .inquire(let wait), .resend(let wait):
                if case .resend = action { run.lastSent = elapsed + wait }
                elapsed += wait + .milliseconds(g.below(2_000))
                action = feed(statusEvent(&g))
                continue
            case .cancel(let wait):
                elapsed += wait + .milliseconds(g.below(2_000))
                action = feed(cancelEvent(&g))
                continue
            }
            break
        }
        return (run, m)
    }

    @Test(arguments: [alipay, paytm, snap])
    func neverReportsWhatTheWalletDidNotSayAndAlwaysEnds(rule: ReconciliationRule) {
        var settledSucceeded = 0, settledFailed = 0, gaveUp = 0
        for seed in UInt64(0)..<300 {
            let result = self.run(rule: rule, seed: seed &* 7_919 &+ 1)
            let run = result.0
            var machine = result.1
            // Always ends, within a bounded number of events.
            #expect(run.settled != nil || run.gaveUp, "seed \(seed): did not end after \(run.events) events")
            #expect(run.events <= 200, "seed \(seed): took \(run.events) events")
            switch run.settled {
            case .succeeded?:
                settledSucceeded += 1
                #expect(run.fedSucceeded, "seed \(seed): settled succeeded without being told")
            case .failed(let error)?:
                settledFailed += 1
                #expect(!error.mayHaveCharged, "seed \(seed): settled failed although the customer may have been charged")
                // "Never arrived" only a whole window after the pay was last sent: a resend may
                // be processed late, and must not be cancelled as unknown meanwhile.
                if let after = run.neverArrivedAfter { #expect(after >= rule.window, "seed \(seed): never-arrived \(after) after the last send") }
            case .cancelled?:
                #expect(run.fedCancelled, "seed \(seed): settled cancelled without being told")
            case .pending?, .unknown?:
                Issue.record("seed \(seed): settled with a status that is not final: \(String(describing: run.settled))")
            case nil:
                gaveUp += 1
            }
            // The end is sticky.
            let after = machine.next(.status(.succeeded, elapsed: .seconds(10_000)))
            if let settled = run.settled {
                #expect(after == .settle(settled), "seed \(seed)")
            } else if case .giveUp = after {
            } else {
                Issue.record("seed \(seed): a machine that gave up acted again: \(after)")
            }
        }
        // The runs exercise every ending.
        #expect(settledSucceeded > 0)
        #expect(settledFailed > 0)
        #expect(gaveUp > 0)
    }
}
