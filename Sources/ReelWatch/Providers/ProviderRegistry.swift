/// Every API reelwatch follows: one line per adapter. Everything else — ref prefixes, routes, bulk and list
/// capabilities, webhook events, the simulator's routes — is read from the adapters listed here.
public enum ProviderRegistry {
    /// The adapters, in the order lists and help texts show them.
    static let registered: [any Provider] = [
        HeyGenV3Provider(),
        HeyGenV1Provider(),
        HeyGenTranslateProvider(),
        HeyGenTranslateV2Provider(),
        HeraProvider(),
        HeyGenLipsyncProvider(),
        HeyGenAgentProvider(),
        HeyGenClipProvider(),
        HeyGenBackgroundRemovalProvider(),
        HeyGenProofreadProvider(),
        HeyGenBatchProvider(),
        HeyGenLipsyncBatchProvider(),
        HeyGenTranslateBatchProvider(),
    ]

    /// Each registered API's adapter, by the API's name.
    static let adapters: [String: any Provider] = Dictionary(
        registered.map { ($0.api.rawValue, $0) }, uniquingKeysWith: { first, _ in first })

    /// The registered APIs, in registration order.
    static let apis: [ProviderAPI] = registered.map(\.api)
}
