import ReelWatch

/// A render the simulator knows: which API it belongs to, how long it queues and renders, and how it ends.
public struct SimulatedJob: Sendable, Hashable {
    /// How a simulated render ends.
    public enum Outcome: Sendable, Hashable {
        /// The render succeeds and its files can be fetched.
        case success
        /// The render fails with the provider's failure payload.
        case failure(code: String, message: String, detail: String?)
    }

    /// One requested Hera output.
    public struct HeraOutput: Sendable, Hashable {
        /// `mp4`, `prores`, `webm` or `gif`.
        public var format: String
        /// `16:9`, `9:16`, `1:1` or `4:5`.
        public var aspectRatio: String
        /// `24`, `25`, `30` or `60`.
        public var fps: String
        /// `360p` … `4k`.
        public var resolution: String
        /// When set, this output fails with this error even if the job succeeds.
        public var failure: String?

        /// Creates an output.
        public init(
            format: String = "mp4",
            aspectRatio: String = "16:9",
            fps: String = "30",
            resolution: String = "1080p",
            failure: String? = nil
        ) {
            self.format = format
            self.aspectRatio = aspectRatio
            self.fps = fps
            self.resolution = resolution
            self.failure = failure
        }
    }

    /// One clip an AI clipping job cuts (``ReelWatch/ProviderAPI/clip``).
    public struct Clip: Sendable, Hashable {
        /// Its title; nil sends `null`.
        public var title: String?
        /// Whether it fails (the job can still complete).
        public var fails: Bool
        /// `landscape`, `portrait` or `square`.
        public var aspectRatio: String

        /// Creates a clip.
        public init(title: String? = nil, fails: Bool = false, aspectRatio: String = "portrait") {
            self.title = title
            self.fails = fails
            self.aspectRatio = aspectRatio
        }
    }

    /// Which edition of HeyGen's v1 answer to send.
    public enum V1Edition: Sendable, Hashable {
        /// The reference's shape: `code: 100`, `data.id`, `data.error` as an object.
        case reference
        /// The older guide's shape: `error: null`, `data.video_id`, `data.error` as a string.
        case legacy
    }

    /// The job's reference (API and ID).
    public var ref: JobRef
    /// The title the provider reports.
    public var title: String?
    /// Time spent queued before rendering starts.
    public var queueTime: Duration
    /// Time spent rendering.
    public var renderTime: Duration
    /// How the render ends.
    public var outcome: Outcome
    /// Hera's requested outputs (ignored for HeyGen).
    public var heraOutputs: [HeraOutput]
    /// Whether HeyGen also produces captions and a captioned video.
    public var captions: Bool
    /// The caller's callback ID echoed back.
    public var callbackID: String?
    /// The v1 answer shape.
    public var v1Edition: V1Edition
    /// The size of the main video file in bytes; other files are smaller.
    public var videoSize: Int
    /// The length of the rendered video in seconds.
    public var durationSeconds: Double
    /// Whether the file links end without an extension (`…/video`), as some CDNs serve them: the type is then
    /// only in `Content-Type`.
    public var bareLinks: Bool
    /// The folder the render is in (HeyGen v3 videos: `folder_id`, what the list filters on).
    public var folderID: String?
    /// How a Video Agent session plays out (`heygen-agent:` jobs only).
    public var agent: Agent?
    /// While the time since the job was added is in this range (and it has not ended), an API that has a word for
    /// waiting on a person (``SimulatedAPI/needsInputWord``, a Video Agent's `waiting_for_input`) answers with it.
    public var needsInputDuring: Range<Duration>?
    /// The clips of an AI clipping job, in the order they finish: clip `i` of `n` finishes `queueTime +
    /// renderTime × (i + 1) / n` after the job was added (ignored for other APIs).
    public var clips: [Clip]
    /// The layers a background removal produces, by the names HeyGen gives them (provider text: anything).
    public var layers: [String]
    /// A batch's members (`heygen-batch:` and the other batch APIs), in item order: each is added as a job of its
    /// own with the batch, and its item names its ID once it is out of the first half of its queue time (`video_id`
    /// null before); the batch is over when they all are (ignored for other APIs).
    public var members: [SimulatedJob]
    /// Whether, as a batch member, the job comes to exist: false makes its item fail at the job's end with the job's
    /// failure message, its `video_id` null throughout, and the job is never added.
    public var createdInBatch: Bool

    /// Creates a simulated job.
    public init(
        ref: JobRef,
        title: String? = nil,
        queueTime: Duration = .seconds(30),
        renderTime: Duration = .seconds(300),
        outcome: Outcome = .success,
        heraOutputs: [HeraOutput] = [HeraOutput()],
        captions: Bool = false,
        callbackID: String? = nil,
        v1Edition: V1Edition = .reference,
        videoSize: Int = 256 * 1024,
        durationSeconds: Double = 42.5,
        bareLinks: Bool = false,
        folderID: String? = nil,
        agent: Agent? = nil,
        needsInputDuring: Range<Duration>? = nil,
        clips: [Clip] = [Clip(title: "Opening"), Clip(title: "Highlights"), Clip(title: "Closing")],
        layers: [String] = SimulatedJob.defaultLayers,
        members: [SimulatedJob] = [],
        createdInBatch: Bool = true
    ) {
        self.ref = ref
        self.title = title
        self.queueTime = queueTime
        self.renderTime = renderTime
        self.outcome = outcome
        self.heraOutputs = heraOutputs
        self.captions = captions
        self.callbackID = callbackID
        self.v1Edition = v1Edition
        self.videoSize = videoSize
        self.durationSeconds = durationSeconds
        self.bareLinks = bareLinks
        self.folderID = folderID
        self.agent = agent
        self.needsInputDuring = needsInputDuring
        self.clips = clips
        self.layers = layers
        self.members = members
        self.createdInBatch = createdInBatch
    }

    /// The layers of a background removal unless told otherwise (HeyGen documents no names: these are made up).
    public static let defaultLayers = ["foreground", "alpha_matte"]

    /// The failure payloads the providers' documents show, one per API.
    public static func documentedFailure(for api: ProviderAPI) -> Outcome {
        SimulatedAPIs.of(api)?.documentedFailure ?? .failure(code: "failed", message: "The render failed", detail: nil)
    }
}
