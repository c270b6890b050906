/// Admits at most `limit` requests of a ``CurlTransport`` into curl at once; the others wait
/// here, first come first served, holding no easy handle.
///
/// curl itself queues a transfer beyond its connection caps, but a queued transfer already
/// owns an easy handle (about 5 KB) and, once that handle has been used, its 16 KB receive
/// buffer: a thousand requests in flight against caps of 256 connections cost some 15 MB of
/// handles that cannot send. Waiting here costs a continuation. The limit is the transport's
/// total connection cap (``CurlTransportConfiguration/maxTotalConnections``), so a request
/// admitted can always have a connection, once one to its host is free.
final class CurlAdmission: @unchecked Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Admission, Never>
    }

    private struct State {
        var available: Int
        /// Waiting requests, oldest first from `head`.
        var waiters: [Waiter] = []
        var head = 0
        var nextID: UInt64 = 0
        /// Requests cancelled or expired before they were queued (their handler ran first).
        var endedEarly: [UInt64: Admission] = [:]

        mutating func popFirst() -> Waiter? {
            guard head < waiters.count else { return nil }
            let first = waiters[head]
            head += 1
            if head == waiters.count {
                waiters.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64, head * 2 >= waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
            return first
        }

        mutating func remove(_ id: UInt64) -> Waiter? {
            guard let index = waiters[head...].firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }
    }

    private let state: Locked<State>

    /// Creates a gate admitting `limit` requests at once (at least 1).
    init(limit: Int) {
        state = Locked(State(available: max(1, limit)))
    }

    /// What ``wait(until:)`` did.
    enum Admission: Equatable {
        /// Admitted at once (a place came free since ``tryEnter()``).
        case admitted
        /// Admitted after waiting for another request to leave.
        case admittedAfterWaiting
        /// The task was cancelled while it waited: not admitted.
        case cancelled
        /// The deadline passed while it waited: not admitted.
        case expired
    }

    /// Takes a free place at once when there is one (call ``leave()`` after); otherwise the
    /// caller must ``wait(until:)``.
    @inline(__always)
    func tryEnter() -> Bool {
        state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
    }

    /// Waits for a free place until `deadline`, after ``tryEnter()`` found none; call
    /// ``leave()`` once for each admission (``Admission/admitted`` or
    /// ``Admission/admittedAfterWaiting``).
    func wait(until deadline: ContinuousClock.Instant) async -> Admission {
        let id = state.withLock { state -> UInt64? in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextID &+= 1
            return state.nextID
        }
        guard let id else { return .admitted }
        // Only a request that has to wait pays for a timer.
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            end(id, as: .expired)
        }
        let admission = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Admission, Never>) in
                let answer = state.withLock { state -> Admission? in
                    if let ended = state.endedEarly.removeValue(forKey: id) { return ended }
                    if state.available > 0 {
                        state.available -= 1
                        return .admittedAfterWaiting
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            end(id, as: .cancelled)
        }
        timer.cancel()
        state.withLock { _ = $0.endedEarly.removeValue(forKey: id) }
        return admission
    }

    /// Takes waiter `id` out of the queue with `admission` (cancelled or expired); a no-op once
    /// it was admitted.
    private func end(_ id: UInt64, as admission: Admission) {
        let waiter = state.withLock { state -> Waiter? in
            if let waiter = state.remove(id) { return waiter }
            // Not queued yet, or admitted already: remembered, and forgotten once it returns.
            if state.endedEarly[id] == nil { state.endedEarly[id] = admission }
            return nil
        }
        waiter?.continuation.resume(returning: admission)
    }

    /// Frees a place: the oldest waiting request takes it.
    func leave() {
        let next = state.withLock { state -> Waiter? in
            if let first = state.popFirst() { return first }
            state.available += 1
            return nil
        }
        next?.continuation.resume(returning: .admittedAfterWaiting)
    }

    /// Requests waiting for a place.
    var waiting: Int { state.withLock { $0.waiters.count - $0.head } }
}
