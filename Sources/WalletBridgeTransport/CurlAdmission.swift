import Foundation

/// Admits at most ``CurlTransportConfiguration/maxConnectionsPerHost`` requests to one host
/// into curl at once; the others wait here, first come first served, holding no easy handle.
///
/// curl itself queues a transfer beyond its connection caps, but a queued transfer already
/// owns an easy handle (about 5 KB) and, once that handle has been used, its 16 KB receive
/// buffer: a thousand requests in flight to one host against 64 connections cost some 20 MB of
/// handles that cannot send. Waiting here costs a continuation. The gate is per host (the
/// request's authority, host and port), as the cap is, so a host that does not answer never holds up another; the
/// total cap stays curl's (`CURLMOPT_MAX_TOTAL_CONNECTIONS`).
final class CurlAdmission: @unchecked Sendable {
    /// What ``wait(for:until:)`` did.
    enum Admission: Equatable {
        /// Admitted (a place came free since ``tryEnter(_:)``, or one was handed over).
        case admitted
        /// Admitted after waiting for another request to leave.
        case admittedAfterWaiting
        /// The task was cancelled while it waited: not admitted.
        case cancelled
        /// The deadline passed while it waited: not admitted.
        case expired
    }

    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Admission, Never>
    }

    /// One host's places and queue.
    private struct Gate {
        var available: Int
        /// Waiting requests, oldest first from `head`.
        var waiters: [Waiter] = []
        var head = 0

        var isIdle: Bool { head == waiters.count }

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

    private struct State {
        /// One gate per host, found by a linear scan (a client talks to a handful of hosts):
        /// no hashing and no allocation per request.
        var gates: [(host: String, gate: Gate)] = []
        var nextID: UInt64 = 0
        /// Requests told to wait that have not joined their queue yet.
        var joining: Set<UInt64> = []
        /// How such a request ended before it joined (its cancellation or deadline came first).
        var endedEarly: [UInt64: Admission] = [:]
    }

    /// Gates kept for hosts with nothing in flight, beyond which idle ones are dropped.
    private static let idleGatesKept = 64

    private let limit: Int
    private let state = Locked(State())

    /// Creates a gate admitting `limit` requests per host at once (at least 1).
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a free place for `host` at once when there is one (call ``leave(_:)`` after);
    /// otherwise the caller must ``wait(for:until:)``.
    func tryEnter(_ host: String) -> Bool {
        state.withLock { state -> Bool in
            guard let index = state.gates.firstIndex(where: { $0.host == host }) else {
                state.gates.append((host, Gate(available: limit - 1)))
                return true
            }
            guard state.gates[index].gate.available > 0 else { return false }
            state.gates[index].gate.available -= 1
            return true
        }
    }

    /// Waits for a place for `host` until `deadline`, after ``tryEnter(_:)`` found none; call
    /// ``leave(_:)`` once for each admission (``Admission/admitted`` or
    /// ``Admission/admittedAfterWaiting``).
    func wait(for host: String, until deadline: ContinuousClock.Instant) async -> Admission {
        let key = host
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            state.joining.insert(state.nextID)
            return state.nextID
        }
        // Only a request that has to wait pays for a timer.
        let timer = Task { [self] in
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return
            }
            end(id, of: key, as: .expired)
        }
        let admission = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Admission, Never>) in
                let answer = state.withLock { state -> Admission? in
                    state.joining.remove(id)
                    if let ended = state.endedEarly.removeValue(forKey: id) { return ended }
                    let index = state.gates.firstIndex { $0.host == key } ?? state.gates.endIndex
                    if index == state.gates.endIndex { state.gates.append((key, Gate(available: limit))) }
                    if state.gates[index].gate.available > 0 {
                        state.gates[index].gate.available -= 1
                        return .admitted
                    }
                    state.gates[index].gate.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            end(id, of: key, as: .cancelled)
        }
        timer.cancel()
        return admission
    }

    /// Ends waiter `id` with `admission` (cancelled or expired): out of its queue, or before it
    /// joins; a no-op once it was admitted or ended.
    private func end(_ id: UInt64, of key: String, as admission: Admission) {
        let waiter = state.withLock { state -> Waiter? in
            if let index = state.gates.firstIndex(where: { $0.host == key }), let waiter = state.gates[index].gate.remove(id) { return waiter }
            if state.joining.contains(id), state.endedEarly[id] == nil { state.endedEarly[id] = admission }
            return nil
        }
        waiter?.continuation.resume(returning: admission)
    }

    /// Places of `host` taken, and requests waiting for one (for tests).
    func load(_ host: String) -> (taken: Int, waiting: Int) {
        state.withLock { state in
            guard let gate = state.gates.first(where: { $0.host == host })?.gate else { return (0, 0) }
            return (limit - gate.available, gate.waiters.count - gate.head)
        }
    }

    /// Hosts with a gate (for tests).
    var gateCount: Int { state.withLock { $0.gates.count } }

    /// Frees a place of `host`: the oldest request waiting for it takes it.
    func leave(_ host: String) {
        let next = state.withLock { state -> Waiter? in
            guard let index = state.gates.firstIndex(where: { $0.host == host }) else { return nil }
            if let first = state.gates[index].gate.popFirst() { return first }
            state.gates[index].gate.available += 1
            if state.gates.count > Self.idleGatesKept, state.gates[index].gate.available == limit, state.gates[index].gate.isIdle {
                state.gates.remove(at: index)
            }
            return nil
        }
        next?.continuation.resume(returning: .admittedAfterWaiting)
    }
}
