import Foundation
import HTTPTypes

/// Hera's motion graphics API: `GET {hera}/videos/{id}`, with an overall status and one status per output.
public struct HeraProvider: Provider {
    /// Creates the adapter.
    public init() {}

    /// Always `.hera`.
    public var api: ProviderAPI { .hera }
    /// Hera.
    public var provider: ProviderName { .hera }
    /// `hera` (refs `hera:ID`).
    public var refPrefix: String { "hera" }
    /// `/videos/{id}`.
    public var statusRoute: String { "/videos/{id}" }
    /// The render times of Hera's motion graphics.
    public var renderTimeModel: RenderTimeModel { .heraMotionGraphics }
    /// Every successful output is what was asked for.
    public var downloadsEveryFileByDefault: Bool { true }

    /// `GET /videos/{id}`.
    public func statusRequest(id: String, baseURL: BaseURL) -> HTTPRequest {
        baseURL.request(path: "/videos/\(BaseURL.encode(id))")
    }

    /// Reads `{"video_id", "project_url", "status", "outputs": [{"status", "file_url", "config", "error"}]}`.
    public func snapshot(from body: JSONValue, ref: JobRef, httpStatus: Int) throws(ReelWatchError) -> JobSnapshot {
        var job = body
        if body["status"] == nil, let data = body["data"], data.objectValue != nil { job = data }
        guard job.objectValue != nil else {
            throw .invalidStatus(ref: ref, httpStatus: httpStatus, "the body is not a JSON object")
        }
        let topError = ProviderErrorBody(errorValue: job["error"])
        guard let word = job["status"]?.text else {
            if let topError { throw topError.error(for: ref, httpStatus: httpStatus) }
            throw .invalidStatus(ref: ref, httpStatus: httpStatus, "no 'status' in the answer")
        }
        if let value = job.first("video_id", "id"), let id = value.text, !value.couldName(ref.id) {
            throw .invalidStatus(
                ref: ref,
                httpStatus: httpStatus,
                "it describes job '\(ReelWatchError.printable(id))', not the one asked for"
            )
        }
        let status = ProviderStatus(rawValue: word)
        let state = JobState(providerStatus: status)
        let assets = (job["outputs"]?.arrayValue ?? []).compactMap(Self.asset)
        var failure: JobFailure?
        if state == .failed {
            let failed = assets.filter { $0.state == .failed }
            let reasons = failed.compactMap { output in output.error.map { "\(Self.label(output)): \($0)" } }
            failure =
                topError?.failure
                ?? JobFailure(
                    code: nil,
                    message: failed.isEmpty ? nil : "\(failed.count) of \(assets.count) outputs failed",
                    detail: reasons.isEmpty ? nil : reasons.joined(separator: "; ")
                )
        }
        return JobSnapshot(
            ref: ref,
            state: state,
            providerStatus: status,
            title: job.first("title", "name")?.text,
            durationSeconds: job["duration"]?.seconds,
            createdAt: job["created_at"]?.date,
            completedAt: job["completed_at"]?.date,
            pageURL: job.first("project_url", "page_url")?.text,
            failure: failure,
            assets: assets
        )
    }

    /// One output: its own status, link, export configuration and error.
    static func asset(_ output: JSONValue) -> Asset? {
        guard output.objectValue != nil else { return nil }
        let config = output["config"] ?? .null
        let format = config["format"]?.text?.lowercased()
        let url = output.first("file_url", "url")?.text
        return Asset(
            kind: format == "gif" ? .gif : .video,
            url: url,
            expiresAt: url.flatMap(SignedURLExpiry.expiry),
            format: format ?? url.flatMap(Asset.pathExtension),
            aspectRatio: config["aspect_ratio"]?.text,
            fps: config["fps"]?.text,
            resolution: config["resolution"]?.text,
            state: output["status"]?.text.map { JobState(providerStatus: ProviderStatus(rawValue: $0)) },
            error: ProviderErrorBody(errorValue: output["error"])?.summary
        )
    }

    /// An output's aspect ratio and resolution (`16x9`, `1080p`): what tells the files of its outputs apart.
    public func nameParts(of asset: Asset) -> [String] {
        [asset.aspectRatio?.replacingOccurrences(of: ":", with: "x"), asset.resolution].compactMap { $0 }
    }

    /// `mp4 16:9 1080p`, to name an output in a message.
    static func label(_ asset: Asset) -> String {
        [asset.format, asset.aspectRatio, asset.resolution].compactMap { $0 }.joined(separator: " ")
    }
}

extension ProviderAPI {
    /// Hera's motion graphics API, `GET /videos/{id}`.
    public static let hera = ProviderAPI(declaring: "hera")
}
