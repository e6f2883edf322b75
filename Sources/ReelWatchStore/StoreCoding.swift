import Foundation

/// How the store writes JSON columns.
enum StoreCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    static let decoder = JSONDecoder()

    /// `meta` as a JSON object.
    static func json(_ meta: [String: String]) -> String {
        String(decoding: (try? encoder.encode(meta)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// A JSON object column back as `meta`; anything else is empty.
    static func meta(_ text: String?) -> [String: String] {
        // What most jobs hold, read without a JSONDecoder (every time a job is read).
        if text == "{}" { return [:] }
        guard let text, let meta = try? decoder.decode([String: String].self, from: Data(text.utf8)) else { return [:] }
        return meta
    }
}
