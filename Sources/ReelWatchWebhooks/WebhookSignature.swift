import Crypto
import Foundation
import ReelWatch

/// The check of HeyGen's webhook signatures: `Heygen-Signature` is the hex HMAC-SHA256 of the raw request body,
/// keyed with the endpoint's secret (`whsec_…`, the literal string as the key).
///
/// Several secrets may be valid at once (while one is rotated: the old and the new). A signature is compared with
/// the code of every secret, each byte of each, whatever matched before, so that the time taken tells nothing of
/// how close a forgery came. The secrets never appear in its description, errors or logs.
public struct WebhookSignature: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The environment variable that holds the secrets, comma-separated.
    public static let environmentVariable = "REELWATCH_WEBHOOK_SECRET"
    /// The length of a signature in hex digits (an HMAC-SHA256 is 32 bytes).
    public static let hexLength = 2 * SHA256.byteCount

    private let keys: [SymmetricKey]

    /// Checks signatures made with any of `secrets`, each trimmed of surrounding whitespace (empty ones are
    /// skipped); throws `invalid_config` when none is left or one holds control characters.
    public init(secrets: [String]) throws(ReelWatchError) {
        var keys: [SymmetricKey] = []
        for secret in secrets {
            let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ReelWatchError(
                    code: .invalidConfiguration,
                    message: "a webhook secret holds control characters; give each secret alone, comma-separated")
            }
            keys.append(SymmetricKey(data: Data(trimmed.utf8)))
        }
        guard !keys.isEmpty else {
            throw ReelWatchError(code: .invalidConfiguration, message: "no webhook secret is given")
        }
        self.keys = keys
    }

    /// The secrets of ``environmentVariable`` in `environment` (comma-separated: the old and the new while one is
    /// rotated); throws `invalid_config` naming the variable when it is unset, empty or malformed.
    public init(environment: [String: String]) throws(ReelWatchError) {
        let text = environment[Self.environmentVariable] ?? ""
        do {
            try self.init(secrets: text.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        } catch {
            throw ReelWatchError(
                code: .invalidConfiguration,
                message: "\(Self.environmentVariable): \(error.message)")
        }
    }

    /// The secrets of ``environmentVariable`` in `environment`, trimmed, empty ones skipped (none when it is unset);
    /// throws `invalid_config` naming the variable when one holds control characters.
    public static func secrets(environment: [String: String]) throws(ReelWatchError) -> [String] {
        let text = environment[environmentVariable] ?? ""
        var secrets: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ReelWatchError(
                    code: .invalidConfiguration,
                    message: "\(environmentVariable): a webhook secret holds control characters; give each secret "
                        + "alone, comma-separated")
            }
            secrets.append(trimmed)
        }
        return secrets
    }

    /// How many secrets are checked.
    public var secretCount: Int { keys.count }

    /// Whether `signature` (hex digits, either case) is the HMAC-SHA256 of `body` under one of the secrets.
    ///
    /// A signature of the wrong length is refused at once (its length is no secret); otherwise every byte is
    /// compared against the code of every secret, and hex digits are decoded without branching on their value.
    public func isValid(_ signature: String, for body: [UInt8]) -> Bool {
        let digits = Array(signature.utf8)
        guard digits.count == Self.hexLength else { return false }
        var given = [UInt8](repeating: 0, count: SHA256.byteCount)
        var malformed: UInt8 = 0
        for index in given.indices {
            let (high, badHigh) = Self.nibble(digits[2 * index])
            let (low, badLow) = Self.nibble(digits[2 * index + 1])
            given[index] = high << 4 | low
            malformed |= badHigh | badLow
        }
        var matched: UInt8 = 0
        for key in keys {
            let code = HMAC<SHA256>.authenticationCode(for: body, using: key)
            var difference: UInt8 = 0
            for (expected, actual) in zip(code, given) { difference |= expected ^ actual }
            // 1 when the difference is zero, without a branch: (0 - 1) >> 8 has its low bit set only for zero.
            matched |= UInt8(truncatingIfNeeded: (UInt16(difference) &- 1) >> 8) & 1
        }
        return matched == 1 && malformed == 0
    }

    /// The signature of `body` under `secret`, as HeyGen sends it: lowercase hex (for tests and the simulator).
    public static func sign(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// Never the secrets: only how many there are.
    public var description: String { "WebhookSignature(\(keys.count) secret\(keys.count == 1 ? "" : "s"))" }
    /// As ``description``.
    public var debugDescription: String { description }

    /// The value of one hex digit, and 1 when it is not one (0 otherwise), computed without branching on it.
    private static func nibble(_ digit: UInt8) -> (value: UInt8, invalid: UInt8) {
        let lower = digit | 0x20  // 'A'...'F' to 'a'...'f'; digits unchanged
        let isDigit = inRange(digit, 0x30, 0x39)
        let isLetter = inRange(lower, 0x61, 0x66)
        let value = (isDigit & (digit &- 0x30)) | (isLetter & (lower &- 0x61 &+ 10))
        return (value & 0x0F, ~(isDigit | isLetter) & 1)
    }

    /// 0xFF when `low <= byte <= high`, else 0, without a branch.
    private static func inRange(_ byte: UInt8, _ low: UInt8, _ high: UInt8) -> UInt8 {
        let above = (Int16(byte) - Int16(low)) >> 15  // -1 when below low
        let below = (Int16(high) - Int16(byte)) >> 15  // -1 when above high
        return ~UInt8(truncatingIfNeeded: above | below)
    }
}
