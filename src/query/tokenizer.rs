//! How the full-text index cuts text into words: SQLite FTS5's `unicode61 remove_diacritics 2`
//! written again in Rust, word for word, offset for offset (the same tables, the same UTF-8
//! decoding of bad bytes), with an ASCII fast path and a table per 256 code points built
//! on first use instead of three binary searches per non-ASCII character. The built-in one
//! spent ~60 % of its time in those searches on the refresh's texts (`perf`, README #13).
//! [`super::tokenizer_ffi`] hands it to FTS5 in place of the built-in; its tests compare both.

use super::tokenizer_tables::{
    DIACRITIC_CHARS, DIACRITIC_KEYS, FOLD_ENTRIES, FOLD_OFFSETS, UNICODE_BLOCK, UNICODE_DATA,
    UNICODE_MAP, UTF8_TRANS1,
};
use std::sync::OnceLock;

/// `unicode61`'s token categories by default ("L* N* Co"), indexed by its category numbers;
/// category 0 (what its tables do not list) counts as a token character too, as in SQLite.
const TOKEN_CATEGORIES: u32 = (1 << 0)
    | (1 << 5)
    | (1 << 6)
    | (1 << 7)
    | (1 << 8)
    | (1 << 9)
    | (1 << 30)
    | (1 << 13)
    | (1 << 14)
    | (1 << 15)
    | (1 << 31);

/// `sqlite3Fts5UnicodeCategory`: the category number of a code point.
fn category(code: u32) -> u32 {
    if code >= 1 << 20 {
        return 0;
    }
    let plane = (code >> 16) as usize;
    let (mut low, mut high) = (
        usize::from(UNICODE_BLOCK[plane]),
        usize::from(UNICODE_BLOCK[plane + 1]),
    );
    let key = (code & 0xFFFF) as u16;
    let mut found = None;
    while high > low {
        let test = (high + low) / 2;
        if key >= UNICODE_MAP[test] {
            found = Some(test);
            low = test + 1;
        } else {
            high = test;
        }
    }
    let Some(at) = found else {
        return 0;
    };
    let start = u32::from(UNICODE_MAP[at]);
    if u32::from(key) >= start + u32::from(UNICODE_DATA[at] >> 5) {
        return 0;
    }
    match u32::from(UNICODE_DATA[at] & 0x1F) {
        30 if (u32::from(key) - start) & 1 == 1 => 5,
        30 => 9,
        other => other,
    }
}

/// Whether `unicode61` with its default categories reads the code point as part of a word.
fn is_alnum(code: u32) -> bool {
    TOKEN_CATEGORIES & (1 << category(code)) != 0
}

/// `sqlite3Fts5UnicodeIsdiacritic`: a combining accent (inside a word it is kept, folded away).
fn is_diacritic(code: u32) -> bool {
    const MASK0: u32 = 0x08029FDF;
    const MASK1: u32 = 0x000361F8;
    match code {
        768..800 => MASK0 & (1 << (code - 768)) != 0,
        800..=817 => MASK1 & (1 << (code - 800)) != 0,
        _ => false,
    }
}

/// `fts5_remove_diacritic` with `bComplex` set (remove_diacritics 2).
fn remove_diacritic(code: u32) -> u32 {
    let key = (code << 3) | 7;
    let (mut low, mut high, mut found) = (0i32, DIACRITIC_KEYS.len() as i32 - 1, 0usize);
    while high >= low {
        let test = (high + low) / 2;
        if key >= u32::from(DIACRITIC_KEYS[test as usize]) {
            found = test as usize;
            low = test + 1;
        } else {
            high = test - 1;
        }
    }
    let entry = u32::from(DIACRITIC_KEYS[found]);
    if code > (entry >> 3) + (entry & 7) {
        code
    } else {
        u32::from(DIACRITIC_CHARS[found] & 0x7F)
    }
}

/// `sqlite3Fts5UnicodeFold(c, 2)`: lower case, then accents removed (0: nothing is written).
fn fold(code: u32) -> u32 {
    if code < 128 {
        return if (65..=90).contains(&code) {
            code + 32
        } else {
            code
        };
    }
    if code < 65536 {
        let (mut low, mut high, mut found) = (0i32, FOLD_ENTRIES.len() as i32 - 1, 0usize);
        while high >= low {
            let test = (high + low) / 2;
            if code >= u32::from(FOLD_ENTRIES[test as usize].0) {
                found = test as usize;
                low = test + 1;
            } else {
                high = test - 1;
            }
        }
        let (first, flags, range) = FOLD_ENTRIES[found];
        let (first, flags) = (u32::from(first), u32::from(flags));
        let mut folded = code;
        if code < first + u32::from(range) && (1 & flags & (first ^ code)) == 0 {
            folded = (code + u32::from(FOLD_OFFSETS[(flags >> 1) as usize])) & 0xFFFF;
        }
        return remove_diacritic(folded);
    }
    if (66560..66600).contains(&code) {
        code + 40
    } else {
        code
    }
}

/// A code point of the BMP as a page entry: starts a word, continues one, its folded value.
const STARTS_WORD: u32 = 1 << 31;
const IN_WORD: u32 = 1 << 30;
const FOLDED: u32 = IN_WORD - 1;

/// What [`STARTS_WORD`], [`IN_WORD`] and [`FOLDED`] say about a code point.
fn entry_of(code: u32) -> u32 {
    let alnum = is_alnum(code);
    let mut entry = fold(code);
    if alnum {
        entry |= STARTS_WORD | IN_WORD;
    } else if is_diacritic(code) {
        entry |= IN_WORD;
    }
    entry
}

/// The entries of the BMP, 256 code points a page, each page made the first time a text
/// holds one of its characters (a query process folding "café" builds one page, ~10 µs).
static PAGES: [OnceLock<Box<[u32; 256]>>; 256] = [const { OnceLock::new() }; 256];

/// The entry of a code point ([`entry_of`], from its page below 65,536).
fn entry(code: u32) -> u32 {
    if code >= 65536 {
        return entry_of(code);
    }
    let page = PAGES[(code >> 8) as usize].get_or_init(|| {
        let base = code & !0xFF;
        Box::new(std::array::from_fn(|low| entry_of(base + low as u32)))
    });
    page[(code & 0xFF) as usize]
}

/// ASCII bytes folded (lower case), 0 for a separator: `unicode61`'s table for 0..128.
static ASCII_FOLDED: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_digit() || c.is_ascii_lowercase() {
            c
        } else if c.is_ascii_uppercase() {
            c + 32
        } else {
            0
        };
        b += 1;
    }
    table
};

/// `FTS5_READ_UTF8`: the code point at `at` (a byte >= 0x80) and where the next one starts.
/// Any run of continuation bytes is taken; overlong forms, surrogates and U+FFFE/U+FFFF read
/// as U+FFFD; a stray continuation byte reads as its own value.
fn read_utf8(text: &[u8], at: usize) -> (u32, usize) {
    let mut code = u32::from(text[at]);
    let mut next = at + 1;
    if code >= 0xC0 {
        code = u32::from(UTF8_TRANS1[(code - 0xC0) as usize]);
        while let Some(&b) = text.get(next)
            && b & 0xC0 == 0x80
        {
            code = (code << 6) + u32::from(b & 0x3F);
            next += 1;
        }
        if code < 0x80 || (code & 0xFFFF_F800) == 0xD800 || (code & 0xFFFF_FFFE) == 0xFFFE {
            code = 0xFFFD;
        }
    }
    (code, next)
}

/// `FTS5_WRITE_UTF8`: the code point's bytes as SQLite writes them (its masks included).
fn write_utf8(code: u32, out: &mut Vec<u8>) {
    if code < 0x80 {
        out.push(code as u8);
    } else if code < 0x800 {
        out.extend_from_slice(&[
            0xC0 + ((code >> 6) & 0x1F) as u8,
            0x80 + (code & 0x3F) as u8,
        ]);
    } else if code < 0x10000 {
        out.extend_from_slice(&[
            0xE0 + ((code >> 12) & 0x0F) as u8,
            0x80 + ((code >> 6) & 0x3F) as u8,
            0x80 + (code & 0x3F) as u8,
        ]);
    } else {
        out.extend_from_slice(&[
            0xF0 + ((code >> 18) & 0x07) as u8,
            0x80 + ((code >> 12) & 0x3F) as u8,
            0x80 + ((code >> 6) & 0x3F) as u8,
            0x80 + (code & 0x3F) as u8,
        ]);
    }
}

/// Cut `text` into words as `unicode61 remove_diacritics 2` does and hand each to `word`:
/// its folded bytes and the byte range it was read from. `folded` is the caller's buffer
/// (kept between calls). `word` stops the walk by returning an error, which is returned.
pub fn tokenize<E>(
    text: &[u8],
    folded: &mut Vec<u8>,
    mut word: impl FnMut(&[u8], usize, usize) -> Result<(), E>,
) -> Result<(), E> {
    let mut at = 0;
    loop {
        folded.clear();
        // Separators, up to the word's first character (folded here when not ASCII).
        let start = loop {
            let Some(&b) = text.get(at) else {
                return Ok(());
            };
            if b < 0x80 {
                if ASCII_FOLDED[usize::from(b)] != 0 {
                    break at;
                }
                at += 1;
            } else {
                let (code, next) = read_utf8(text, at);
                let found = entry(code);
                if found & STARTS_WORD != 0 {
                    write_folded(found, code, folded);
                    let start = at;
                    at = next;
                    break start;
                }
                at = next;
            }
        };
        // The word's characters; a non-ASCII separator that ends it is passed over.
        let mut end = at;
        while let Some(&b) = text.get(at) {
            if b < 0x80 {
                let lower = ASCII_FOLDED[usize::from(b)];
                if lower == 0 {
                    break;
                }
                folded.push(lower);
                at += 1;
            } else {
                let (code, next) = read_utf8(text, at);
                at = next;
                let found = entry(code);
                if found & IN_WORD == 0 {
                    break;
                }
                write_folded(found, code, folded);
            }
            end = at;
        }
        word(folded, start, end)?;
    }
}

/// Append the folded form of `code` (its `entry`), nothing when it folds to 0.
fn write_folded(entry: u32, code: u32, out: &mut Vec<u8>) {
    // Above the BMP the entry cannot hold every value read: fold it again.
    let value = if code >= 65536 {
        fold(code)
    } else {
        entry & FOLDED
    };
    if value != 0 {
        write_utf8(value, out);
    }
}

/// The words of `text` with their byte ranges (tests and tools; the index calls [`tokenize`]).
pub fn words(text: &[u8]) -> Vec<(Vec<u8>, usize, usize)> {
    let mut found = Vec::new();
    let mut folded = Vec::new();
    let _ = tokenize::<()>(text, &mut folded, |w, start, end| {
        found.push((w.to_vec(), start, end));
        Ok(())
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        words(text.as_bytes())
            .into_iter()
            .map(|(w, _, _)| String::from_utf8(w).unwrap())
            .collect()
    }

    #[test]
    fn words_are_folded_runs_of_letters_and_digits() {
        assert_eq!(
            strings("Émulation x86-64, \"NEAR\"* Ærø façade ÉTÉ"),
            ["emulation", "x86", "64", "near", "ærø", "facade", "ete"]
        );
        assert_eq!(
            words("ab  Cé".as_bytes()),
            [(b"ab".to_vec(), 0, 2), (b"ce".to_vec(), 4, 7)]
        );
        assert!(strings("*** -- \" ").is_empty());
    }

    #[test]
    fn accents_inside_words_are_dropped_and_separators_alone_are_not_words() {
        // e + combining acute: one word "e"; a combining mark alone is no word.
        assert_eq!(strings("e\u{301}t\u{301}e"), ["ete"]);
        assert!(strings("\u{301} \u{301}").is_empty());
        assert_eq!(strings("東京タワー"), ["東京タワー"]);
    }

    #[test]
    fn bad_utf8_never_panics_and_keeps_offsets_inside_the_text() {
        // (The built-in tokenizer's answers on such bytes: tokenizer_ffi's tests.)
        for text in [
            &b"a\xAAb"[..],
            b"a\xC0\x80b",
            b"\xF4\x90\x80\x80x",
            b"\xFF\xFE",
            b"\xE2\x82",
        ] {
            for (_, start, end) in words(text) {
                assert!(start < end && end <= text.len(), "{text:?}");
            }
        }
    }
}
