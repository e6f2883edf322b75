// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "reelwatch",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ReelWatch", targets: ["ReelWatch"]),
        .library(name: "ReelWatchStore", targets: ["ReelWatchStore"]),
        .library(name: "ReelWatchDaemon", targets: ["ReelWatchDaemon"]),
        .library(name: "ReelWatchSimulator", targets: ["ReelWatchSimulator"]),
        .library(name: "ReelWatchTesting", targets: ["ReelWatchTesting"]),
        .library(name: "ReelWatchWebhooks", targets: ["ReelWatchWebhooks"]),
        .library(name: "ReelWatchServer", targets: ["ReelWatchServer"]),
        .executable(name: "reelwatch", targets: ["reelwatch"]),
        .executable(name: "reelwatch-bench", targets: ["reelwatch-bench"]),
        .executable(name: "reelwatch-fuzz", targets: ["reelwatch-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(
            url: "https://github.com/hummingbird-project/hummingbird",
            from: "2.28.1",
            traits: ["FullFoundation"]
        ),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        .target(
            name: "ReelWatch",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchStore",
            dependencies: [
                "ReelWatch",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchDaemon",
            dependencies: [
                "ReelWatch",
                "ReelWatchStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchSimulator",
            dependencies: [
                "ReelWatch",
                "ReelWatchWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchMCP",
            dependencies: [
                "ReelWatch",
                "ReelWatchDaemon",
                "ReelWatchStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchWebhooks",
            dependencies: [
                "ReelWatch",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchServer",
            dependencies: [
                "ReelWatch",
                "ReelWatchStore",
                "ReelWatchWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchTerminal",
            dependencies: ["ReelWatch"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchTesting",
            dependencies: [
                "ReelWatch",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "reelwatch",
            dependencies: [
                "ReelWatch",
                "ReelWatchDaemon",
                "ReelWatchMCP",
                "ReelWatchServer",
                "ReelWatchSimulator",
                "ReelWatchStore",
                "ReelWatchTerminal",
                "ReelWatchWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "reelwatch-bench",
            dependencies: [
                "ReelWatch",
                "ReelWatchDaemon",
                "ReelWatchSimulator",
                "ReelWatchServer",
                "ReelWatchStore",
                "ReelWatchWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "reelwatch-fuzz",
            dependencies: ["ReelWatch", "ReelWatchTerminal"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReelWatchTestSupport",
            dependencies: [
                "ReelWatch", "ReelWatchSimulator", "ReelWatchTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ReelWatchTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchDaemonTests",
            dependencies: [
                "ReelWatch", "ReelWatchDaemon", "ReelWatchSimulator", "ReelWatchStore", "ReelWatchTesting",
                "ReelWatchTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchTests",
            dependencies: [
                "ReelWatchTestSupport",
                "ReelWatch", "ReelWatchDaemon", "ReelWatchSimulator", "ReelWatchStore", "ReelWatchTerminal",
                "ReelWatchTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchSimulatorTests",
            dependencies: [
                "ReelWatch", "ReelWatchSimulator", "ReelWatchTesting", "ReelWatchTestSupport", "ReelWatchWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // Read from its path by SimulatorGoldenTests, not bundled.
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchTerminalTests",
            dependencies: ["ReelWatch", "ReelWatchTerminal"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchMCPTests",
            dependencies: [
                "reelwatch", "ReelWatch", "ReelWatchDaemon", "ReelWatchMCP", "ReelWatchSimulator", "ReelWatchStore",
                "ReelWatchTesting", "ReelWatchTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchStoreTests",
            dependencies: [
                "ReelWatch", "ReelWatchStore", "ReelWatchTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchServerTests",
            dependencies: [
                "ReelWatch", "ReelWatchDaemon", "ReelWatchServer", "ReelWatchSimulator", "ReelWatchStore",
                "ReelWatchTesting", "ReelWatchTestSupport", "ReelWatchWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchWebhooksTests",
            dependencies: ["ReelWatch", "ReelWatchWebhooks"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReelWatchCLITests",
            dependencies: [
                "reelwatch",
                "ReelWatch",
                "ReelWatchSimulator",
                "ReelWatchTestSupport",
                "ReelWatchWebhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
