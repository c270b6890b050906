#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// A loopback HTTP/1.1 keep-alive server with a thread per connection that answers every
/// request `200 ok`, and counts the connections it accepted and the most open at once: the
/// server's own view of a client's connection pool.
final class ConnectionCountingServer: @unchecked Sendable {
    struct SocketFailure: Error { var what: String }

    let port: Int
    private let listener: Int32
    private let state = NSLock()
    private var _accepted = 0
    private var _open = 0
    private var _peakOpen = 0
    private var _requests = 0
    private var connections: [Int32] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init() throws {
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
        guard bound == 0, listen(fd, 1024) == 0 else {
            close(fd)
            throw SocketFailure(what: "bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "ConnectionCountingServer"
        thread.start()
    }

    deinit { stop() }

    var url: String { "http://127.0.0.1:\(port)/count" }

    /// Connections accepted so far.
    var accepted: Int { state.withLock { _accepted } }
    /// The most connections that were open at the same time.
    var peakOpen: Int { state.withLock { _peakOpen } }
    /// Requests answered so far.
    var requests: Int { state.withLock { _requests } }

    /// Stops accepting and closes every connection; returns once the accept thread has ended.
    func stop() {
        let first = state.withLock { () -> Bool in
            defer { stopped = true }
            if !stopped {
                _ = shutdown(listener, Int32(SHUT_RDWR))
                for connection in connections { _ = shutdown(connection, Int32(SHUT_RDWR)) }
            }
            return !stopped
        }
        if first { finished.wait() }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            let keep = state.withLock { () -> Bool in
                guard !stopped else { return false }
                _accepted += 1
                _open += 1
                _peakOpen = max(_peakOpen, _open)
                connections.append(connection)
                return true
            }
            guard keep else {
                close(connection)
                break
            }
            let thread = Thread { [self] in self.serve(connection) }
            thread.start()
        }
        close(listener)
        finished.signal()
    }

    /// Answers requests on `fd` until the client closes it.
    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        let response = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok".utf8)
        serving: while true {
            // One whole request (head, then Content-Length bytes of body) per answer.
            while let length = ConnectionCountingServer.requestLength(buffer) {
                buffer.removeFirst(length)
                state.withLock { _requests += 1 }
                var offset = 0
                while offset < response.count {
                    #if canImport(Glibc)
                        let flags = Int32(MSG_NOSIGNAL)
                    #else
                        let flags: Int32 = 0
                    #endif
                    let written = response[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
                    if written <= 0 { break serving }
                    offset += written
                }
            }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            buffer.append(contentsOf: chunk[..<count])
        }
        state.withLock {
            _open -= 1
            connections.removeAll { $0 == fd }
        }
        close(fd)
    }

    /// The length of the first whole request in `buffer`, nil while it is incomplete.
    static func requestLength(_ buffer: [UInt8]) -> Int? {
        let terminator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard buffer.count >= 4 else { return nil }
        var headEnd: Int?
        for index in 0...(buffer.count - 4) where buffer[index..<index + 4].elementsEqual(terminator) {
            headEnd = index + 4
            break
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self).lowercased()
        var bodyLength = 0
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            bodyLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return buffer.count >= headEnd + bodyLength ? headEnd + bodyLength : nil
    }
}
