// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "streams-archive",
    products: [
        .executable(name: "streams-archive", targets: ["streams-archive"]),
        .library(name: "StreamsArchive", targets: ["StreamsArchive"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "StreamsArchive",
            dependencies: [
                "CZlib",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Reports",
            dependencies: ["StreamsArchive"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "streams-archive",
            dependencies: [
                "StreamsArchive",
                "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "archive-bench",
            dependencies: [
                "StreamsArchive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/archive-bench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArchiveTests",
            dependencies: ["StreamsArchive", "Reports", "streams-archive", "archive-bench"],
            swiftSettings: swiftSettings
        ),
    ]
)
