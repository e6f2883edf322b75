import Foundation
import ReelWatch
import ReelWatchTerminal

/// A status answer through every adapter (and the bulk status and list readers), then each snapshot through what the CLI
/// and the store do with it.
enum StatusFuzzing {
    /// The moment `SnapshotText` measures link lifetimes from.
    static let now = Date(timeIntervalSince1970: 1_760_000_000)

    static func run(_ bytes: [UInt8]) {
        guard let body = try? JSONValue.parse(bytes) else { return }
        let id = identity(in: body)
        for api in ProviderAPI.allCases {
            let adapter = api.adapter
            let ref = JobRef(api: api, id: id)
            _ = adapter.isTransient(status: 400, body: body)
            _ = adapter.isTransient(status: 404, body: body)
            do {
                let snapshot = try adapter.snapshot(from: body, ref: ref, httpStatus: 200)
                require(snapshot.ref == ref, "the snapshot of \(ref) is about \(snapshot.ref)")
                exercise(snapshot)
            } catch {
                _ = error.description
                _ = String(reflecting: error)
            }
        }
        // The second answer of APIs that give a finished job's links that way (a proofread's `/srt`).
        for api in ProviderAPI.allCases {
            guard let linker = api.linkAdapter else { continue }
            let ref = JobRef(api: api, id: id)
            do {
                let snapshot = try linker.addingLinks(
                    from: body, to: JobSnapshot(ref: ref, state: .succeeded), httpStatus: 200)
                require(snapshot.ref == ref, "the links of \(ref) are about \(snapshot.ref)")
                require(!snapshot.assets.isEmpty, "the links answer of \(ref) was read as a success without files")
                exercise(snapshot)
            } catch {
                _ = error.description
            }
        }
        let ref = JobRef(api: .v3, id: id)
        for api in ProviderAPI.allCases {
            guard let adapter = api.bulkAdapter else { continue }
            do {
                let page = try adapter.bulkStatusPage(from: body, ref: JobRef(api: api, id: id), httpStatus: 200)
                for entry in page.entries {
                    _ = entry.isNotFound
                    _ = entry.failure?.summary
                }
            } catch {
                _ = error.description
            }
        }
        for api in ProviderAPI.allCases {
            guard let adapter = api.listAdapter else { continue }
            do {
                let page = try adapter.listPage(from: body, httpStatus: 200)
                for render in page.renders {
                    require(
                        (try? JobRef(parsing: render.ref.description)) == render.ref,
                        "a list entry gave a ref that does not parse back: \(Escaped(render.ref.description))")
                }
            } catch {
                _ = error.description
            }
        }
        // A batch's pages: every member a valid ref of the members' API, the pages together one snapshot.
        for api in ProviderAPI.allCases {
            guard let lister = api.memberAdapter else { continue }
            let batch = JobRef(api: api, id: id)
            do {
                let page = try lister.memberPage(from: body, ref: batch, httpStatus: 200)
                let snapshot = MemberPage.snapshot(of: batch, pages: [page, page])
                for member in snapshot.members {
                    require(
                        member.api == lister.memberAPI && (try? JobRef(parsing: member.description)) == member,
                        "a batch item gave a member that does not parse back: \(Escaped(member.description))")
                }
                exercise(snapshot)
            } catch {
                _ = error.description
            }
        }
        if let error = ProviderErrorBody(errorValue: body["error"] ?? body) {
            _ = error.summary
            _ = error.error(for: ref, httpStatus: 404).description
        }
    }

    /// The job ID the answer names, so the adapters get past their identity check; `fuzz` when it names none
    /// that a reference could hold.
    static func identity(in body: JSONValue) -> String {
        let data = body["data"] ?? .null
        let candidates = [
            data["id"], data["video_id"], data["video_translate_id"], body["video_id"], body["id"],
        ]
        for case let id? in candidates.map({ $0?.text }) {
            if (try? JobRef(parsing: "heygen:" + id)) != nil { return id }
        }
        return "fuzz"
    }

    /// What `status --json`, the store, `status` on a terminal and `download` do with a snapshot.
    static func exercise(_ snapshot: JobSnapshot) {
        let line = snapshot.jsonLine()
        require((try? JSONValue.parse(Array(line.utf8))) != nil, "--json wrote text that is not JSON: \(Escaped(line))")

        // The store keeps snapshots as JSONEncoder text and reads them back with JSONDecoder.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let stored = try? encoder.encode(snapshot)
        require(stored != nil, "the store cannot encode the snapshot: \(Escaped(line))")
        if let stored {
            let read = try? JSONDecoder().decode(JobSnapshot.self, from: stored)
            require(read != nil, "the store cannot read back the snapshot it wrote: \(Escaped(Array(stored)))")
        }

        _ = SnapshotText(colour: true, now: { now }).render(snapshot)

        for naming in [FileNaming(), FileNaming(fromTitle: true)] {
            for asset in snapshot.assets {
                NamingFuzzing.check(naming.name(for: asset, of: snapshot), limit: FileNaming.maximumLength)
            }
            for selection in [AssetSelection.defaults, .all] {
                plan(snapshot, selection: selection, naming: naming)
            }
        }
    }

    /// Plans the download; every planned name must be a safe file name.
    static func plan(_ snapshot: JobSnapshot, selection: AssetSelection, naming: FileNaming) {
        let items: [DownloadItem]
        do {
            items = try Downloader.plan(snapshot, selection: selection, directory: "/fuzz", naming: naming)
        } catch {
            // A finished render plans at least one file, or says there is nothing to download (exit 7).
            require(
                snapshot.state != .succeeded || error.code == .downloadFailed,
                "a succeeded job failed to plan: \(error)")
            _ = error.description
            return
        }
        // A job whose outputs finish one by one (AI clips) has the files of those that succeeded while it runs.
        let finishedSoFar =
            snapshot.api.adapter.outputsFinishOneByOne && !snapshot.state.isTerminal
            && items.allSatisfy { $0.asset.state == .succeeded }
        require(snapshot.state == .succeeded || finishedSoFar, "planned files of a job that is \(snapshot.state)")
        for item in items {
            // A name made unique by `-INDEX` may pass the naming limit, never the file system's.
            NamingFuzzing.check(item.fileName, limit: 255)
            require(item.path == "/fuzz/" + item.fileName, "the file leaves the directory: \(Escaped(item.path))")
        }
        let names = items.map(\.fileName)
        require(Set(names).count == names.count, "two files planned under one name: \(names.map { Escaped($0) })")
    }
}
