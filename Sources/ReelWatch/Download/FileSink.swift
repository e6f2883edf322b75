import Crypto
import HTTPTypes
import Logging
import NIOCore

/// One attempt's body, written to the `.part` file and hashed as it arrives, on the transport's thread.
///
/// Decides from the head whether the body continues the file (206 from the offset asked for), replaces it
/// (200: the server ignored the range) or is not a file body at all (anything else).
final class FileSink: BodySink, @unchecked Sendable {
    // Touched by the transport one call at a time while `receive` runs, and by the downloader only after it
    // returned (the transport's completion orders the two).
    let item: DownloadItem
    let file: PartialFile
    /// Hashes the bytes written, in order, on its own queue.
    let hasher: BackgroundHasher
    private let progress: @Sendable (DownloadProgress) -> Void
    private let logger: Logger
    private let offset: Int64
    /// Whether the body was streamed into the file.
    private(set) var accepted = false
    /// The file's full length, once announced.
    private(set) var total: Int64?
    /// Bytes written by this attempt.
    private(set) var fetched: Int64 = 0
    /// A write that failed (disk full, read-only): fatal, unlike a dropped connection.
    private(set) var fileError: FileError?

    init(
        item: DownloadItem,
        file: PartialFile,
        hasher: SHA256,
        progress: @escaping @Sendable (DownloadProgress) -> Void,
        logger: Logger
    ) {
        self.item = item
        self.file = file
        self.hasher = BackgroundHasher(hasher)
        self.progress = progress
        self.logger = logger
        self.offset = file.size
    }

    func accept(_ head: HTTPResponse) -> Bool {
        switch head.status.code {
        case 206:
            guard let range = Downloader.contentRange(head.headerFields[.contentRange]), range.start == offset else {
                return false
            }
            total = range.total
        case 200:
            if offset > 0 {
                logger.info("the server ignored Range; starting over", metadata: ["offset": "\(offset)"])
                do {
                    try file.truncate()
                } catch {
                    fileError = error
                    return false
                }
                hasher.reset(to: SHA256())
            }
            total = head.headerFields[.contentLength].flatMap { CheckedConversion.byteCount($0) }
        default:
            return false
        }
        if let etag = head.headerFields[.eTag], (total ?? .max) >= PartialFile.smallFile,
            file.size == 0 || file.etag == nil
        {
            file.etag = etag
        }
        if let total, total >= PartialFile.smallFile { file.reserve(total: total) }
        accepted = true
        return true
    }

    func consume(_ chunk: ByteBuffer) throws {
        do {
            try file.append(chunk)
        } catch {
            fileError = error
            throw error
        }
        hasher.update(chunk)
        fetched += Int64(chunk.readableBytes)
        progress(DownloadProgress(item: item, received: file.size, total: total))
    }
}
