import Foundation

/// How long renders of one provider API take: a mixture of log-normal distributions, plus the lag reelwatch
/// aims for when a render is likely to finish.
///
/// ``PollSchedule`` polls rarely while a render is unlikely to be done (before ``windowStart``), every
/// ``lagTarget`` while most renders finish (until ``windowEnd``), and backs off after that.
///
/// The defaults come from the providers' documents:
/// - HeyGen avatar videos (v3, v1): "typically 5–15 minutes, can exceed 20 minutes during peak load" —
///   80 % off-peak, log-normal with median 8.5 min (σ 0.30), and 20 % at peak, median 14 min (σ 0.35).
///   That puts 86 % of renders between 5 and 15 minutes and 3 % past 20.
/// - HeyGen translations: longer — median 15 min (σ 0.45).
/// - Hera motion graphics: "usually 30–120 s" — median 60 s (σ 0.45).
public struct RenderTimeModel: Sendable, Hashable {
    /// One log-normal component of the mixture.
    public struct Component: Sendable, Hashable {
        /// The share of renders that follow this component.
        public var weight: Double
        /// The median render time.
        public var median: Duration
        /// The standard deviation of the logarithm of the render time.
        public var sigma: Double

        /// Creates a component.
        public init(weight: Double, median: Duration, sigma: Double) {
            self.weight = weight
            self.median = median
            self.sigma = sigma
        }
    }

    /// The mixture's components; weights should sum to 1.
    public var components: [Component]
    /// The detection lag aimed for while renders are likely to finish.
    public var lagTarget: Duration
    /// Polling at `lagTarget` starts when this share of renders would be done.
    public var windowStartQuantile: Double = 0.05
    /// Polling at `lagTarget` ends (and backoff starts) when this share of renders would be done.
    public var windowEndQuantile: Double = 0.95

    /// Creates a model.
    public init(components: [Component], lagTarget: Duration) {
        self.components = components
        self.lagTarget = lagTarget
    }

    /// HeyGen avatar videos (v3 and v1).
    public static let heygenAvatar = RenderTimeModel(
        components: [
            Component(weight: 0.8, median: .seconds(510), sigma: 0.30),
            Component(weight: 0.2, median: .seconds(840), sigma: 0.35),
        ],
        lagTarget: .seconds(20)
    )

    /// HeyGen video translations.
    public static let heygenTranslation = RenderTimeModel(
        components: [Component(weight: 1, median: .seconds(900), sigma: 0.45)],
        lagTarget: .seconds(30)
    )

    /// HeyGen Video Agent sessions: 20–45 minutes, longer when an account runs many at once.
    public static let heygenVideoAgent = RenderTimeModel(
        components: [
            Component(weight: 0.8, median: .seconds(1800), sigma: 0.30),
            Component(weight: 0.2, median: .seconds(3000), sigma: 0.40),
        ],
        lagTarget: .seconds(30)
    )

    /// Hera motion graphics.
    public static let heraMotionGraphics = RenderTimeModel(
        components: [Component(weight: 1, median: .seconds(60), sigma: 0.45)],
        lagTarget: .seconds(5)
    )

    /// The default model for `api`: the one its adapter declares.
    public static func `default`(for api: ProviderAPI) -> RenderTimeModel { api.adapter.renderTimeModel }

    /// The share of renders done within `time`.
    public func cumulative(_ time: Duration) -> Double {
        let seconds = time.secondsValue
        guard seconds > 0 else { return 0 }
        return components.reduce(0) { sum, component in
            let z = log(seconds / component.median.secondsValue) / (component.sigma * 2.0.squareRoot())
            return sum + component.weight * 0.5 * (1 + erf(z))
        }
    }

    /// The render time by which a share `p` (0 < p < 1) of renders is done.
    public func quantile(_ p: Double) -> Duration {
        var low = 0.0
        var high = 86_400.0
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if cumulative(.seconds(middle)) < p { low = middle } else { high = middle }
        }
        return .milliseconds(Int64((high * 1000).rounded()))
    }

    /// When polling at ``lagTarget`` starts.
    public var windowStart: Duration { quantile(windowStartQuantile) }
    /// When polling at ``lagTarget`` ends.
    public var windowEnd: Duration { quantile(windowEndQuantile) }
    /// The median render time.
    public var median: Duration { quantile(0.5) }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
