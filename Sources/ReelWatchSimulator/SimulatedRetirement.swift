import ReelWatch

/// How HeyGen's retired legacy routes (`/v1/video_status.get`, `/v2/video_translate/{id}`) answer once the
/// simulator is told they are gone (``Simulator/retireLegacyRoutes(_:)``); their jobs stay on the successor routes.
public enum SimulatedRetirement: String, Sendable, Hashable, CaseIterable {
    /// `410 Gone` with a JSON message.
    case retired
    /// `404` with the plain-text body `Not Found`.
    case retired404 = "retired-404"

    /// The answer of a retired route of `api`.
    func answer(api: ProviderAPI) -> SimulatorResponse {
        switch self {
        case .retired:
            let successor = api.successor.map { $0.refPrefix } ?? api.refPrefix
            return .json(
                [
                    "code": 410,
                    "message": .string(
                        "This endpoint was retired on 2026-11-01; use the v3 API (\(successor): refs) instead"),
                    "data": nil,
                ],
                status: 410
            )
        case .retired404:
            return SimulatorResponse(status: 404, contentType: "text/plain", body: Array("Not Found".utf8))
        }
    }
}
