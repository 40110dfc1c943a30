import Foundation

/// report.html: a self-contained page (inline SVG, relative links to the sample PNGs).
struct ReportPage {
    let spec: JobSpec
    let history: [EpochRecord]
    let summary: JobSummary
    let samples: [String]
    let manifest: String

    func html() -> String {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f %%", $0 * 100) } ?? "n/a" }
        let accuracyPoints = history.compactMap { r in r.testAccuracy.map { (Double(r.epoch), $0) } }
        let agreementPoints = history.map { (Double($0.epoch), $0.agreement) }
        let rows: [(String, String)] = [
            ("Teacher", "\(spec.teacher.architecture), test accuracy \(percent(summary.teacherAccuracy))"),
            ("Student", "\(spec.student.architecture), final \(percent(summary.finalAccuracy)), best \(percent(summary.bestAccuracy))"),
            ("Agreement with the teacher (synthetic images)", percent(summary.finalAgreement)),
            ("Agreement vs accuracy correlation", summary.agreementAccuracyCorrelation.map { String(format: "%.3f", $0) } ?? "n/a"),
            ("Time", String(format: "%.0f s (%.1f min)", summary.seconds, summary.seconds / 60)),
            ("Epochs", "\(spec.nayer.epochs) (warm-up \(spec.nayer.warmup))"),
        ]
        var body = "<h1>nayerd report: \(escape(spec.id))</h1>\n<table>\n"
        for (name, value) in rows { body += "<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>\n" }
        body += "</table>\n<h2>Learning curves</h2>\n"
        body += SVGChart(title: "Accuracy and agreement", yRange: 0...1, series: [
            .init(name: "student test accuracy", color: "#1f77b4", points: accuracyPoints),
            .init(name: "agreement with teacher", color: "#ff7f0e", points: agreementPoints),
        ] + (summary.teacherAccuracy.map { teacher in
            [SVGChart.Series(name: "teacher", color: "#2ca02c",
                             points: [(0, teacher), (Double(max(spec.nayer.epochs - 1, 1)), teacher)])]
        } ?? [])).svg()
        let lossSeries: [(String, String, KeyPath<EpochRecord, Double?>)] = [
            ("KD loss", "#d62728", \.distillationLoss), ("BN loss", "#9467bd", \.batchNormLoss),
            ("one-hot loss", "#8c564b", \.oneHotLoss),
        ]
        for (name, color, path) in lossSeries {
            let points = history.compactMap { r in r[keyPath: path].map { (Double(r.epoch), $0) } }
            guard let top = points.map(\.1).max(), top > 0 else { continue }
            body += SVGChart(title: name, yRange: 0...top * 1.05, series: [.init(name: name, color: color, points: points)]).svg()
        }
        if !samples.isEmpty {
            body += "<h2>Synthesized images (one row per class)</h2>\n"
            for name in samples {
                body += "<figure><img src=\"samples/\(escape(name))\" alt=\"\(escape(name))\"><figcaption>\(escape(name))</figcaption></figure>\n"
            }
        }
        body += "<h2>Manifest</h2>\n<pre>\(escape(manifest))</pre>\n"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>nayerd: \(escape(spec.id))</title>
        <style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}th{text-align:left;padding-right:1em}
        figure{display:inline-block;margin:0.5em}img{image-rendering:pixelated;width:320px}pre{background:#f4f4f4;padding:1em;overflow:auto}</style>
        </head><body>
        \(body)</body></html>

        """
    }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// A small line chart as inline SVG.
struct SVGChart {
    struct Series {
        let name: String
        let color: String
        let points: [(Double, Double)]
    }

    let title: String
    let yRange: ClosedRange<Double>
    let series: [Series]

    func svg(width: Double = 640, height: Double = 240) -> String {
        let margin = (left: 48.0, right: 16.0, top: 28.0, bottom: 28.0)
        let xs = series.flatMap { $0.points.map(\.0) }
        let xMin = xs.min() ?? 0, xMax = max(xs.max() ?? 1, (xs.min() ?? 0) + 1)
        func px(_ x: Double) -> Double { margin.left + (x - xMin) / (xMax - xMin) * (width - margin.left - margin.right) }
        func py(_ y: Double) -> Double {
            let span = max(yRange.upperBound - yRange.lowerBound, 1e-12)
            return height - margin.bottom - (y - yRange.lowerBound) / span * (height - margin.top - margin.bottom)
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">"
        svg += "<text x=\"\(margin.left)\" y=\"16\" font-size=\"13\">\(escape(title))</text>"
        svg += "<rect x=\"\(margin.left)\" y=\"\(margin.top)\" width=\"\(width - margin.left - margin.right)\" height=\"\(height - margin.top - margin.bottom)\" fill=\"none\" stroke=\"#ccc\"/>"
        for fraction in [0.0, 0.5, 1.0] {
            let value = yRange.lowerBound + fraction * (yRange.upperBound - yRange.lowerBound)
            svg += "<text x=\"4\" y=\"\(py(value) + 4)\" font-size=\"10\">\(String(format: "%.3g", value))</text>"
        }
        svg += "<text x=\"\(margin.left)\" y=\"\(height - 8)\" font-size=\"10\">epoch \(Int(xMin))</text>"
        svg += "<text x=\"\(width - margin.right - 60)\" y=\"\(height - 8)\" font-size=\"10\">epoch \(Int(xMax))</text>"
        for (index, line) in series.enumerated() where !line.points.isEmpty {
            let path = line.points.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(path)\"/>"
            svg += "<text x=\"\(width - margin.right - 180)\" y=\"\(margin.top + 14 + Double(index) * 13)\" font-size=\"11\" fill=\"\(line.color)\">\(escape(line.name))</text>"
        }
        return svg + "</svg>\n"
    }
}
