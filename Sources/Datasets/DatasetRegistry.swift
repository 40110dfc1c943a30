#if canImport(Glibc)
import Glibc
#endif

public enum DatasetSplit: String, Sendable, CaseIterable {
    case train, test
}

/// The datasets nayerd can read, by their command-line names.
public enum DatasetName: String, Sendable, CaseIterable {
    case fashionMNIST = "fashion-mnist"
    case mnist
    case cifar10
    case cifar100

    /// Where Debian packages install the data, if any package does; tried in order
    /// when the user gives no directory.
    public var defaultDirectories: [String] {
        switch self {
        case .fashionMNIST: ["/usr/share/datasets/fashion-mnist"]
        case .mnist: ["/usr/share/datasets/mnist"]
        case .cifar10, .cifar100: []
        }
    }

    public var classCount: Int {
        switch self {
        case .fashionMNIST, .mnist, .cifar10: 10
        case .cifar100: 100
        }
    }

    public var classNames: [String] {
        switch self {
        case .fashionMNIST: fashionMNISTClassNames
        case .mnist: (0..<10).map(String.init)
        case .cifar10: CIFAR.cifar10ClassNames
        case .cifar100: CIFAR.cifar100ClassNames
        }
    }

    /// [C, H, W] of the stored images (before any preprocessing).
    public var imageShape: [Int] {
        switch self {
        case .fashionMNIST, .mnist: [1, 28, 28]
        case .cifar10, .cifar100: [3, 32, 32]
        }
    }
}

public let fashionMNISTClassNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]

/// A dataset and the directory holding its files, as given on the command line in the
/// form `NAME[:DIR]`.
public struct DatasetLocation: Sendable, Equatable {
    public let name: DatasetName
    public let directory: String

    public init(name: DatasetName, directory: String) {
        self.name = name
        self.directory = directory
    }

    /// Parses `NAME[:DIR]`; without DIR, uses the first of the name's default
    /// directories that exists, and fails with advice when there is none.
    public init(parsing text: String) throws(DatasetError) {
        let colon = text.firstIndex(of: ":")
        let nameText = String(text[..<(colon ?? text.endIndex)])
        guard let name = DatasetName(rawValue: nameText.lowercased()) else {
            let known = DatasetName.allCases.map(\.rawValue).joined(separator: ", ")
            throw DatasetError(path: text, kind: .unknownDataset,
                               reason: "unknown dataset '\(nameText)' (known: \(known))")
        }
        if let colon {
            let directory = String(text[text.index(after: colon)...])
            guard !directory.isEmpty else {
                throw DatasetError(path: text, kind: .missingDirectory, reason: "empty directory after '\(nameText):'")
            }
            self.init(name: name, directory: directory)
            return
        }
        guard let directory = name.defaultDirectories.first(where: isDirectory) else {
            let tried = name.defaultDirectories.isEmpty
                ? "there is no default location"
                : "nothing at \(name.defaultDirectories.joined(separator: ", "))"
            throw DatasetError(path: text, kind: .missingDirectory,
                               reason: "\(name.rawValue) needs a directory (\(tried)); use \(name.rawValue):DIR")
        }
        self.init(name: name, directory: directory)
    }

    public func load(_ split: DatasetSplit) throws(DatasetError) -> LabeledImages {
        switch name {
        case .fashionMNIST, .mnist:
            let prefix = split == .train ? "train" : "t10k"
            return try IDX.load(
                imagesPath: try idxFile("\(prefix)-images-idx3-ubyte"),
                labelsPath: try idxFile("\(prefix)-labels-idx1-ubyte"),
                classCount: name.classCount, classNames: name.classNames)
        case .cifar10:
            let files = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
            return try CIFAR.load(paths: try cifarFiles(files, subdirectory: "cifar-10-batches-bin"),
                                  variant: .cifar10).images
        case .cifar100:
            return try CIFAR.load(paths: try cifarFiles(["\(split.rawValue).bin"], subdirectory: "cifar-100-binary"),
                                  variant: .cifar100).images
        }
    }

    /// The gzip file as distributed, or the same name uncompressed.
    private func idxFile(_ base: String) throws(DatasetError) -> String {
        let candidates = ["\(directory)/\(base).gz", "\(directory)/\(base)"]
        guard let found = candidates.first(where: FileIO.exists) else {
            throw DatasetError(path: candidates[0], kind: .notFound,
                               reason: "no such file (nor \(candidates[1]))")
        }
        return found
    }

    /// The files directly in the directory, or in the folder the CIFAR archive unpacks to.
    private func cifarFiles(_ names: [String], subdirectory: String) throws(DatasetError) -> [String] {
        for folder in [directory, "\(directory)/\(subdirectory)"] where FileIO.exists("\(folder)/\(names[0])") {
            return names.map { "\(folder)/\($0)" }
        }
        throw DatasetError(path: "\(directory)/\(names[0])", kind: .notFound,
                           reason: "no such file (nor in \(subdirectory)/)")
    }
}

private func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}
