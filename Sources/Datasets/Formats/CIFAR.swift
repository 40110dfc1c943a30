/// The CIFAR "binary version" files: fixed-size records, each one label byte (CIFAR-10)
/// or a coarse and a fine label byte (CIFAR-100), then 3072 pixel bytes: the 32x32 red
/// plane, then green, then blue, rows top to bottom. That is already CHW.
public enum CIFAR {
    public static let imageBytes = 3 * 32 * 32

    public enum Variant: Sendable {
        case cifar10, cifar100

        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        var recordSize: Int { labelBytes + CIFAR.imageBytes }
        public var classCount: Int { self == .cifar10 ? 10 : 100 }
        public var classNames: [String] { self == .cifar10 ? cifar10ClassNames : cifar100ClassNames }
    }

    /// Reads and concatenates `paths` (e.g. data_batch_1.bin ... data_batch_5.bin).
    /// CIFAR-100 images are labelled with their fine (100-class) label; the coarse
    /// labels are returned beside them.
    public static func load(paths: [String], variant: Variant) throws(DatasetError) -> (images: LabeledImages, coarseLabels: [Int]?) {
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var coarse: [Int] = []
        for path in paths {
            let bytes = try FileIO.readAll(path)
            let recordCount = try checkSize(bytes.count, variant: variant, path: path)
            pixels.reserveCapacity(pixels.count + recordCount * imageBytes)
            for record in 0..<recordCount {
                let start = record * variant.recordSize
                let fine = Int(bytes[start + variant.labelBytes - 1])
                guard fine < variant.classCount else {
                    throw DatasetError(path: path, kind: .labelOutOfRange,
                                       reason: "label \(fine) of record \(record) is outside 0..<\(variant.classCount)")
                }
                if variant == .cifar100 {
                    let superclass = Int(bytes[start])
                    guard superclass < 20 else {
                        throw DatasetError(path: path, kind: .labelOutOfRange,
                                           reason: "coarse label \(superclass) of record \(record) is outside 0..<20")
                    }
                    coarse.append(superclass)
                }
                labels.append(fine)
                pixels.append(contentsOf: bytes[(start + variant.labelBytes) ..< (start + variant.recordSize)])
            }
        }
        let images = try LabeledImages(
            pixels: pixels, labels: labels, channels: 3, height: 32, width: 32,
            classCount: variant.classCount, classNames: variant.classNames, path: paths.first ?? "")
        return (images, variant == .cifar100 ? coarse : nil)
    }

    private static func checkSize(_ size: Int, variant: Variant, path: String) throws(DatasetError) -> Int {
        guard size > 0 else {
            throw DatasetError(path: path, kind: .truncated, reason: "file is empty")
        }
        let remainder = size % variant.recordSize
        guard remainder == 0 else {
            throw DatasetError(path: path, kind: .truncated,
                               reason: "\(size) bytes is not a whole number of \(variant.recordSize)-byte records (last record has \(remainder) bytes: truncated)")
        }
        return size / variant.recordSize
    }

    public static let cifar10ClassNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]

    /// Fine labels in label order, as in the dataset's fine_label_names.txt.
    public static let cifar100ClassNames = [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ]
}
