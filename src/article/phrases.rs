//! The word and phrase lists the extractor compares page text with (data in `assets/phrases/`,
//! one entry a line, `#` comment lines), parsed once, and the one folding (case, accents,
//! apostrophes, `ß`, whitespace) that both a list and the text go through before they meet.

use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A list read from its data file: entries trimmed and folded, comments and blank lines skipped.
pub(crate) type PhraseList = LazyLock<Vec<String>>;

macro_rules! phrase_list {
    ($(#[$doc:meta])* $name:ident = $file:literal) => {
        $(#[$doc])*
        pub(crate) static $name: PhraseList = LazyLock::new(|| {
            parse_list(include_str!(concat!("../../assets/phrases/", $file)))
        });
    };
}

phrase_list!(
    /// Class/id tokens that start with one of these name a boilerplate block.
    HINT_PREFIXES = "hint-prefixes.txt"
);
phrase_list!(
    /// Words of class/id tokens that name a boilerplate block.
    HINT_WORDS = "hint-words.txt"
);
phrase_list!(
    /// Class/id words that mark the article body: never removed on a negative hint.
    POSITIVE_WORDS = "positive-words.txt"
);
phrase_list!(
    /// ARIA roles of page furniture.
    BOILERPLATE_ROLES = "boilerplate-roles.txt"
);
phrase_list!(
    /// Class/id tokens that name the article's body itself (`entry-content`, `article-body`…).
    BODY_MARKERS = "body-markers.txt"
);
phrase_list!(
    /// Pitches and prompts: boilerplate wherever they appear in a short block.
    BOILERPLATE_PHRASES = "boilerplate-phrases.txt"
);
phrase_list!(
    /// Disclosures, reprint and licence notices: boilerplate in a block of a few sentences.
    NOTICE_PHRASES = "notice-phrases.txt"
);
phrase_list!(
    /// Words that are boilerplate only when they are (nearly) the whole block.
    BOILERPLATE_LABELS = "boilerplate-labels.txt"
);
phrase_list!(
    /// Labels that open what follows an article (related reading, author box, comments…).
    END_LABELS = "end-labels.txt"
);
phrase_list!(
    /// Picture agencies and credit words.
    CREDIT_WORDS = "credit-words.txt"
);
phrase_list!(
    /// Labels that start a photo credit or a source line.
    CREDIT_LABELS = "credit-labels.txt"
);
phrase_list!(
    /// Labels of related-reading lines and blocks ("À lire aussi", "See also").
    RELATED_LABELS = "related-labels.txt"
);
phrase_list!(
    /// Labels of a "via" credit.
    VIA_LABELS = "via-labels.txt"
);
phrase_list!(
    /// Labels of a source credit.
    SOURCE_LABELS = "source-labels.txt"
);

phrase_list!(
    /// Heading words that tie a block of links to the article ("Related", "Mehr zum Thema").
    BLOCK_TIE_PHRASES = "block-tie-phrases.txt"
);
phrase_list!(
    /// Headings that tie a block only as the whole heading ("More:").
    BLOCK_TIE_HEADINGS = "block-tie-headings.txt"
);
phrase_list!(
    /// Heading words of site-wide rivers and furniture ("More from", "Latest", "Most read").
    BLOCK_RIVER_PHRASES = "block-river-phrases.txt"
);
phrase_list!(
    /// Block headings that recommend ("You might also like"): refused on a dated stream.
    RECOMMENDATION_PHRASES = "recommendation-phrases.txt"
);
phrase_list!(
    /// Anchor texts that say "go there" ("Read more"), not what is there.
    GENERIC_ANCHORS = "generic-anchors.txt"
);

/// Whether a text contains any phrase of a list, by the phrases' first three bytes: a table
/// of those prefixes (a few microseconds to build), probed at each byte of the text, and the
/// phrases with the prefix found compared in full. Same answer as an Aho-Corasick automaton's
/// `is_match`, which took hundreds of microseconds to build in every process that extracts
/// a page (and searched no faster).
pub(crate) struct PhraseMatcher {
    /// Slot per hashed prefix: the range of `by_prefix` holding that prefix's phrases.
    slots: Vec<(u32, u32, u32)>,
    /// Indices into `phrases`, grouped by prefix.
    by_prefix: Vec<usize>,
    phrases: Vec<Vec<u8>>,
    /// Phrases under three bytes: searched for as they are.
    short: Vec<Vec<u8>>,
}

/// Slots of the prefix table (a power of two, several times the longest list).
const PREFIX_SLOTS: usize = 2048;

fn prefix_key(bytes: &[u8]) -> u32 {
    u32::from(bytes[0]) | u32::from(bytes[1]) << 8 | u32::from(bytes[2]) << 16
}

fn prefix_slot(key: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> 21) as usize & (PREFIX_SLOTS - 1)
}

impl PhraseMatcher {
    pub(crate) fn new<P: AsRef<[u8]>>(list: impl IntoIterator<Item = P>) -> Self {
        let mut phrases = Vec::new();
        let mut short = Vec::new();
        for phrase in list {
            let phrase = phrase.as_ref();
            if phrase.len() < 3 {
                short.push(phrase.to_vec());
            } else {
                phrases.push(phrase.to_vec());
            }
        }
        // Group by slot (phrases of one slot may have different prefixes: each is compared
        // in full anyway).
        let mut order: Vec<usize> = (0..phrases.len()).collect();
        order.sort_by_key(|&i| prefix_slot(prefix_key(&phrases[i])));
        let mut slots = vec![(0u32, 0u32, 0u32); PREFIX_SLOTS];
        let mut start = 0;
        while start < order.len() {
            let slot = prefix_slot(prefix_key(&phrases[order[start]]));
            let mut end = start;
            while end < order.len() && prefix_slot(prefix_key(&phrases[order[end]])) == slot {
                end += 1;
            }
            slots[slot] = (1, start as u32, end as u32);
            start = end;
        }
        PhraseMatcher {
            slots,
            by_prefix: order,
            phrases,
            short,
        }
    }

    /// Whether `text` contains one of the phrases.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        if self
            .short
            .iter()
            .any(|p| memchr::memmem::find(bytes, p).is_some())
        {
            return true;
        }
        if self.phrases.is_empty() || bytes.len() < 3 {
            return false;
        }
        for i in 0..=bytes.len() - 3 {
            let (used, start, end) = self.slots[prefix_slot(prefix_key(&bytes[i..]))];
            if used == 0 {
                continue;
            }
            let rest = &bytes[i..];
            if self.by_prefix[start as usize..end as usize]
                .iter()
                .any(|&p| rest.starts_with(&self.phrases[p]))
            {
                return true;
            }
        }
        false
    }
}

/// One entry a line, trimmed; blank lines and lines starting with `#` skipped; each folded.
fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(fold)
        .collect()
}

/// Fold one character for comparison: lower case, accents removed, typographic apostrophes
/// as `'`, `ß` as `ss`, any whitespace as one space. Each folded character goes to `push`.
fn fold_char(c: char, mut push: impl FnMut(char)) {
    // Most text is ASCII: no normalisation needed.
    if c.is_ascii() {
        push(if c.is_ascii_whitespace() {
            ' '
        } else {
            c.to_ascii_lowercase()
        });
        return;
    }
    let c = match c {
        '’' | '‘' | 'ʼ' | '´' => '\'',
        'ß' => {
            push('s');
            push('s');
            return;
        }
        c if c.is_whitespace() => ' ',
        c => c,
    };
    for lower in c.to_lowercase() {
        for d in std::iter::once(lower).nfd() {
            if !is_combining_mark(d) {
                push(d);
            }
        }
    }
}

/// `text` folded for comparison with a phrase list (see [`fold_char`]).
pub(crate) fn fold(text: &str) -> String {
    // ASCII text (most of it): lower case and one space for each whitespace, byte by byte.
    if text.is_ascii() {
        return text
            .bytes()
            .map(|b| {
                char::from(if b.is_ascii_whitespace() {
                    b' '
                } else {
                    b.to_ascii_lowercase()
                })
            })
            .collect();
    }
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, |d| folded.push(d));
    }
    folded
}

/// The first `max_chars` characters of `text` folded, with, for each folded byte, the byte
/// offset in `text` of the character it came from (and one past the end: where the folded
/// part stops in `text`).
pub(crate) fn fold_with_offsets(text: &str, max_chars: usize) -> (String, Vec<usize>) {
    let capacity = text.len().min(max_chars.saturating_mul(2));
    let mut folded = String::with_capacity(capacity);
    let mut offsets = Vec::with_capacity(capacity + 1);
    let mut stop = text.len();
    for (n, (i, c)) in text.char_indices().enumerate() {
        if n == max_chars {
            stop = i;
            break;
        }
        fold_char(c, |d| {
            folded.push(d);
            offsets.extend(std::iter::repeat_n(i, d.len_utf8()));
        });
    }
    offsets.push(stop);
    (folded, offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_skip_comments_and_blanks_and_are_folded() {
        assert_eq!(
            parse_list("# a comment\n\n  Lesen Sie AUCH \nÀ lire\nn’engagent\nStraße\n"),
            ["lesen sie auch", "a lire", "n'engagent", "strasse"]
        );
    }

    #[test]
    fn every_list_loads_and_holds_folded_entries() {
        let lists: [&PhraseList; 19] = [
            &HINT_PREFIXES,
            &HINT_WORDS,
            &POSITIVE_WORDS,
            &BOILERPLATE_ROLES,
            &BODY_MARKERS,
            &BOILERPLATE_PHRASES,
            &NOTICE_PHRASES,
            &BOILERPLATE_LABELS,
            &END_LABELS,
            &CREDIT_WORDS,
            &CREDIT_LABELS,
            &RELATED_LABELS,
            &VIA_LABELS,
            &SOURCE_LABELS,
            &BLOCK_TIE_PHRASES,
            &BLOCK_TIE_HEADINGS,
            &BLOCK_RIVER_PHRASES,
            &RECOMMENDATION_PHRASES,
            &GENERIC_ANCHORS,
        ];
        for list in lists {
            assert!(!list.is_empty());
            assert!(
                list.iter()
                    .all(|entry| !entry.is_empty() && fold(entry) == *entry)
            );
        }
        assert!(RELATED_LABELS.iter().any(|l| l == "a lire aussi"));
        assert!(BOILERPLATE_LABELS.iter().any(|l| l == "publie"));
    }

    #[test]
    fn the_prefix_matcher_answers_as_an_automaton_does() {
        let lists: [&PhraseList; 4] = [
            &BOILERPLATE_PHRASES,
            &NOTICE_PHRASES,
            &RELATED_LABELS,
            &END_LABELS,
        ];
        let mut texts: Vec<String> = vec![
            String::new(),
            "ab".into(),
            "a".into(),
            "plain prose about the weather and nothing else".into(),
        ];
        for list in lists {
            for phrase in list.iter() {
                texts.push(format!("x {phrase} y"));
                texts.push(phrase.clone());
                // Cut short by a character: usually no longer a match.
                if let Some((i, _)) = phrase.char_indices().last() {
                    texts.push(phrase[..i].to_string());
                }
            }
        }
        for list in lists {
            let automaton = aho_corasick::AhoCorasick::new(list.iter()).unwrap();
            let matcher = PhraseMatcher::new(list.iter());
            let mut matches = 0;
            for text in &texts {
                let expected = automaton.is_match(text.as_str());
                assert_eq!(matcher.is_match(text), expected, "{text:?}");
                matches += usize::from(expected);
            }
            assert!(matches >= list.len());
        }
        // Phrases shorter than the prefix are found too.
        let matcher = PhraseMatcher::new(["ab", "x", "longer one"]);
        assert!(matcher.is_match("cab"));
        assert!(matcher.is_match("x"));
        assert!(matcher.is_match("a longer one"));
        assert!(!matcher.is_match("a longer on"));
        assert!(!PhraseMatcher::new(Vec::<String>::new()).is_match("anything"));
    }

    #[test]
    fn ascii_text_folds_as_each_character_does() {
        let ascii: String = (0u8..128).map(char::from).collect();
        let mut by_char = String::new();
        for c in ascii.chars() {
            fold_char(c, |d| by_char.push(d));
        }
        assert_eq!(fold(&ascii), by_char);
        assert_eq!(fold("Lesen\tSie\u{b}AUCH"), "lesen sie\u{b}auch");
    }

    #[test]
    fn offsets_point_back_into_the_text() {
        let (folded, offsets) = fold_with_offsets("À lire: x", 64);
        assert_eq!(folded, "a lire: x");
        assert_eq!(offsets.len(), folded.len() + 1);
        assert_eq!(offsets[1], "À".len());
        let (folded, offsets) = fold_with_offsets("Straße ist", 6);
        assert_eq!(folded, "strasse");
        assert_eq!(*offsets.last().unwrap(), "Straße".len());
    }
}
