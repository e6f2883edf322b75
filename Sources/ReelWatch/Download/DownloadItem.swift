/// One file to download: which asset of which job, and where it goes.
public struct DownloadItem: Sendable, Hashable {
    /// The job.
    public var ref: JobRef
    /// The asset, with the link it had when planned.
    public var asset: Asset
    /// The asset's position in the snapshot's list, to find its fresh link after a status refresh.
    public var assetIndex: Int
    /// The target directory.
    public var directory: String
    /// The file name inside the directory.
    public var fileName: String
    /// The length the file had when it was last saved (from the job store), if known: a file of that length
    /// under the final name counts as complete without asking the server.
    public var expectedBytes: Int64?
    /// The SHA-256 (lowercase hex) recorded with ``expectedBytes``, if known: a file of that length under the final
    /// name counts as complete only when its content has this digest.
    public var expectedSHA256: String?

    /// Creates an item.
    public init(
        ref: JobRef, asset: Asset, assetIndex: Int, directory: String, fileName: String, expectedBytes: Int64? = nil,
        expectedSHA256: String? = nil
    ) {
        self.ref = ref
        self.asset = asset
        self.assetIndex = assetIndex
        self.directory = directory
        self.fileName = fileName
        self.expectedBytes = expectedBytes
        self.expectedSHA256 = expectedSHA256
    }

    /// The final path of the file.
    public var path: String { directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName }

    /// The item under the name the job store recorded for it at `path`, when `path` is in the item's own
    /// directory (a file planned for another directory before stays planned for this one).
    public func placed(at path: String) -> DownloadItem {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        guard !name.isEmpty, path != self.path,
            String(decoding: path.utf8.dropLast(name.utf8.count), as: UTF8.self)
                == String(decoding: self.path.utf8.dropLast(fileName.utf8.count), as: UTF8.self)
        else { return self }
        var item = self
        item.fileName = name
        return item
    }

    /// The item under its `number`th name, `NAME-number.ext`, for when `NAME.ext` is taken; nothing is expected
    /// of a file there.
    public func numbered(_ number: Int) -> DownloadItem {
        var item = self
        item.fileName = Self.numbered(fileName, number)
        item.expectedBytes = nil
        item.expectedSHA256 = nil
        return item
    }

    /// `name` (a file name or a path) with `-number` before its extension.
    public static func numbered(_ name: String, _ number: Int) -> String {
        let file = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        let directory = String(decoding: name.utf8.dropLast(file.utf8.count), as: UTF8.self)
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return "\(name)-\(number)" }
        return "\(directory)\(file[..<dot])-\(number)\(file[dot...])"
    }
}

/// A file that is on disk, complete and verified.
public struct DownloadResult: Sendable, Hashable {
    /// The job.
    public var ref: JobRef
    /// What the file is.
    public var kind: AssetKind
    /// Where it is.
    public var path: String
    /// Its length in bytes.
    public var bytes: Int64
    /// Its SHA-256, lowercase hex.
    public var sha256: String
    /// Whether it was already complete on disk, so nothing was fetched.
    public var alreadyComplete: Bool
    /// The bytes a `.part` from an earlier run already held.
    public var resumedFrom: Int64
    /// The bytes fetched over the network by this run.
    public var fetched: Int64
}

/// How far one download has come.
public struct DownloadProgress: Sendable, Hashable {
    /// The file.
    public var item: DownloadItem
    /// Bytes on disk so far.
    public var received: Int64
    /// The file's length, once known.
    public var total: Int64?
}
