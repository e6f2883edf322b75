import MCP
import ReelWatch

/// The tools reelwatch serves: their names, JSON Schemas, descriptions an agent can act on, and honest annotations.
enum ToolCatalog {
    static let refsDescription =
        "Job references PROVIDER:ID, e.g. heygen:abc123 (HeyGen video); PROVIDER one of \(JobRef.prefixList)."

    static let refs: Value = [
        "type": "array", "minItems": 1, "items": ["type": "string"], "description": .string(refsDescription),
    ]

    static let assets: Value = [
        "type": "array",
        "items": ["type": "string", "enum": .array(AssetSelection.words.map { .string($0) })],
        "description": .string(
            "Which files to save: \(AssetSelection.wordList) ('audio': a translation's dubbed audio track; "
                + "default: the video, or every Hera output)."),
    ]

    static let downloadDirectory: Value = [
        "type": "string", "minLength": 1,
        "description": .string(
            "Save each job's files into this directory once it succeeds (a relative path is taken from the "
                + "directory the server was started in, and stored absolute)."),
    ]

    static let status = Tool(
        name: "status",
        title: "Render status",
        description: """
            The current status of each render, asked once (no waiting). Returns {jobs: [snapshot]}: ref, state \
            (queued, processing, needs_input, succeeded, failed, cancelled, unknown), title, duration, failure, assets with their links. \
            To wait for renders to finish, call wait instead of calling status in a loop.
            """,
        inputSchema: schema(["refs": refs], required: ["refs"]),
        annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true)
    )

    static let wait = Tool(
        name: "wait",
        title: "Wait for renders",
        description: """
            Follows renders until each one ends or the timeout comes, polling on a schedule fitted to the \
            provider's render times (one call replaces a status loop); with download_dir, saves each job's \
            files as soon as it succeeds. Sends progress notifications when the request has a progressToken. \
            A timeout is not an error: jobs still rendering are listed in 'running' — call wait again with them. \
            Neither is a job that waits for a person (state needs_input, a Video Agent session): it is listed in \
            'needs_input' with what the agent asks (agent_message) — a person answers it, then call wait again. \
            Returns {jobs: [snapshot], files: [{ref, kind, path, bytes, sha256}], running: [ref], \
            needs_input: [{ref, code, message}]}.
            """,
        inputSchema: schema(
            [
                "refs": refs,
                "timeout_seconds": [
                    "type": "number", "exclusiveMinimum": 0,
                    "description": "How long to follow each job, in seconds (default 1800).",
                ],
                "download_dir": downloadDirectory,
                "assets": assets,
            ],
            required: ["refs"]
        ),
        annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true)
    )

    static let download = Tool(
        name: "download",
        title: "Download render files",
        description: """
            Saves the files of finished renders into dir: streamed to NAME.part, verified, renamed into place; \
            an earlier partial file is resumed, a complete one is not fetched again; expired links are refreshed. \
            Does not wait: a render still running is an error with code not_ready (call wait with download_dir). \
            Returns {files: [{ref, kind, path, bytes, sha256}], jobs: [snapshot]}.
            """,
        inputSchema: schema(
            [
                "refs": refs,
                "dir": ["type": "string", "minLength": 1, "description": "The directory to save into."],
                "assets": assets,
                "name_from_title": [
                    "type": "boolean", "description": "Name files after the video's title instead of PROVIDER-ID.",
                ],
            ],
            required: ["refs", "dir"]
        ),
        annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true)
    )

    static let track = Tool(
        name: "track",
        title: "Track renders",
        description: """
            Adds renders to reelwatch's durable job list ($REELWATCH_HOME), which 'reelwatch run' or \
            'reelwatch track check' follow until their files are on disk. Tracking a ref again overwrites its \
            label and download_dir with the ones given and its meta keys with the values given (other meta keys \
            stay). Returns {jobs: [tracked job]}.
            """,
        inputSchema: schema(
            [
                "refs": refs,
                "label": ["type": "string", "minLength": 1, "description": "A name for the jobs."],
                "meta": [
                    "type": "object", "additionalProperties": ["type": "string"],
                    "description": "Metadata to keep with the jobs (string values).",
                ],
                "download_dir": downloadDirectory,
            ],
            required: ["refs"]
        ),
        // Destructive: tracking a ref again overwrites its label, meta values and download directory.
        annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
    )

    static let untrack = Tool(
        name: "untrack",
        title: "Stop tracking renders",
        description: """
            Removes renders from the durable job list; their downloaded files stay. A ref that is not tracked is \
            an error with code not_found. Returns {removed: [ref]}.
            """,
        inputSchema: schema(["refs": refs], required: ["refs"]),
        annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
    )

    static let listTracked = Tool(
        name: "list_tracked",
        title: "List tracked renders",
        description: """
            The renders in the durable job list, oldest first: each snapshot's keys (state null before the first \
            answer) plus label, meta, added_at, polls and files. Returns {jobs: [tracked job]}.
            """,
        inputSchema: schema(
            [
                "state": [
                    "type": "string", "enum": ["new", "queued", "processing", "succeeded", "failed", "unknown"],
                    "description": "Only jobs in this state ('new': not answered yet).",
                ],
                "label": ["type": "string", "description": "Only jobs with this label."],
                "limit": ["type": "integer", "minimum": 1, "description": "At most this many jobs."],
            ],
            required: []
        ),
        annotations: .init(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
    )

    /// Every tool, in the order `tools/list` gives them.
    static let all = [status, wait, download, track, untrack, listTracked]

    /// The argument names `tool` takes.
    static func argumentNames(of tool: Tool) -> Set<String> {
        Set(tool.inputSchema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? [])
    }

    private static func schema(_ properties: [String: Value], required: [String]) -> Value {
        [
            "type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) }),
            "additionalProperties": false,
        ]
    }
}
