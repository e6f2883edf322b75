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

    /// Creates an item.
    public init(ref: JobRef, asset: Asset, assetIndex: Int, directory: String, fileName: String) {
        self.ref = ref
        self.asset = asset
        self.assetIndex = assetIndex
        self.directory = directory
        self.fileName = fileName
    }

    /// The final path of the file.
    public var path: String { directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName }
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
