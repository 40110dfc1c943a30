import Testing
import TextEncoder

@Suite struct BasicTokenizerTests {
    @Test func stripsAccentsByDecomposingAndDroppingNonspacingMarks() {
        #expect(BasicTokenizer.stripAccents("café naïve Zürich résumé") == "cafe naive Zurich resume")
        // Precomposed and decomposed input end up as the same scalars.
        #expect(Array(BasicTokenizer.stripAccents("e\u{301}").unicodeScalars) == ["e"])
        // Spacing combining marks (Mc) stay: only Mn goes.
        #expect(BasicTokenizer.stripAccents("\u{915}\u{93F}").unicodeScalars.count == 2)
    }

    @Test func lowerCasesAfterStrippingAccents() {
        #expect(BasicTokenizer.words(in: "HELLO Ångström İstanbul") == ["hello", "angstrom", "istanbul"])
        // No final-sigma context: every capital sigma becomes σ.
        #expect(BasicTokenizer.words(in: "ΣΟΣ") == ["σοσ"])
    }

    @Test func splitsOnWhitespaceAndAroundPunctuation() {
        #expect(BasicTokenizer.words(in: "Hello,  world!\tIt's\n$5+x") ==
                ["hello", ",", "world", "!", "it", "'", "s", "$", "5", "+", "x"])
        #expect(BasicTokenizer.words(in: "«quoted»—dash…") == ["«", "quoted", "»", "—", "dash", "…"])
        #expect(BasicTokenizer.words(in: " \t\n ").isEmpty)
    }

    @Test func punctuationFollowsBertDefinition() {
        for ascii in ["!", "/", ":", "@", "[", "`", "{", "~", "$", "^", "|"] {
            #expect(BasicTokenizer.isPunctuation(ascii.unicodeScalars.first!), "\(ascii)")
        }
        for other in ["a", "0", " ", "€", "©"] {
            #expect(!BasicTokenizer.isPunctuation(other.unicodeScalars.first!), "\(other)")
        }
        #expect(BasicTokenizer.isPunctuation("¿"))
    }

    @Test func isolatesEachChineseCharacterButNotKanaOrHangul() {
        #expect(BasicTokenizer.words(in: "mixed中文and") == ["mixed", "中", "文", "and"])
        // Kana stay one word; the dakuten of が decomposes to a nonspacing mark and goes.
        #expect(BasicTokenizer.words(in: "ひらがな") == ["ひらかな"])
        #expect(BasicTokenizer.isChineseCharacter("\u{20000}"))
        #expect(!BasicTokenizer.isChineseCharacter("か"))
    }

    @Test func removesControlAndFormatCharactersButKeepsTabsAsSpace() {
        #expect(BasicTokenizer.words(in: "con\u{7}trol\u{0}zero\u{200B}width\u{AD}x") == ["controlzerowidthx"])
        #expect(BasicTokenizer.words(in: "a\u{FFFD}b\u{E000}c") == ["abc"])
        // Form feed is a control character before it is whitespace, so it joins words.
        #expect(BasicTokenizer.words(in: "a\u{C}b") == ["ab"])
        #expect(BasicTokenizer.words(in: "a\u{A0}b\u{3000}c") == ["a", "b", "c"])
        #expect(BasicTokenizer.isWhitespace("\t") && !BasicTokenizer.isControl("\t"))
    }
}
