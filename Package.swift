// swift-tools-version:6.0
// Layers, lowest first; a module imports only modules above it (see DESIGN.md).
import PackageDescription

// Numeric modules: AVX2 code generation ("haswell": AVX2 and FMA, on every x86-64 server
// CPU since 2013; this project targets x86-64 Debian). Without it SIMD8 splits into two
// SSE halves; measured 4-8 % on the KD step. No fast-math: a * b + c is not contracted
// into FMA, so results keep their bits.
let optimized: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo", "-target-cpu", "haswell"],
                                              .when(configuration: .release))]

let package = Package(
    name: "nayerd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nayerd", targets: ["nayerd"]),
        .executable(name: "nayer-bench", targets: ["nayer-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Software prefetch for the streaming kernels (C, because Swift has no prefetch).
        .target(name: "CPrefetch"),
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma"])]),
        // Checked system calls and crash-safe file replacement, shared by every layer that does I/O.
        .target(name: "FileSystem"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CPrefetch", "CKernels"], swiftSettings: optimized),
        .target(name: "Autograd", dependencies: ["Tensor"], swiftSettings: optimized),
        .target(name: "SafeTensors", dependencies: ["Tensor", "FileSystem"]),
        .target(name: "NN", dependencies: ["Autograd", "SafeTensors"], swiftSettings: optimized),
        .target(name: "Models", dependencies: ["NN", "SafeTensors"], swiftSettings: optimized),
        .target(name: "TextEncoder", dependencies: ["NN", "SafeTensors"], swiftSettings: optimized),
        .target(name: "Datasets", dependencies: ["Tensor", "CZlib", "FileSystem"], swiftSettings: optimized),
        .target(name: "Distill", dependencies: ["Models", "TextEncoder", "Datasets", "FileSystem"], swiftSettings: optimized),
        .target(name: "Service", dependencies: ["CSystemd", "FileSystem"]),
        .target(name: "Commands", dependencies: ["Distill", "Service"]),
        .executableTarget(name: "nayerd", dependencies: ["Commands"]),
        .executableTarget(name: "nayer-bench", dependencies: ["Commands"]),

        // Helpers shared by the test targets: closeness checks, finite-difference
        // gradient checks, fixture loading, test doubles.
        .target(name: "TestSupport", dependencies: ["Models", "SafeTensors", "Service"],
                path: "Tests/TestSupport"),

        .testTarget(name: "FileSystemTests", dependencies: ["FileSystem", "TestSupport"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"]),
        .testTarget(name: "TextEncoderTests", dependencies: ["TextEncoder", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "DistillTests", dependencies: ["Distill", "TestSupport"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "TestSupport"]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands", "TestSupport"]),
    ]
)
