import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`).
public enum SecureRandom {
    /// Returns `count` random bytes.
    /// - Throws: ``CryptoError`` if the generator is not seeded or fails.
    public static func bytes(count: Int) throws -> [UInt8] {
        precondition(count >= 0, "count must not be negative")
        guard count > 0 else { return [] }
        OpenSSLErrorQueue.clear()
        var out = [UInt8](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBytes { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        guard rc == 1 else { throw OpenSSLErrorQueue.error(.operationFailed, "random generator failed") }
        return out
    }

    /// Returns `length` characters drawn uniformly from `alphabet`, by rejection sampling so
    /// no character is favoured.
    public static func string(length: Int, alphabet: [Character]) throws -> String {
        precondition(!alphabet.isEmpty && alphabet.count <= 256, "alphabet must have 1...256 characters")
        let limit = 256 - (256 % alphabet.count)
        var result = ""
        result.reserveCapacity(length)
        while result.count < length {
            for byte in try bytes(count: max(16, length * 2)) where Int(byte) < limit && result.count < length {
                result.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return result
    }
}
