import Foundation

/// BERT's text normalizer and pre-tokenizer, matching Hugging Face's `BertNormalizer`
/// (clean_text, handle_chinese_chars, strip_accents, lowercase; in that order) followed by
/// `BertPreTokenizer` (split on whitespace, isolate each punctuation character).
///
/// Everything works on Unicode scalars, not `Character`s: the reference counts and splits
/// code points, and a grapheme cluster can join a punctuation mark with a combining mark.
public enum BasicTokenizer {
    /// The words of `text`, normalized and split, ready for WordPiece.
    public static func words(in text: String) -> [String] {
        words(in: Array(text.unicodeScalars)).map { String(String.UnicodeScalarView($0)) }
    }

    static func words(in scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        split(normalize(scalars))
    }

    /// Clean, pad CJK, strip accents, lower-case.
    public static func normalize(_ text: String) -> String {
        String(String.UnicodeScalarView(normalize(Array(text.unicodeScalars))))
    }

    static func normalize(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in scalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isChineseCharacter(scalar) {
                // Padding makes every CJK character its own word.
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(cleaned.count)
        for scalar in stripAccents(String(cleaned)).unicodeScalars {
            // Per scalar, without context (no final-sigma rule), as Rust's char::to_lowercase.
            result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return result
    }

    /// Canonical decomposition (NFD) with the nonspacing marks (category Mn) removed:
    /// "café" -> "cafe".
    public static func stripAccents(_ text: String) -> String {
        var view = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            view.append(scalar)
        }
        return String(view)
    }

    /// Splits on whitespace (dropped) and around punctuation (kept, one scalar per word).
    static func split(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if isWhitespace(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
            } else if isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Tab, newline and carriage return count as whitespace, not control, as in BERT.
    public static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return true
        default: return scalar.properties.isWhitespace
        }
    }

    /// Categories Cc, Cf, Co (Cs cannot occur in a Swift string). Unassigned code points
    /// (Cn) are kept, as the reference keeps them.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// BERT counts every non-alphanumeric printable ASCII character as punctuation (so
    /// "$", "+", "^" split too), plus every Unicode punctuation category.
    public static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        default:
            switch scalar.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default: return false
            }
        }
    }

    /// The CJK Unified Ideograph blocks BERT isolates. Deliberately not all of CJK: kana
    /// and Hangul are written with spaces and go through WordPiece like Latin text.
    public static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
