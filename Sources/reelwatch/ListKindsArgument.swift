import ArgumentParser
import Foundation
import ReelWatch

/// `--kinds videos,translations,…`: the lists a sync reads, named by the words their adapters declare
/// (``RenderListProvider/listKind``).
enum ListKindsArgument {
    /// The APIs the comma-separated words name, in registration order, each once; an unknown or missing word is a
    /// usage error naming it and the words there are.
    static func parse(_ text: String) throws -> [ProviderAPI] {
        var chosen = Set<ProviderAPI>()
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let api = ProviderAPI(listKind: String(word)) else {
                let shown = word.trimmingCharacters(in: .whitespaces)
                throw ValidationError(
                    (shown.isEmpty ? "an empty kind" : "unknown kind '\(ReelWatchError.printable(shown, limit: 40))'")
                        + "; the kinds are \(ProviderAPI.listKinds.joined(separator: ", "))")
            }
            chosen.insert(api)
        }
        return ProviderAPI.listable.filter(chosen.contains)
    }

    /// The lists' words for `apis`, comma-separated.
    static func words(_ apis: [ProviderAPI]) -> String {
        apis.compactMap { $0.listAdapter?.listKind }.joined(separator: ",")
    }
}
