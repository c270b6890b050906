/// A pure, reproducible random draw: the same seed and parts give the same value in every
/// process, on every platform and in every release, so that a fault (or any other chance
/// event) can be replayed from its seed alone.
///
/// Swift's `Hasher` is seeded randomly per process and cannot serve here; the draw is
/// defined bit for bit instead:
///
/// 1. `h` is the FNV-1a 64 hash of the parts' UTF-8 bytes, with the byte `0xFF` (which never
///    occurs in UTF-8) between consecutive parts, so that `("ab", "c")` and `("a", "bc")`
///    differ. No parts and one empty part both hash to the FNV offset basis.
/// 2. `z = h ^ s`, where `s` is the first output of a SplitMix64 generator seeded with `seed`
///    (the seed plus `0x9E3779B97F4A7C15`, through the SplitMix64 finalizer).
/// 3. `z` goes through the SplitMix64 finalizer.
/// 4. `unit` is the top 53 bits of `z` divided by 2⁵³; `index` is the high 64 bits of
///    `z × count`.
///
/// Callers name what they draw for in the parts (say `"fault"`, an operation, a reference, an
/// attempt), so that independent decisions made from one seed do not move together.
///
/// ```swift
/// let u = SeededDraw.unit(seed: 42, "fault", "pay", "ORDER-1", "1")  // same value every run
/// ```
public struct SeededDraw: Sendable {
    /// A value in `0..<1` that depends only on `seed` and `parts`.
    public static func unit(seed: UInt64, _ parts: String...) -> Double {
        unit(seed: seed, parts)
    }

    /// A value in `0..<1` that depends only on `seed` and `parts`.
    public static func unit(seed: UInt64, _ parts: [String]) -> Double {
        Double(mixed(seed: seed, parts) >> 11) * 0x1p-53
    }

    /// A choice in `0..<count` that depends only on `seed` and `parts`.
    /// - Precondition: `count` is positive.
    public static func index(seed: UInt64, count: Int, _ parts: String...) -> Int {
        index(seed: seed, count: count, parts)
    }

    /// A choice in `0..<count` that depends only on `seed` and `parts`.
    /// - Precondition: `count` is positive.
    public static func index(seed: UInt64, count: Int, _ parts: [String]) -> Int {
        precondition(count > 0, "SeededDraw.index needs a positive count")
        return Int(mixed(seed: seed, parts).multipliedFullWidth(by: UInt64(count)).high)
    }

    // MARK: Bits

    private static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3
    private static let partSeparator: UInt8 = 0xFF

    /// The 64 bits both draws are made from (steps 1 to 3 above).
    static func mixed(seed: UInt64, _ parts: [String]) -> UInt64 {
        var hash = fnvOffsetBasis
        for (position, part) in parts.enumerated() {
            if position > 0 {
                hash = (hash ^ UInt64(partSeparator)) &* fnvPrime
            }
            for byte in part.utf8 {
                hash = (hash ^ UInt64(byte)) &* fnvPrime
            }
        }
        return finalize(hash ^ finalize(seed &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// The SplitMix64 output function.
    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
