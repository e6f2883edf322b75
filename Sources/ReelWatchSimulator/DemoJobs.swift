import ReelWatch

/// The jobs `reelwatch demo` and `reelwatch simulate` start with: every API, every state.
public enum DemoJobs {
    /// One job per API and state; with time frozen they keep these states, with time running they progress.
    public static let all: [SimulatedJob] = [
        SimulatedJob(
            ref: JobRef(api: .v3, id: "demo-avatar-ready"),
            title: "Quarterly update",
            queueTime: .zero,
            renderTime: .zero,
            captions: true,
            callbackID: "crm-4711"
        ),
        SimulatedJob(
            ref: JobRef(api: .v3, id: "demo-avatar-rendering"),
            title: "Onboarding, part 2",
            queueTime: .zero,
            renderTime: .seconds(9 * 60)
        ),
        SimulatedJob(
            ref: JobRef(api: .v1, id: "demo-v1-queued"),
            title: "Welcome",
            queueTime: .seconds(4 * 60),
            renderTime: .seconds(8 * 60)
        ),
        SimulatedJob(
            ref: JobRef(api: .v1, id: "demo-v1-too-long"),
            queueTime: .zero,
            renderTime: .zero,
            outcome: SimulatedJob.documentedFailure(for: .v1)
        ),
        SimulatedJob(
            ref: JobRef(api: .translate, id: "demo-translation-ur_ur-PK"),
            title: "My Translated Video",
            queueTime: .zero,
            renderTime: .zero,
            captions: true
        ),
        SimulatedJob(
            ref: JobRef(api: .translate, id: "demo-translation-running"),
            title: "Launch video (German)",
            queueTime: .zero,
            renderTime: .seconds(14 * 60)
        ),
        SimulatedJob(
            ref: JobRef(api: .hera, id: "demo-motion-ready"),
            queueTime: .zero,
            renderTime: .zero,
            heraOutputs: [
                .init(format: "mp4", aspectRatio: "16:9", fps: "30", resolution: "1080p"),
                .init(format: "gif", aspectRatio: "1:1", fps: "24", resolution: "480p"),
            ]
        ),
        SimulatedJob(
            ref: JobRef(api: .hera, id: "demo-motion-partial"),
            queueTime: .zero,
            renderTime: .zero,
            heraOutputs: [
                .init(format: "mp4", aspectRatio: "9:16", fps: "60", resolution: "4k"),
                .init(
                    format: "prores", aspectRatio: "16:9", fps: "25", resolution: "4k",
                    failure: "ProRes export is not available on this plan"),
            ]
        ),
        SimulatedJob(
            ref: JobRef(api: .clip, id: "demo-clips"),
            title: "Keynote highlights",
            queueTime: .zero,
            renderTime: .seconds(6 * 60),
            clips: [.init(title: "Opening"), .init(title: "Q&A", fails: true), .init(title: "Closing")]
        ),
        SimulatedJob(
            ref: JobRef(api: .hera, id: "demo-motion-failed"),
            queueTime: .zero,
            renderTime: .zero,
            outcome: SimulatedJob.documentedFailure(for: .hera)
        ),
        SimulatedJob(
            ref: JobRef(api: .lipsync, id: "demo-lipsync-dub"),
            title: "Launch video (Spanish dub)",
            queueTime: .zero,
            renderTime: .zero,
            captions: true
        ),
        SimulatedJob(
            ref: JobRef(api: .backgroundRemoval, id: "demo-bgremoval-ready"),
            queueTime: .zero,
            renderTime: .zero,
            layers: ["foreground", "alpha matte"]
        ),
        SimulatedJob(
            ref: JobRef(api: .proofread, id: "demo-proofread"),
            title: "Launch video (Urdu), proofread",
            queueTime: .zero,
            renderTime: .seconds(15 * 60)
        ),
        SimulatedJob(
            ref: JobRef(api: .agent, id: "demo-agent-launch"),
            title: "Launch video, by the Video Agent",
            queueTime: .seconds(5 * 60),
            renderTime: .seconds(12 * 60),
            agent: SimulatedJob.Agent(videoID: "demo-agent-launch-video")
        ),
        SimulatedJob(
            ref: JobRef(api: .batch, id: "demo-batch"),
            title: "Launch video, two cuts (a batch)",
            queueTime: .seconds(5 * 60),
            renderTime: .seconds(13 * 60),
            members: [
                SimulatedJob(
                    ref: JobRef(api: .v3, id: "demo-batch-cut-1"), title: "Launch video, cut 1",
                    queueTime: .seconds(5 * 60), renderTime: .seconds(13 * 60)),
                SimulatedJob(
                    ref: JobRef(api: .v3, id: "demo-batch-cut-2"), title: "Launch video, cut 2",
                    queueTime: .seconds(5 * 60), renderTime: .seconds(13 * 60) + .seconds(30)),
            ]
        ),
    ]
}
