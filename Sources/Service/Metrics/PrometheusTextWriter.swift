import FileSystem
import Foundation

/// Renders a registry in the Prometheus text exposition format (version 0.0.4)
/// and writes it atomically, as the node_exporter textfile collector expects.
public enum PrometheusTextWriter {
    public static func render(_ registry: MetricsRegistry) -> String {
        var text = ""
        for family in registry.families {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                text += family.name
                if !sample.labels.isEmpty {
                    text += "{" + sample.labels.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }
                        .joined(separator: ",") + "}"
                }
                text += " \(formatValue(sample.value))\n"
            }
        }
        return text
    }

    public static func write(_ registry: MetricsRegistry, to url: URL) throws {
        try DurableFile.write(render(registry).utf8, to: url.path)
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeLabelValue(_ text: String) -> String {
        escapeHelp(text).replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
