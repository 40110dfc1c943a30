import Distill
import Foundation

/// The manifest the daemon runs: the submitted JSON with its id made explicit and
/// every path absolute. The job directory is not the manifest's directory, so a
/// relative `teacher.weights` would otherwise resolve against the wrong place.
/// Values are written back exactly as parsed, so the job computes what the user asked.
enum ResolvedManifest {
    static func make(from data: Data, spec: JobSpec) throws -> Data {
        guard case .object(var root) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            throw ManifestError("the manifest must be a JSON object")
        }
        root["id"] = .string(spec.id)
        if let weights = spec.teacher.weights {
            setField(&root, object: "teacher", key: "weights", to: weights)
        }
        switch spec.labelEmbedding {
        case .file(let path):
            setField(&root, object: "label_embedding", key: "file", to: path)
        case .encoder(_, _, let modelDirectory):
            if let modelDirectory { setField(&root, object: "label_embedding", key: "model_dir", to: modelDirectory) }
        }
        if let path = spec.evaluation?.path {
            setField(&root, object: "eval", key: "path", to: path)
        }
        var text = ""
        write(.object(root), to: &text)
        return Data((text + "\n").utf8)
    }

    private static func setField(_ root: inout [String: JSONValue], object name: String, key: String, to path: String) {
        guard case .object(var object) = root[name] else { return }
        object[key] = .string(path)
        root[name] = .object(object)
    }

    /// JSON text with sorted keys. Integral numbers are written without a fraction and
    /// others with Swift's shortest round-tripping form, so parsing gives the same Double.
    static func write(_ value: JSONValue, to text: inout String) {
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .number(let number):
            if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
                text += String(Int64(number))
            } else {
                text += "\(number)"
            }
        case .string(let string): writeString(string, to: &text)
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += ", " }
                write(item, to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += ", " }
                writeString(key, to: &text)
                text += ": "
                write(members[key]!, to: &text)
            }
            text += "}"
        }
    }

    private static func writeString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
