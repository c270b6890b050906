#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback TCP socket that listens but never accepts or answers: connections complete in
/// the kernel's backlog and requests go unanswered, which is what a hung partner looks like.
/// With `listening: false` the port is reserved and then closed, so connecting is refused.
final class SilentServer: @unchecked Sendable {
    let port: Int
    private var descriptor: Int32

    init(listening: Bool = true) throws {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw SocketError() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, !listening || listen(fd, 16) == 0 else { close(fd); throw SocketError() }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        descriptor = fd
        if !listening {
            close(fd)
            descriptor = -1
        }
    }

    var url: String { "http://127.0.0.1:\(port)/" }

    deinit { if descriptor >= 0 { close(descriptor) } }

    struct SocketError: Error {}
}
