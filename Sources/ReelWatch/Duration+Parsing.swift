import Foundation

extension Duration {
    /// Parses a duration written as a number and a unit: `500ms`, `5s`, `2m`, `1h`, `1.5s`; a bare number is seconds.
    ///
    /// Returns nil for anything else, including negative values.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(trimmed)
        var scale = 1.0
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let candidate = trimmed.dropLast(suffix.count)
            if Double(candidate) != nil {
                number = candidate
                scale = factor
                break
            }
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 1e9 else { return nil }
        self = .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}

extension Duration {
    /// The duration the way flags write it: `250ms`, `5s`, `1.5s`, `2m`, `2m 30s`, `1h 5m`.
    public var shortDescription: String {
        let ms = milliseconds
        if ms < 1000 { return "\(ms)ms" }
        if ms < 60_000 {
            return ms % 1000 == 0 ? "\(ms / 1000)s" : String(format: "%.1fs", Double(ms) / 1000)
        }
        let seconds = ms / 1000
        if seconds < 3600 { return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m \(seconds % 60)s" }
        return seconds % 3600 / 60 == 0 ? "\(seconds / 3600)h" : "\(seconds / 3600)h \(seconds % 3600 / 60)m"
    }
}
