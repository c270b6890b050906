import Synchronization
import WalletBridgeCore

/// Bounds how long one storage operation may wait for PostgreSQL.
///
/// postgres-nio 1.33 can leave an operation that was under way when the server restarted
/// waiting forever, deaf to cancellation (seen with `pg_ctl restart -m fast`: later operations
/// on new connections succeed, the ones caught by the restart never return). So each operation
/// runs in a task of its own, and the caller gets a `JournalError` once the deadline passes;
/// the abandoned task is cancelled and left to end whenever the client lets it. A transaction
/// that is abandoned is applied whole or not at all by the server, never in part.
enum PostgresDeadline {
    /// Runs `body`, or throws `JournalError` ("`what`: no answer from PostgreSQL within …")
    /// once `timeout` has passed. Cancelling the caller cancels `body`.
    static func run<T: Sendable>(
        _ what: String, timeout: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation)
                let work = Task {
                    do {
                        race.finish(.success(try await body()))
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    let message =
                        "\(what): no answer from PostgreSQL within \(timeout) (the operation was abandoned: a transaction is applied whole or not at all)"
                    if race.finish(.failure(JournalError(message))) { work.cancel() }
                }
                race.attach(work: work, timer: timer)
            }
        } onCancel: {
            race.cancel()
        }
    }

    /// The first of the operation, the timer and the caller's cancellation to finish wins.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var work: Task<Void, Never>?
            var timer: Task<Void, Never>?
            var cancelled = false
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
            let cancelled = state.withLock { state -> Bool in
                state.work = work
                state.timer = timer
                return state.cancelled
            }
            if cancelled {
                work.cancel()
                timer.cancel()
            }
            // Finished before the tasks were attached: stop the timer now.
            if state.withLock({ $0.continuation == nil }) { timer.cancel() }
        }

        /// Resumes the caller once; whether this call did.
        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let (continuation, timer) = state.withLock { state in
                let taken = (state.continuation, state.timer)
                state.continuation = nil
                return taken
            }
            guard let continuation else { return false }
            timer?.cancel()
            continuation.resume(with: result)
            return true
        }

        func cancel() {
            let work = state.withLock { state -> Task<Void, Never>? in
                state.cancelled = true
                return state.work
            }
            work?.cancel()
        }
    }
}
