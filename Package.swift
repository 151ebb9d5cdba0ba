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
        .library(name: "StreamsReceiver", targets: ["StreamsReceiver"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libdeflate: whole-buffer deflate for sealed files' members (smaller than zlib's level 9, and faster).
        .systemLibrary(
            name: "CLibdeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // LZ4: timelines' phase-one spill, compressed at a few GB/s so a large day's spill is a quarter of the
        // bytes through the page cache and the disk.
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // glibc's mallopt and malloc_trim, so the batch steps' RSS follows what they hold (`ProcessMemory`).
        .systemLibrary(name: "CMalloc"),
        // The archive core: model, JSON, codec, files, partitions, writer, recovery, seal, verify, retention.
        // No server or network dependency: a data tool that only reads or keeps the archive links this alone.
        .target(
            name: "StreamsArchive",
            dependencies: [
                "CZlib",
                "CLibdeflate",
                "CMalloc",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The receiver (`serve`): the only target that links Hummingbird, NIO and Prometheus (swift-crypto for
        // OAuth2 tokens' HMAC, which the core already links).
        .target(
            name: "StreamsReceiver",
            dependencies: [
                "StreamsArchive",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // The batch side: scan a day, campaign report, timelines, the nightly pipeline.
        .target(
            name: "Reports",
            dependencies: ["StreamsArchive", "CLZ4"],
            swiftSettings: swiftSettings
        ),
        // An S3 API client: SigV4 signing, credentials and endpoints read as the AWS CLI reads them, the object
        // and multipart calls over FoundationNetworking's URLSession (libcurl: TLS with the system's CA store).
        // Knows nothing of the archive.
        .target(
            name: "ObjectStorage",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The archive's long-term home: ship sealed hours, reports and rejected input to a bucket and confirm
        // them, restore a day, compare a bucket with the manifests.
        .target(
            name: "Shipping",
            dependencies: ["StreamsArchive", "ObjectStorage"],
            swiftSettings: swiftSettings
        ),
        // Tooling: realistic generated traffic and the replay load generator (which reads credentials the way
        // the receiver does). No library links it: only the command line and the benchmarks.
        .target(
            name: "StreamsTraffic",
            dependencies: ["StreamsArchive", "StreamsReceiver"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "streams-archive",
            dependencies: [
                "StreamsArchive",
                "StreamsReceiver",
                "Reports",
                "ObjectStorage",
                "Shipping",
                "StreamsTraffic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "archive-bench",
            dependencies: [
                "StreamsArchive",
                "StreamsReceiver",
                "Reports",
                "StreamsTraffic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/archive-bench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArchiveTests",
            dependencies: [
                "StreamsArchive", "StreamsReceiver", "Reports", "ObjectStorage", "Shipping", "StreamsTraffic", "streams-archive", "archive-bench",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
