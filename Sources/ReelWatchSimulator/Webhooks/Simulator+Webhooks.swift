import Foundation
import ReelWatch

extension Simulator {
    /// Whether renders of `api` send webhooks (as its ``SimulatedAPI/sendsWebhooks`` says; Hera has none).
    public static func sendsWebhooks(_ api: ProviderAPI) -> Bool {
        SimulatedAPIs.of(api)?.sendsWebhooks ?? true
    }

    /// Adds a destination every webhook event is delivered to (besides those a dispatcher is given).
    public func addWebhookDestination(_ destination: WebhookDestination) {
        webhookDestinations.append(destination)
    }

    /// Removes every destination added with ``addWebhookDestination(_:)``.
    public func removeWebhookDestinations() {
        webhookDestinations.removeAll()
    }

    /// Every destination webhooks go to: those added with ``addWebhookDestination(_:)``, and each endpoint registered
    /// through the endpoint API (`POST /v3/webhooks/endpoints`) with its current secret and its events.
    public func allWebhookDestinations() -> [WebhookDestination] {
        webhookDestinations
            + webhookEndpoints().map { endpoint in
                WebhookDestination(
                    url: endpoint.url, secret: endpoint.secret, eventTypes: endpoint.events.map(Set.init))
            }
    }

    /// Makes the webhook deliveries of the next rounds meet `faults` (the events held back by a reorder fault, too).
    public func injectWebhookFaults(_ faults: WebhookFaults) {
        webhookFaults = faults
    }

    /// The events of renders that have ended since the last call, in the order they ended; each event is made
    /// once, when simulated time first passes its render's end, and handed out once.
    ///
    /// - Parameter fileBase: the scheme and authority of the simulator's file links (`http://127.0.0.1:PORT`), for
    ///   the `url` of success events.
    public func takeEndedEvents(fileBase: String) -> [SimulatedWebhookEvent] {
        makeEndedEvents(fileBase: fileBase)
        let taken = Array(webhookEvents[takenEventCount...])
        takenEventCount = webhookEvents.count
        return taken
    }

    /// Makes the events of every render that has ended and has none yet.
    func makeEndedEvents(fileBase: String) {
        for item in pendingEnds.removeAll(through: now) {
            guard let entry = jobs[item.ref], entry.serial == item.serial else { continue }
            webhookEvents.append(event(of: entry, fileBase: fileBase))
            counts.webhookEvents += 1
        }
    }

    /// The next round of deliveries: the events ended since the last round with the faults they meet, in the order
    /// to send them. Events a reorder fault holds back wait for the next round, and go after its new events.
    func takeWebhookRound(fileBase: String) -> [(event: SimulatedWebhookEvent, plan: WebhookFaults.Plan)] {
        let faults = webhookFaults
        var round: [(event: SimulatedWebhookEvent, plan: WebhookFaults.Plan)] = []
        var holding: [SimulatedWebhookEvent] = []
        for event in takeEndedEvents(fileBase: fileBase) {
            let plan = faults.plan(forEvent: event.sequence)
            if plan.reordered {
                holding.append(event)
            } else {
                round.append((event, plan))
            }
        }
        round += heldBackEvents.map { ($0, faults.plan(forEvent: $0.sequence)) }
        heldBackEvents = holding
        return round
    }

    /// Keeps what became of deliveries and counts it.
    func record(_ deliveries: [WebhookDeliveryRecord]) {
        webhookDeliveries += deliveries
        for delivery in deliveries {
            counts.webhookDeliveries += 1
            counts.webhookRequests += delivery.attempts
            if delivery.plan.dropped {
                counts.webhooksDropped += 1
                continue
            }
            if delivery.plan.duplicated { counts.webhooksDuplicated += 1 }
            if delivery.plan.badSignature { counts.webhooksWithBadSignature += 1 }
            if delivery.plan.reordered { counts.webhooksReordered += 1 }
            if delivery.delivered { counts.webhooksDelivered += 1 } else { counts.webhooksFailed += 1 }
        }
    }

    /// The event of `entry`'s ended render, as HeyGen sends it: the API's ``SimulatedAPI/webhookEvent`` kind and ID
    /// key (`avatar_video.*` and `video_id` unless it says otherwise), its failure key and extra data.
    private func event(of entry: Entry, fileBase: String) -> SimulatedWebhookEvent {
        let job = entry.job
        let ended = epoch.addingTimeInterval(entry.endsAt.seconds.rounded(.down))
        let simulated = SimulatedAPIs.of(job.ref.api)
        let declared = simulated?.webhookEvent
        var data: [String: JSONValue] = [
            declared?.idKey ?? "video_id": .string(job.ref.id), "callback_id": .optional(job.callbackID),
        ]
        data.merge(simulated?.webhookExtraData ?? [:]) { own, _ in own }
        let succeeded: Bool
        switch job.outcome {
        case .success:
            succeeded = true
            let times = StatusBodies.Times(
                created: epoch.addingTimeInterval(entry.addedAt.seconds), completed: ended, now: ended,
                linkLifetime: StatusBodies.linkLifetime)
            data["url"] = .optional(
                StatusBodies.files(for: job).first { $0.kind == .video }.map {
                    StatusBodies.url(of: $0, job: job, base: fileBase, times: times)
                })
        case .failure(_, let message, _):
            succeeded = false
            data[simulated?.webhookFailureKey ?? "msg"] = .string(message)
        }
        let sequence = webhookEvents.count
        return SimulatedWebhookEvent(
            id: SimulatedWebhookEvent.id(sequence: sequence, seed: eventIDSeed),
            type: (declared?.kind ?? "avatar_video")
                + (succeeded ? ".success" : ".fail"),
            data: .object(data),
            ref: job.ref,
            createdAt: ended,
            sequence: sequence
        )
    }
}
