/// Metric families in the Prometheus text model, collected fresh for each write.
public struct MetricFamily: Equatable, Sendable {
    public enum Kind: String, Sendable { case counter, gauge }

    public struct Sample: Equatable, Sendable {
        public var labels: [(String, String)]
        public var value: Double

        public init(labels: [(String, String)] = [], value: Double) {
            self.labels = labels
            self.value = value
        }

        public static func == (left: Sample, right: Sample) -> Bool {
            left.value == right.value && left.labels.elementsEqual(right.labels, by: ==)
        }
    }

    public let name: String
    public let help: String
    public let kind: Kind
    public var samples: [Sample]
}

/// An ordered set of metric families. Registration enforces the naming rules
/// that `promtool check metrics` lints, so a bad name fails in tests rather than
/// in someone's monitoring.
public struct MetricsRegistry: Sendable {
    public private(set) var families: [MetricFamily] = []

    public init() {}

    /// Registers a family (idempotent for the same name) and returns its index.
    @discardableResult
    public mutating func declare(_ name: String, kind: MetricFamily.Kind, help: String) -> Int {
        precondition(name.hasPrefix("nayer_"), "metric \(name) lacks the nayer_ prefix")
        precondition(name.hasSuffix("_total") == (kind == .counter), "only counters end in _total: \(name)")
        if let index = families.firstIndex(where: { $0.name == name }) { return index }
        families.append(MetricFamily(name: name, help: help, kind: kind, samples: []))
        return families.count - 1
    }

    public mutating func set(_ name: String, kind: MetricFamily.Kind, help: String,
                             labels: [(String, String)] = [], value: Double) {
        let index = declare(name, kind: kind, help: help)
        families[index].samples.append(MetricFamily.Sample(labels: labels, value: value))
    }
}
