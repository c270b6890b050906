#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// A loopback HTTP/1.1 server on raw sockets that plays a script per connection, to put a
/// client's kept-alive connection into states a real server only reaches by accident (its
/// idle timeout firing as the next request arrives, a crash mid-request).
///
/// Connections are served one after another on one thread, in accept order; connection `n`
/// plays `scripts[n]` (later connections play the last script). Everything it saw is
/// recorded for the test to check.
final class ScriptedHTTPServer: @unchecked Sendable {
    enum Step {
        /// Read one whole request and answer 200 with `Connection: keep-alive` and this body.
        case answer(String)
        /// Answer 200 with a body that names what arrived: `"<path> <body byte count>"`.
        case answerEcho
        /// Read the next request's head (whatever part of its body came with it), then close
        /// as a server whose idle timeout just fired would: FIN, then a reset (SO_LINGER 0) for
        /// the unread bytes. Nothing of a response is sent.
        case dieAfterRequestHead
        /// Read one whole request, then close (FIN) without answering.
        case closeAfterRequest
        /// Read one whole request, send the response head and part of the promised body,
        /// then reset the connection.
        case resetAfterResponseHead
        /// Read one whole request and send these bytes as the response, as they are.
        case answerRaw([UInt8])
    }

    /// A request as the server read it.
    struct Seen: Equatable {
        /// Which accepted connection (0 based) it came on.
        var connection: Int
        var method: String
        var path: String
        /// Body bytes received (complete requests only).
        var bodyBytes: Int
        /// The whole request arrived (false for a head read by ``Step/dieAfterRequestHead``).
        var complete: Bool
    }

    struct SocketFailure: Error { var what: String }

    let port: Int
    private let listener: Int32
    private let scripts: [[Step]]
    private let closeListenerAfterFirstAccept: Bool
    private let state = NSLock()
    private var _accepted = 0
    private var _seen: [Seen] = []
    private var listenerOpen = true
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameter closeListenerAfterFirstAccept: stop listening as soon as the first
    ///   connection is accepted, so that any later connection is refused.
    init(scripts: [[Step]], closeListenerAfterFirstAccept: Bool = false) throws {
        precondition(!scripts.isEmpty)
        self.scripts = scripts
        self.closeListenerAfterFirstAccept = closeListenerAfterFirstAccept
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw SocketFailure(what: "socket") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw SocketFailure(what: "bind/listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread { [self] in self.serve() }
        thread.name = "ScriptedHTTPServer"
        thread.start()
    }

    deinit { stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var accepted: Int { state.withLock { _accepted } }

    /// Requests (and request heads) read so far, in order.
    var seen: [Seen] { state.withLock { _seen } }

    /// Stops accepting; returns once the serving thread has ended.
    func stop() {
        let first = state.withLock { () -> Bool in
            defer { stopped = true }
            if listenerOpen {
                // Wakes the blocked accept() (Linux: EINVAL), which ends the serving thread.
                _ = shutdown(listener, Int32(SHUT_RDWR))
            }
            return !stopped
        }
        if first { finished.wait() }
    }

    // MARK: Serving thread

    /// Closes the listening socket once, under the lock `stop()` also takes, so that it
    /// never touches a descriptor number that has been reused.
    private func closeListener() {
        state.withLock {
            if listenerOpen {
                listenerOpen = false
                close(listener)
            }
        }
    }

    private func serve() {
        defer {
            closeListener()
            finished.signal()
        }
        var index = 0
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            state.withLock { _accepted += 1 }
            // Nothing here may hang a test run, but a loaded machine (a parallel test run beside
            // a build) can leave the client unscheduled for seconds between two requests: a
            // short timeout would close the kept-alive connection and the test would see a new
            // one (the flake these tests had at 3 s).
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            _ = setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if closeListenerAfterFirstAccept {
                // Every later connection is refused from now on; this one is already ours.
                closeListener()
                play(scripts[0], on: connection, number: 0)
                return
            }
            play(scripts[min(index, scripts.count - 1)], on: connection, number: index)
            index += 1
        }
    }

    private func play(_ steps: [Step], on fd: Int32, number: Int) {
        var reader = Reader(fd: fd)
        for step in steps {
            switch step {
            case .answer(let body):
                guard let request = reader.readRequest() else { close(fd); return }
                record(request, connection: number, complete: true)
                respond(fd, body: body)
            case .answerRaw(let bytes):
                guard let request = reader.readRequest() else { close(fd); return }
                record(request, connection: number, complete: true)
                writeAll(fd, bytes)
            case .answerEcho:
                guard let request = reader.readRequest() else { close(fd); return }
                record(request, connection: number, complete: true)
                respond(fd, body: "\(request.path) \(request.body.count)")
            case .dieAfterRequestHead:
                guard let head = reader.readHead() else { close(fd); return }
                record(
                    Request(method: head.method, path: head.path, contentLength: head.contentLength, body: []), connection: number, complete: false)
                _ = shutdown(fd, Int32(SHUT_WR))  // FIN first, as a server closing an idle connection
                var linger = linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                close(fd)  // then RST: the rest of the request is never read
                return
            case .closeAfterRequest:
                guard let request = reader.readRequest() else { close(fd); return }
                record(request, connection: number, complete: true)
                close(fd)
                return
            case .resetAfterResponseHead:
                guard let request = reader.readRequest() else { close(fd); return }
                record(request, connection: number, complete: true)
                writeAll(fd, Array("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 100\r\n\r\npartial".utf8))
                var linger = linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                close(fd)
                return
            }
        }
        // Script done: wait for the client to close (or the read timeout), then close.
        var scratch = [UInt8](repeating: 0, count: 4096)
        while recv(fd, &scratch, scratch.count, 0) > 0 {}
        close(fd)
    }

    private func record(_ request: Request, connection: Int, complete: Bool) {
        let seen = Seen(connection: connection, method: request.method, path: request.path, bodyBytes: request.body.count, complete: complete)
        state.withLock { _seen.append(seen) }
    }

    private func respond(_ fd: Int32, body: String) {
        let bytes = Array(body.utf8)
        let head = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/plain\r\nContent-Length: \(bytes.count)\r\n\r\n"
        writeAll(fd, Array(head.utf8) + bytes)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
            #else
                let flags: Int32 = 0
            #endif
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if written <= 0 { return }
            offset += written
        }
    }

    struct Request {
        var method: String
        var path: String
        var contentLength: Int
        var body: [UInt8]
    }

    /// Buffered reads of HTTP/1.1 requests with a Content-Length body (all curl sends here).
    private struct Reader {
        let fd: Int32
        var buffer: [UInt8] = []

        mutating func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }

        /// The request line and headers; consumes them from the buffer.
        mutating func readHead() -> Request? {
            let terminator: [UInt8] = [13, 10, 13, 10]
            while true {
                if let end = find(terminator) {
                    let text = String(decoding: buffer[..<end], as: UTF8.self)
                    buffer.removeFirst(end + 4)
                    let lines = text.components(separatedBy: "\r\n")
                    let parts = lines[0].split(separator: " ")
                    guard parts.count >= 2 else { return nil }
                    var length = 0
                    for line in lines.dropFirst() {
                        let pair = line.split(separator: ":", maxSplits: 1)
                        if pair.count == 2, pair[0].lowercased() == "content-length" {
                            length = Int(pair[1].trimmingCharacters(in: .whitespaces)) ?? 0
                        }
                    }
                    return Request(method: String(parts[0]), path: String(parts[1]), contentLength: length, body: [])
                }
                guard fill() else { return nil }
            }
        }

        mutating func readRequest() -> Request? {
            guard var request = readHead() else { return nil }
            while buffer.count < request.contentLength {
                guard fill() else { return nil }
            }
            request.body = Array(buffer[..<request.contentLength])
            buffer.removeFirst(request.contentLength)
            return request
        }

        private func find(_ needle: [UInt8]) -> Int? {
            guard buffer.count >= needle.count else { return nil }
            var index = 0
            while index <= buffer.count - needle.count {
                if buffer[index] == needle[0] && Array(buffer[index..<index + needle.count]) == needle { return index }
                index += 1
            }
            return nil
        }
    }
}
