import COpenSSL
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sandbox's HTTPS front: an OpenSSL TLS server on a loopback port that relays every
/// connection, byte for byte, to the sandbox's plain HTTP server on another loopback port.
///
/// One thread accepts; each accepted connection gets a thread of its own that completes the
/// handshake, opens one backend TCP connection, and relays both ways with `poll()` until either
/// side closes (so HTTP keep-alive over TLS is keep-alive behind it). ``shutdown()`` wakes every
/// thread through a pipe and returns once all of them have ended.
final class SandboxTLSFront: @unchecked Sendable {
    /// The port the front listens on.
    let port: Int
    private let context: OpaquePointer
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let backendPort: Int
    private let lock = NSLock()
    private var stopping = false
    private var released = false
    private var threads = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// How long a client may take over its handshake.
    private static let handshakeTimeoutMilliseconds: Int32 = 10_000
    private static let bufferSize = 16 * 1024

    private init(port: Int, context: OpaquePointer, listener: Int32, wake: (Int32, Int32), backendPort: Int) {
        self.port = port
        self.context = context
        self.listener = listener
        self.wakeRead = wake.0
        self.wakeWrite = wake.1
        self.backendPort = backendPort
    }

    /// Loads `tls`, listens on `host:port` (0 picks a free port) and starts accepting; each
    /// connection is relayed to `127.0.0.1:backendPort`.
    /// - Throws: ``SandboxError`` when the certificate, key or client CA cannot be loaded, or
    ///   the port cannot be bound.
    static func start(tls: SandboxTLS, host: String, port: Int, backendPort: Int) throws -> SandboxTLSFront {
        let context = try makeContext(tls)
        let listener: Int32
        let bound: Int
        do {
            (listener, bound) = try openListener(host: host, port: port)
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(listener)
            SSL_CTX_free(context)
            throw SandboxError("TLS front: pipe() failed: \(String(cString: strerror(errno)))")
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let front = SandboxTLSFront(
            port: bound, context: context, listener: listener, wake: (pipeEnds[0], pipeEnds[1]), backendPort: backendPort)
        front.spawn { $0.acceptLoop() }
        return front
    }

    /// Stops accepting, closes every connection (in-flight exchanges are cut), and returns once
    /// every thread of the front has ended. Idempotent.
    func shutdown() async {
        let first = lock.withLock {
            let first = !stopping
            stopping = true
            return first
        }
        if first {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lock.withLock {
                if threads == 0 { return true }
                waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        let release = lock.withLock {
            let release = !released
            released = true
            return release
        }
        if release {
            close(wakeRead)
            close(wakeWrite)
            SSL_CTX_free(context)
        }
    }

    // MARK: Threads

    /// Runs `body` on a new thread, counted so that ``shutdown()`` can wait for it; false
    /// when the front is stopping (then `body` does not run).
    @discardableResult
    private func spawn(_ body: @escaping @Sendable (SandboxTLSFront) -> Void) -> Bool {
        let admitted = lock.withLock {
            guard !stopping else { return false }
            threads += 1
            return true
        }
        guard admitted else { return false }
        let thread = Thread { [self] in
            body(self)
            let resumed = lock.withLock {
                threads -= 1
                guard threads == 0 else { return [CheckedContinuation<Void, Never>]() }
                defer { waiters.removeAll() }
                return waiters
            }
            resumed.forEach { $0.resume() }
        }
        thread.name = "walletbridge.sandbox.tls"
        thread.start()
        return true
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                // EAGAIN (the listener is non-blocking: a client that left before accept) or
                // out of descriptors: pause briefly rather than spin.
                if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR, errno != ECONNABORTED { usleep(10_000) }
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let started = spawn { $0.serve(client) }
            if !started { close(client) }
        }
    }

    // MARK: One connection

    private func serve(_ client: Int32) {
        Self.blockSIGPIPE()
        defer { close(client) }
        Self.configure(client)
        guard let ssl = SSL_new(context) else { return }
        defer { SSL_free(ssl) }
        guard SSL_set_fd(ssl, client) == 1, handshake(ssl, client) else { return }
        guard let backend = connectBackend() else {
            SSL_shutdown(ssl)
            return
        }
        defer { close(backend) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        if relay(ssl, client: client, backend: backend, buffer: buffer) {
            // The backend closed: tell the client, then close.
            SSL_shutdown(ssl)
        }
        ERR_clear_error()
    }

    /// Completes the server side of the handshake; false when it fails, times out or the
    /// front stops.
    private func handshake(_ ssl: OpaquePointer, _ client: Int32) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(Self.handshakeTimeoutMilliseconds))
        while true {
            let result = SSL_accept(ssl)
            if result == 1 { return true }
            let remaining = deadline - ContinuousClock.now
            let millis = Int32(clamping: max(0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                guard millis > 0, wait(client, events: POLLIN, timeout: millis) else { return false }
            case SSL_ERROR_WANT_WRITE:
                guard millis > 0, wait(client, events: POLLOUT, timeout: millis) else { return false }
            default:
                // A refused client certificate, an unsupported version, a client that hung up.
                ERR_clear_error()
                return false
            }
        }
    }

    /// Relays until one side closes or the front stops; true when the backend closed first.
    private func relay(_ ssl: OpaquePointer, client: Int32, backend: Int32, buffer: UnsafeMutableRawPointer) -> Bool {
        var readClient = true
        while true {
            if readClient || SSL_pending(ssl) > 0 {
                readClient = false
                // Drain what OpenSSL can decrypt now, so that nothing waits in its buffers
                // while poll() looks only at the socket.
                while true {
                    let count = SSL_read(ssl, buffer, Int32(Self.bufferSize))
                    if count > 0 {
                        guard sendAll(backend, buffer, Int(count)) else { return false }
                        continue
                    }
                    let error = SSL_get_error(ssl, count)
                    if error == SSL_ERROR_WANT_READ { break }
                    if error == SSL_ERROR_WANT_WRITE {
                        guard wait(client, events: POLLOUT, timeout: -1) else { return false }
                        continue
                    }
                    // close_notify, a reset, or a protocol error: the client is gone.
                    return false
                }
            }
            var fds = [
                pollfd(fd: client, events: Int16(POLLIN), revents: 0),
                pollfd(fd: backend, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 3, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return false
            }
            if fds[2].revents != 0 { return false }
            if fds[0].revents != 0 { readClient = true }
            if fds[1].revents != 0 {
                // Forward what the backend has; stop at EAGAIN.
                while true {
                    let count = recv(backend, buffer, Self.bufferSize, Int32(MSG_DONTWAIT))
                    if count > 0 {
                        guard sslWriteAll(ssl, client, buffer, count) else { return false }
                        continue
                    }
                    if count == 0 { return true }
                    if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { break }
                    return false
                }
            }
        }
    }

    /// Encrypts and sends `count` bytes to the client, waiting while its socket is full.
    private func sslWriteAll(_ ssl: OpaquePointer, _ client: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = SSL_write(ssl, bytes + offset, Int32(count - offset))
            if written > 0 {
                offset += Int(written)
                continue
            }
            switch SSL_get_error(ssl, written) {
            case SSL_ERROR_WANT_WRITE:
                guard wait(client, events: POLLOUT, timeout: -1) else { return false }
            case SSL_ERROR_WANT_READ:
                guard wait(client, events: POLLIN, timeout: -1) else { return false }
            default:
                return false
            }
        }
        return true
    }

    /// Sends `count` bytes to the backend, waiting while its socket is full.
    private func sendAll(_ socket: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let sent = send(socket, bytes + offset, count - offset, Self.sendFlags)
            if sent > 0 {
                offset += sent
                continue
            }
            if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard wait(socket, events: POLLOUT, timeout: -1) else { return false }
                continue
            }
            return false
        }
        return true
    }

    /// Waits until `socket` has `events` (true), or the timeout passes or the front stops (false).
    private func wait(_ socket: Int32, events: Int32, timeout: Int32) -> Bool {
        while true {
            var fds = [pollfd(fd: socket, events: Int16(events), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, timeout)
            if ready < 0, errno == EINTR { continue }
            return ready > 0 && fds[1].revents == 0
        }
    }

    /// A non-blocking TCP connection to the sandbox's HTTP port, or nil.
    private func connectBackend() -> Int32? {
        let socket = Self.makeSocket(family: AF_INET)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(backendPort)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            return nil
        }
        Self.configure(socket)
        return socket
    }

    // MARK: Set-up

    private static func makeContext(_ tls: SandboxTLS) throws -> OpaquePointer {
        guard tls.minimumVersion <= tls.maximumVersion else {
            throw SandboxError("TLS: the minimum version \(tls.minimumVersion.rawValue) is above the maximum \(tls.maximumVersion.rawValue)")
        }
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw failure("cannot create an SSL context") }
        do {
            guard SSL_CTX_use_certificate_chain_file(context, tls.certificatePath) == 1 else {
                throw failure("cannot load the certificate \(tls.certificatePath)")
            }
            guard SSL_CTX_use_PrivateKey_file(context, tls.privateKeyPath, wb_ssl_filetype_pem()) == 1 else {
                throw failure("cannot load the private key \(tls.privateKeyPath)")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw failure("the key \(tls.privateKeyPath) does not match the certificate \(tls.certificatePath)")
            }
            guard wb_ssl_ctx_set_min_proto_version(context, openSSLVersion(tls.minimumVersion)) == 1,
                wb_ssl_ctx_set_max_proto_version(context, openSSLVersion(tls.maximumVersion)) == 1
            else { throw failure("cannot limit the TLS versions") }
            if tls.minimumVersion < .tls1_2 {
                // OpenSSL 3 speaks TLS 1.1 (SHA-1 handshake signatures) at security level 0 only.
                SSL_CTX_set_security_level(context, 0)
            }
            wb_ssl_ctx_no_renegotiation(context)
            wb_ssl_ctx_accept_moving_write_buffer(context)
            if let clientCA = tls.clientCAPath {
                guard SSL_CTX_load_verify_locations(context, clientCA, nil) == 1, let names = SSL_load_client_CA_file(clientCA) else {
                    throw failure("cannot load the client CA \(clientCA)")
                }
                SSL_CTX_set_client_CA_list(context, names)
                SSL_CTX_set_verify(context, wb_ssl_verify_require_peer(), nil)
            }
            return context
        } catch {
            SSL_CTX_free(context)
            throw error
        }
    }

    private static func openSSLVersion(_ version: SandboxTLS.ProtocolVersion) -> Int32 {
        switch version {
        case .tls1_1: return TLS1_1_VERSION
        case .tls1_2: return TLS1_2_VERSION
        case .tls1_3: return TLS1_3_VERSION
        }
    }

    /// A ``SandboxError`` carrying OpenSSL's drained reasons.
    private static func failure(_ message: String) -> SandboxError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return SandboxError("TLS: \(message)" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"))
    }

    /// A listening socket on the loopback `host` (`127.0.0.1`, `localhost` or `::1`) and its port.
    private static func openListener(host: String, port: Int) throws -> (Int32, Int) {
        let family = host == "::1" ? AF_INET6 : AF_INET
        let socket = makeSocket(family: family)
        guard socket >= 0 else { throw SandboxError("TLS front: socket() failed: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        _ = setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let length: socklen_t
        if family == AF_INET6 {
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    address.pointee.sin6_family = sa_family_t(AF_INET6)
                    address.pointee.sin6_port = in_port_t(UInt16(port)).bigEndian
                    address.pointee.sin6_addr = in6addr_loopback
                }
            }
        } else {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    address.pointee.sin_family = sa_family_t(AF_INET)
                    address.pointee.sin_port = in_port_t(UInt16(port)).bigEndian
                    address.pointee.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
                }
            }
        }
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        guard bound == 0, listen(socket, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            close(socket)
            throw SandboxError("TLS front: cannot listen on \(host):\(port): \(reason)")
        }
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &actualLength) } }
        let networkPort =
            family == AF_INET6
            ? withUnsafePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port } }
            : withUnsafePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port } }
        return (socket, Int(UInt16(bigEndian: networkPort)))
    }

    private static func makeSocket(family: Int32) -> Int32 {
        #if os(Linux)
            return socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            return socket(family, SOCK_STREAM, 0)
        #endif
    }

    /// Non-blocking, no Nagle delay (a request's last small segment would wait for an ACK).
    private static func configure(_ socket: Int32) {
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
        var yes: Int32 = 1
        _ = setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        #if !os(Linux)
            _ = setsockopt(socket, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    #if os(Linux)
        private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
        private static let sendFlags: Int32 = 0
    #endif

    /// OpenSSL writes to the client socket with write(2): a client that has gone makes that
    /// raise SIGPIPE, which would end the process. Blocked on this thread, it stays pending on
    /// it (write fails with EPIPE instead) and is discarded when the thread ends.
    private static func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
