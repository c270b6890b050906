import COpenSSL

/// Comparison whose running time does not depend on where two byte strings differ.
public enum ConstantTime {
    /// Whether `a` and `b` are equal. Lengths are compared first (lengths are not secret);
    /// contents are compared with OpenSSL's `CRYPTO_memcmp`.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return false }
                return CRYPTO_memcmp(x, y, a.count) == 0
            }
        }
    }
}
