//! Text from strangers made safe for a terminal: escape sequences, control characters, bidi
//! overrides and invisible formatting removed; whitespace folded. Applied at ingest and again at
//! every output (TUI, plain CLI, `--json`), so nothing from a feed or page reaches the terminal
//! as a control. Also the one measure of text in terminal columns: width, truncation, wrap.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The windows-1252 meaning of a C1 code point (U+0080..=U+009F): feeds that write `&#146;`
/// and pages decoded as Latin-1 mean `’`. `None` for the five slots windows-1252 leaves
/// undefined and for anything outside C1. The table is the HTML standard's (`web_atoms`).
pub fn cp1252_c1(c: char) -> Option<char> {
    let index = usize::try_from(u32::from(c).checked_sub(0x80)?).ok()?;
    web_atoms::C1_REPLACEMENTS.get(index).copied().flatten()
}

/// Characters that change how text is laid out or hide text without being visible themselves:
/// bidi embeddings, overrides, isolates and marks, zero-width spaces, word joiners, the BOM,
/// soft hyphens, interlinear annotations and the deprecated language tag.
/// ZWJ and ZWNJ are kept: emoji sequences and several scripts need them, and they are
/// zero-width for layout purposes.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0001}'
    )
}

/// How the sanitiser treats line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breaks {
    /// Every run of whitespace (line breaks included) becomes one space; ends trimmed.
    Fold,
    /// Line breaks are kept (`\r\n`, `\r`, U+2028/2029 become `\n`); tabs become spaces.
    Keep,
}

/// One line of display text: escapes and controls removed, whitespace folded to single spaces,
/// trimmed. For titles, feed names, authors, URLs shown to the user, error messages.
pub fn sanitize_line(input: &str) -> String {
    if is_plain_ascii_line(input) {
        return input.to_string();
    }
    sanitize(input, Breaks::Fold)
}

/// Printable ASCII with single inner spaces: what most titles and URLs are, and what
/// [`sanitize_line`] gives back unchanged (checked a byte at a time, not a char at a time).
fn is_plain_ascii_line(input: &str) -> bool {
    let bytes = input.as_bytes();
    bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && bytes.iter().all(|b| (0x20..0x7F).contains(b))
        && !bytes.windows(2).any(|w| w == b"  ")
}

/// Multi-line display text: like [`sanitize_line`] but line breaks survive (normalised to
/// `\n`) and spaces are not folded. For article bodies and plain CLI output.
pub fn sanitize_multiline(input: &str) -> String {
    sanitize(input, Breaks::Keep)
}

fn sanitize(input: &str, breaks: Breaks) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    // Fold mode: a pending space is written only before the next visible character.
    let mut pending_space = false;
    let push = |out: &mut String, pending: &mut bool, c: char| {
        if *pending && !out.is_empty() {
            out.push(' ');
        }
        *pending = false;
        out.push(c);
    };
    while let Some(c) = chars.next() {
        match c {
            // Printable ASCII other than the space, most of any text: as the last arm does,
            // without its tests.
            '!'..='~' => match breaks {
                Breaks::Fold => push(&mut out, &mut pending_space, c),
                Breaks::Keep => out.push(c),
            },
            '\u{1B}' => skip_escape(&mut chars),
            // C1 controls in decoded text are nearly always mojibake (cp1252 bytes read as
            // Latin-1): map them as cp1252 would; the rest (including the 8-bit CSI/OSC/DCS
            // introducers) are dropped alone, so they cannot start a sequence and the text
            // after them survives.
            '\u{80}'..='\u{9F}' => {
                if let Some(mapped) = cp1252_c1(c) {
                    push(&mut out, &mut pending_space, mapped);
                }
            }
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => match breaks {
                Breaks::Fold => pending_space = true,
                Breaks::Keep => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push('\n');
                }
            },
            '\t' | '\u{0B}' | '\u{0C}' => match breaks {
                Breaks::Fold => pending_space = true,
                Breaks::Keep => out.push(' '),
            },
            c if c.is_whitespace() => match breaks {
                Breaks::Fold => pending_space = true,
                // Non-breaking and other wide spaces become plain spaces: same look, safe width.
                Breaks::Keep => out.push(' '),
            },
            c if c.is_control() || is_invisible_format(c) => {}
            c => match breaks {
                Breaks::Fold => push(&mut out, &mut pending_space, c),
                Breaks::Keep => out.push(c),
            },
        }
    }
    out
}

/// After ESC: skip the rest of the sequence (CSI, OSC, DCS/SOS/PM/APC strings, or one char).
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-character escapes (ESC c, ESC 7, charset selection ESC ( B…): drop the next one
        // and, for charset designators, their final byte.
        Some('(' | ')' | '*' | '+' | '-' | '.' | '/' | '#' | '%' | ' ') => {
            chars.next();
        }
        _ => {}
    }
}

/// Skip CSI parameters and intermediates up to and including the final byte (0x40..=0x7E).
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7E}').contains(&c) {
            break;
        }
        // A sequence never contains a line break or a non-ASCII char: stop so we don't
        // swallow real text after a broken sequence.
        if !c.is_ascii() || c == '\n' {
            break;
        }
    }
}

/// The longest OSC/DCS payload skipped: past it, an unterminated string is shown as text
/// (harmless once its ESC is gone) instead of swallowing the rest of an article.
const MAX_STRING_PAYLOAD: usize = 4096;

/// Skip an OSC/DCS/SOS/PM/APC payload up to BEL, ST (`ESC \` or U+009C), a line break, or
/// [`MAX_STRING_PAYLOAD`] characters.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    let mut skipped = 0;
    while let Some(&c) = chars.peek() {
        if c == '\n' || skipped >= MAX_STRING_PAYLOAD {
            break;
        }
        chars.next();
        skipped += 1;
        match c {
            '\u{07}' | '\u{9C}' => break,
            '\u{1B}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Whitespace runs folded to one space, ends trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    // One allocation (a collected `Vec` joined took two, on every block of every page).
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Columns a sanitised string takes in a terminal (CJK and emoji count 2). Terminals disagree
/// on clusters such as `❤️` or ZWJ emoji: ratatui and many terminals draw a grapheme cluster
/// whole, others draw it character by character. The larger of the two, so text measured here
/// fits either way.
pub fn display_width(s: &str) -> usize {
    let per_char: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    let per_grapheme: usize = s.graphemes(true).map(UnicodeWidthStr::width).sum();
    per_char.max(per_grapheme)
}

/// Cut `s` to at most `max` columns, ending with `…` when it was cut. Never splits a grapheme
/// cluster (a letter and its accents, an emoji sequence).
pub fn truncate_to_width(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = take_width(s, max - 1, false).to_string();
    out.push('…');
    out
}

/// The longest prefix of `s` (whole grapheme clusters) that fits in `width` columns; with
/// `at_least_one`, the first cluster even when it is wider.
fn take_width(s: &str, width: usize, at_least_one: bool) -> &str {
    let mut used = 0;
    let mut end = 0;
    for (i, grapheme) in s.grapheme_indices(true) {
        let w = display_width(grapheme);
        if used + w > width && !(at_least_one && end == 0) {
            break;
        }
        used += w;
        end = i + grapheme.len();
    }
    &s[..end]
}

/// Greedy word wrap by display width; words longer than a line are cut (between grapheme
/// clusters).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() { 0 } else { 1 } + display_width(word);
        if !line.is_empty() && display_width(&line) + needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while display_width(&line) > width {
            let head = take_width(&line, width, true).to_string();
            line.drain(..head.len());
            lines.push(head);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lower-cased, accents removed: "Télé" and "tele" compare equal. For search.
pub fn fold_for_search(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn plain_ascii_lines_come_back_as_the_full_sanitiser_gives_them(
            line in "[ -~]{0,40}|[ -~\\t\\x1b\\x7f\\u{80}-\\u{a0}é]{0,20}"
        ) {
            proptest::prop_assert_eq!(sanitize_line(&line), sanitize(&line, Breaks::Fold));
        }
    }

    #[test]
    fn the_plain_ascii_fast_path_leaves_spacing_and_controls_to_the_sanitiser() {
        for line in [
            "",
            "a",
            "a b",
            " a",
            "a ",
            "a  b",
            "a\tb",
            "a\x7fb",
            "a\x1b[31mb",
            "Ünï",
        ] {
            assert_eq!(
                sanitize_line(line),
                sanitize(line, Breaks::Fold),
                "{line:?}"
            );
        }
        assert_eq!(sanitize_line(" a  b "), "a b");
    }

    #[test]
    fn sanitising_removes_what_acts_on_a_terminal_and_keeps_the_text() {
        // The input, what the sanitiser (of a line, or of several) gives, and why.
        type Sanitiser = fn(&str) -> String;
        #[rustfmt::skip]
        let cases: [(Sanitiser, &str, &str, &str); 10] = [
            (sanitize_line, "a\u{1b}[31mred\u{1b}[0m \u{1b}]2;pwned\u{07}b \u{1b}]52;c;ZXZpbA==\u{1b}\\c \u{1b}Pq#0\u{1b}\\d",
                "ared b c d", "CSI, OSC and DCS removed"),
            (sanitize_line, "\u{1b}]8;;http://evil/\u{1b}\\click\u{1b}]8;;\u{1b}\\ me", "click me", "an OSC 8 link keeps its text"),
            (sanitize_line, "it\u{92}s", "it’s", "C1 read as windows-1252"),
            // 0x9B is `›` in cp1252; 0x9D has no meaning and is dropped alone, never swallowing
            // the text after it (mojibake of `”` is common in real pages).
            (sanitize_line, "x\u{9b}2Jy", "x›2Jy", "an 8-bit CSI is cp1252 text"),
            (sanitize_line, "a\u{9d} long article", "a long article", "an undefined C1 dropped alone"),
            (sanitize_line, "abc\u{202e}fdp.exe\u{2066}x\u{2069}\u{200b}\u{feff}\u{ad}", "abcfdp.exex", "bidi and zero-width removed"),
            (sanitize_line, "👨\u{200d}👩\u{200d}👧 中文 café", "👨\u{200d}👩\u{200d}👧 中文 café", "ZWJ emoji and CJK kept"),
            (sanitize_line, "  a \n\t b\u{a0}\u{2028}c  ", "a b c", "whitespace folded in a line"),
            (sanitize_multiline, "a\u{1b}]2;title\nnext line", "a\nnext line", "an unterminated OSC stops at the line's end"),
            (sanitize_multiline, "a\r\nb\rc\u{7}\u{8}\td", "a\nb\nc d", "breaks kept, controls dropped"),
        ];
        for (sanitize, input, expected, why) in cases {
            assert_eq!(sanitize(input), expected, "{why}: {input:?}");
        }
    }

    #[test]
    fn truncates_by_columns_not_bytes() {
        assert_eq!(truncate_to_width("中文中文", 5), "中文…");
        assert_eq!(truncate_to_width("abc", 3), "abc");
        assert_eq!(truncate_to_width("abcdef", 4), "abc…");
        assert!(display_width(&truncate_to_width("🎉🎉🎉", 4)) <= 4);
    }

    #[test]
    fn never_splits_a_grapheme_cluster() {
        // `e` + combining acute, a flag, a ZWJ family: each one cluster.
        assert_eq!(
            truncate_to_width("e\u{301}e\u{301}e\u{301}", 2),
            "e\u{301}…"
        );
        assert_eq!(truncate_to_width("🇫🇷🇫🇷 x", 3), "🇫🇷…");
        let family = "👨\u{200d}👩\u{200d}👧";
        for cut in truncate_to_width(&format!("{family}{family}"), 4).chars() {
            assert_ne!(cut, '\u{200d}', "a ZWJ sequence was cut");
        }
        for line in wrap(&format!("{family}{family}{family}"), 3) {
            assert!(
                !line.ends_with('\u{200d}') && !line.starts_with('\u{200d}'),
                "{line:?}"
            );
        }
    }

    #[test]
    fn width_is_the_larger_of_per_char_and_per_cluster() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("中文"), 4);
        assert_eq!(display_width("❤\u{fe0f}"), 2);
        assert_eq!(display_width("e\u{301}"), 1);
    }

    #[test]
    fn wraps_by_columns_including_wide_chars() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        for line in wrap("日本語のテキストです とても長い", 6) {
            assert!(display_width(&line) <= 6, "{line}");
        }
        assert_eq!(wrap("", 5), vec![String::new()]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
    }

    #[test]
    fn search_folding_ignores_case_and_accents() {
        assert_eq!(fold_for_search("Télé ÉCOLE"), "tele ecole");
    }
}
