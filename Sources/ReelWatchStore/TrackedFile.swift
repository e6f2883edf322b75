import Foundation
import ReelWatch

/// One file of a tracked job: where it goes and, once it has landed, its length and SHA-256.
public struct TrackedFile: Sendable, Hashable {
    /// How far the file has come.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Planned, not on disk yet (a `.part` may hold part of it).
        case pending
        /// On disk under its final name, verified.
        case done
        /// The last attempt failed after its retries; the next pass tries again.
        case failed
    }

    /// The file name inside the job's download directory.
    public var name: String
    /// What the file is.
    public var kind: AssetKind
    /// Its final path.
    public var path: String
    /// How far it has come.
    public var status: Status
    /// Its length, once done.
    public var bytes: Int64?
    /// Its SHA-256 (lowercase hex), once done.
    public var sha256: String?
    /// Why the last attempt failed.
    public var error: String?

    /// Creates a file record.
    public init(
        name: String,
        kind: AssetKind,
        path: String,
        status: Status = .pending,
        bytes: Int64? = nil,
        sha256: String? = nil,
        error: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.path = path
        self.status = status
        self.bytes = bytes
        self.sha256 = sha256
        self.error = error
    }
}

extension TrackedFile {
    /// Files planned for one job as a store records them: a file already recorded under the same name (in `known`)
    /// keeps its state and path; a new one whose path another job's file holds (`isHeld`) is given the next free
    /// numbered path (`NAME-2.mp4`), so no two jobs ever share a file. Each new file is handed to `record`.
    static func place(
        _ files: [TrackedFile],
        known: [TrackedFile],
        isHeld: (String) throws -> Bool,
        record: (TrackedFile) throws -> Void
    ) rethrows -> [TrackedFile] {
        var placed: [TrackedFile] = []
        for file in files {
            if let existing = known.first(where: { $0.name == file.name }) {
                placed.append(existing)
                continue
            }
            var new = file
            var number = 1
            while try isHeld(new.path) {
                number += 1
                new.path = DownloadItem.numbered(file.path, number)
            }
            try record(new)
            placed.append(new)
        }
        return placed
    }
}
