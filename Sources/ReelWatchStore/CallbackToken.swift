/// The random capability in a store's per-job callback URL: 32 bytes from the system's secure generator, as
/// lowercase hex.
public enum CallbackToken {
    /// The length of a token in hex digits.
    public static let length = 64

    /// A new token.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(length)
        for _ in 0..<(length / 2) {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `given` is `expected`, compared in time that depends only on their lengths.
    public static func matches(_ given: String, _ expected: String) -> Bool {
        let left = Array(given.utf8)
        let right = Array(expected.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
