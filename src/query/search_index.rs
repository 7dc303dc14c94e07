//! What the full-text index holds and how words are cut: the SQL functions the index's
//! triggers call (HTML → text, article JSON → text, folding), registered on every connection,
//! the tokenizer that cuts the index's words ([`super::tokenizer`]), and the word splitting
//! the query side uses (the same as FTS5's `unicode61` for letters and digits: everything
//! else separates words; case and accents are folded).

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

/// `kiosque_fold(text)`: lower case, accents removed ([`crate::text::fold_for_search`]).
pub const FOLD_FUNCTION: &str = "kiosque_fold";
/// `kiosque_item_text(summary_html, content_html)`: the item's body as plain text.
pub const ITEM_TEXT_FUNCTION: &str = "kiosque_item_text";
/// `kiosque_article_text(json)`: a cached article's text.
pub const ARTICLE_TEXT_FUNCTION: &str = "kiosque_article_text";
/// `kiosque_fts_key(sort_time, id)`: an item's row in the full-text index ([`fts_key`]).
pub const FTS_KEY_FUNCTION: &str = "kiosque_fts_key";
/// `kiosque_row_upkeep()`: 1 when the item insert triggers keep the full-text index and the
/// feed counts in step row by row, 0 while a batch does it itself ([`BatchUpkeep`]).
pub const ROW_UPKEEP_FUNCTION: &str = "kiosque_row_upkeep";

thread_local! {
    /// Set while this thread's store inserts a refresh batch's items ([`BatchUpkeep`]).
    static BATCH_UPKEEP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// While alive, items inserted on this thread skip their insert triggers' upkeep (schema 14:
/// the full-text row and the feed counts): the batch writing them does it for all of them at
/// once. SQLite runs a connection's triggers on the thread that steps the statement, so the
/// flag is a thread's; it is cleared when the guard drops, even on an early return.
pub struct BatchUpkeep {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl BatchUpkeep {
    /// The caller keeps the index and counts of the rows it inserts from now on.
    pub fn start() -> BatchUpkeep {
        BATCH_UPKEEP.with(|flag| flag.set(true));
        BatchUpkeep {
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for BatchUpkeep {
    fn drop(&mut self) {
        BATCH_UPKEEP.with(|flag| flag.set(false));
    }
}

/// Item ids below this keep their order in an index key (2^31: the low bits of the key).
pub const KEY_ID_LIMIT: i64 = 1 << 31;
/// Sort times in `0..KEY_TIME_LIMIT` (1970 to 2106) keep their order in an index key.
const KEY_TIME_LIMIT: i64 = 1 << 32;
/// The last second an index key tells apart from later ones.
pub const KEY_TIME_END: i64 = KEY_TIME_LIMIT - 1;
/// An index key holds its item's time in spans of 2^KEY_SPAN_BITS seconds: the items of one
/// span follow each other by id. A key holding the exact second put a gap of 2^31 between
/// any two items of different seconds, and every entry of the index paid for it (5 to 6
/// bytes per word and item instead of 1 to 2: +10 % of the database on 104k items).
pub const KEY_SPAN_BITS: u32 = 12;

/// The span (of 2^[`KEY_SPAN_BITS`] seconds) of a sort time, times outside 1970..2106 clamped.
pub fn key_span(sort_time: i64) -> i64 {
    sort_time.clamp(0, KEY_TIME_LIMIT - 1) >> KEY_SPAN_BITS
}

/// The first index key of the span holding `sort_time` (every key of an item of that span
/// is at least this and below `span_start + KEY_ID_LIMIT`).
pub fn span_start(sort_time: i64) -> i64 {
    key_span(sort_time) * KEY_ID_LIMIT
}

/// The full-text index row of an item: its span of time and its id as one integer, so that
/// the index read newest first (`ORDER BY rowid DESC`, which FTS5 serves without sorting)
/// walks the matches span by span in list order and a first page stops early (the rows of
/// the last span read are sorted by time). For sort times from 1970 to 2106 and ids below
/// 2^31 (`keys_follow_list_order`), key order is (span, id) order and the id is
/// [`fts_key_item_id`]. Outside that (a date before 1970, an id past two billion) the key is
/// still unique (times are clamped, larger ids are negated) but out of order: lists then use
/// the plan that sorts.
pub fn fts_key(sort_time: i64, id: i64) -> i64 {
    if (0..KEY_ID_LIMIT).contains(&id) {
        span_start(sort_time) + id
    } else {
        id.saturating_neg()
    }
}

/// SQL for the item id of the index row `key` when keys follow list order (see [`fts_key`]).
pub fn fts_key_item_id(key: &str) -> String {
    format!("({key} % {KEY_ID_LIMIT})")
}

/// SQL (one row, one boolean) telling whether every item's index key follows list order (up
/// to spans, see [`fts_key`]):
/// sort times from 1970 to 2106 and ids below 2^31 (each bound read from an index end).
pub fn keys_follow_list_order_sql() -> String {
    format!(
        "SELECT coalesce((SELECT min(sort_time) FROM items) >= 0 \
           AND (SELECT max(sort_time) FROM items) < {KEY_TIME_LIMIT} \
           AND (SELECT min(id) FROM items) >= 0 \
           AND (SELECT max(id) FROM items) < {KEY_ID_LIMIT}, 1)"
    )
}

/// The words of `text`, folded: runs of letters and digits.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(crate::text::fold_for_search)
        .filter(|w| !w.is_empty())
        .collect()
}

/// HTML as the words a reader sees: tags (and script/style bodies) dropped, entities decoded.
/// The same text as `decode_entities(strip_tags(html))` of [`crate::feed::markup`] (a test
/// compares both on the shared corpus), written for the index's triggers, which run it over
/// every item a refresh stores: one scan for `<` with no allocation per tag, one for `&` with
/// no allocation per reference.
pub fn html_text(html: &str) -> String {
    let mut stripped = String::with_capacity(html.len());
    strip_tags_into(html, &mut stripped);
    if memchr::memchr(b'&', stripped.as_bytes()).is_none() {
        return stripped;
    }
    let mut decoded = String::with_capacity(stripped.len());
    decode_entities_into(&stripped, &mut decoded);
    decoded
}

/// Tags whose boundary separates words (the text gets a space there).
fn separates_words(name: &[u8]) -> bool {
    const BLOCKS: [&[u8]; 12] = [
        b"br", b"p", b"div", b"li", b"tr", b"td", b"h1", b"h2", b"h3", b"h4", b"h5", b"h6",
    ];
    name.len() <= 3 && BLOCKS.iter().any(|b| name.eq_ignore_ascii_case(b))
}

/// `html` without its tags, comments and script/style bodies, appended to `out`
/// (`strip_tags`: a `<` not followed by a letter, `/`, `!` or `?` is text; an unclosed tag
/// ends the text).
fn strip_tags_into(html: &str, out: &mut String) {
    let bytes = html.as_bytes();
    let mut rest = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[rest..]) {
        let lt = rest + found;
        out.push_str(&html[rest..lt]);
        let after = lt + 1;
        let tag_like = bytes
            .get(after)
            .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        if !tag_like {
            out.push('<');
            rest = after;
            continue;
        }
        if bytes[after..].starts_with(b"!--") {
            rest = memchr::memmem::find(&bytes[after..], b"-->")
                .map_or(bytes.len(), |end| after + end + 3);
            continue;
        }
        let Some(gt) = memchr::memchr(b'>', &bytes[after..]).map(|at| after + at) else {
            // An unclosed tag: the rest is markup debris.
            return;
        };
        let mut name_start = after;
        while bytes.get(name_start) == Some(&b'/') {
            name_start += 1;
        }
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |at| name_start + at);
        let name = &bytes[name_start..name_end];
        if separates_words(name) {
            out.push(' ');
        }
        rest = gt + 1;
        // Script and style bodies are code, not text.
        if bytes[after] != b'/' {
            let close: Option<&[u8]> = if name.eq_ignore_ascii_case(b"script") {
                Some(b"</script")
            } else if name.eq_ignore_ascii_case(b"style") {
                Some(b"</style")
            } else {
                None
            };
            if let Some(close) = close {
                rest = crate::scan::find_ascii_ci(&bytes[rest..], close)
                    .map_or(bytes.len(), |at| rest + at);
            }
        }
    }
    out.push_str(&html[rest..]);
}

/// `text` with its character references decoded once, appended to `out` (`decode_entities`:
/// named ones ending in `;`, decimal and hex; unknown or malformed ones stay as written).
fn decode_entities_into(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut rest = 0;
    while let Some(found) = memchr::memchr(b'&', &bytes[rest..]) {
        let amp = rest + found;
        out.push_str(&text[rest..amp]);
        rest = amp + 1;
        let after = &text[rest..];
        let Some(semi) = after.bytes().take(34).position(|b| b == b';') else {
            out.push('&');
            continue;
        };
        let body = &after[..semi];
        let decoded = if let Some(number) = body.strip_prefix('#') {
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse().ok(),
            };
            value.map(|v| {
                out.push(
                    char::from_u32(v)
                        .filter(|c| *c != '\0')
                        .unwrap_or(char::REPLACEMENT_CHARACTER),
                )
            })
        } else if !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            crate::feed::markup::named_reference(body).map(|chars| out.extend(chars))
        } else {
            None
        };
        match decoded {
            Some(()) => rest += semi + 1,
            None => out.push('&'),
        }
    }
    out.push_str(&text[rest..]);
}

/// The indexed body of an item: its content, and its summary unless the content holds it
/// already (feeds often send the same text twice).
pub fn item_text(summary_html: Option<&str>, content_html: Option<&str>) -> String {
    let mut content = content_html.map(html_text).unwrap_or_default();
    let summary = summary_html.map(html_text).unwrap_or_default();
    let summary = summary.trim();
    // A summary longer than the content cannot be inside it: no searcher built for it.
    if summary.is_empty() || (summary.len() <= content.len() && content.contains(summary)) {
        content
    } else if content.trim().is_empty() {
        summary.to_string()
    } else {
        content.insert(0, '\n');
        content.insert_str(0, summary);
        content
    }
}

/// The indexed text of a cached article (its JSON as the store keeps it).
pub fn article_text(json: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default)]
        content_html: String,
    }
    serde_json::from_str::<Body>(json)
        .map(|b| html_text(&b.content_html))
        .unwrap_or_default()
}

/// Argument `i` as text (borrowed from SQLite when it is valid UTF-8 text: the triggers pass
/// every item's HTML through here).
fn text_arg<'a>(
    ctx: &'a rusqlite::functions::Context<'_>,
    i: usize,
) -> rusqlite::Result<Option<std::borrow::Cow<'a, str>>> {
    use rusqlite::types::ValueRef;
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        // `from_utf8` first: it checks ASCII a word at a time, where `from_utf8_lossy`'s
        // chunking went byte by byte (1.4 % of a cold refresh's samples, all on the writer).
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(match std::str::from_utf8(t) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(t),
        }),
        ValueRef::Integer(n) => Some(n.to_string().into()),
        ValueRef::Real(r) => Some(r.to_string().into()),
    })
}

/// Register the index's functions on a connection (before any trigger needs them).
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function(FOLD_FUNCTION, 1, flags, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|t| crate::text::fold_for_search(&t)))
    })?;
    conn.create_scalar_function(ITEM_TEXT_FUNCTION, 2, flags, |ctx| {
        let summary = text_arg(ctx, 0)?;
        let content = text_arg(ctx, 1)?;
        Ok(item_text(summary.as_deref(), content.as_deref()))
    })?;
    conn.create_scalar_function(ARTICLE_TEXT_FUNCTION, 1, flags, |ctx| {
        Ok(text_arg(ctx, 0)?.map_or_else(String::new, |j| article_text(&j)))
    })?;
    // The index's words: FTS5's `unicode61 remove_diacritics 2` in Rust, the same words.
    super::tokenizer_ffi::register(conn)?;
    conn.create_scalar_function(FTS_KEY_FUNCTION, 2, flags, |ctx| {
        Ok(fts_key(ctx.get::<i64>(0)?, ctx.get::<i64>(1)?))
    })?;
    // Not deterministic: its answer changes between statements of one connection.
    conn.create_scalar_function(
        ROW_UPKEEP_FUNCTION,
        0,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        |_| Ok(!BATCH_UPKEEP.with(std::cell::Cell::get)),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_runs_of_letters_and_digits() {
        assert_eq!(
            tokens("Émulation x86-64, \"NEAR\"*"),
            ["emulation", "x86", "64", "near"]
        );
        assert!(tokens("*** -- \"").is_empty());
    }

    #[test]
    fn index_keys_follow_list_order_by_span_and_give_back_the_id() {
        let span = 1 << KEY_SPAN_BITS;
        let rows = [
            (0, 1),
            (0, 7),
            (span, 2),
            (span + 5, 1_000),
            (1_700_000_000, 3),
            (1_700_000_000, 9),
            (1_800_000_000, 1),
        ];
        for pair in rows.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(fts_key(a.0, a.1) < fts_key(b.0, b.1), "{a:?} {b:?}");
        }
        for (time, id) in rows {
            assert_eq!(fts_key(time, id) % KEY_ID_LIMIT, id);
            assert!(
                (span_start(time)..span_start(time) + KEY_ID_LIMIT).contains(&fts_key(time, id))
            );
        }
        // Inside one span, ids give the order, whatever the seconds.
        assert!(fts_key(span + 9, 4) < fts_key(span + 1, 5));
        // Outside the ordered range keys stay unique.
        assert_ne!(fts_key(-5, 3), fts_key(-9, 4));
        assert_ne!(fts_key(1, KEY_ID_LIMIT), fts_key(1, KEY_ID_LIMIT + 1));
        assert!(fts_key(1, KEY_ID_LIMIT) < 0);
    }

    /// The text the markup helpers give (what the index held before [`html_text`]).
    fn markup_text(html: &str) -> String {
        let stripped = crate::feed::markup::strip_tags(html);
        crate::feed::markup::decode_entities(&stripped).into_owned()
    }

    #[test]
    fn html_text_is_the_markup_helpers_text_on_edge_cases() {
        let cases = [
            "",
            "plain",
            "a < b & c",
            "<p>One</p><P>two</P><br/>three<BR>four<div>x</div>y<h6>z</h6>",
            "<ul><li>a</li><LI>b</li></ul><table><tr><td>c</td><TD>d</TD></tr></table>e<h3>f</h3>g",
            "<pre>no space</pre>here<b>bold</b><divx>no</divx>space<p2>none</p2>",
            "x<script type=t>if (a<b) {}</script>y<SCRIPT>z</sCrIpT>w",
            "x<style>p{}</style>y<style>never closed",
            "x</script>y</style>z",
            "a<!-- comment <b> -->b<!-->c<!-- never closed",
            "a<?xml version='1.0'?>b<!DOCTYPE html>c",
            "a<//p>b<///div>c<p/>d",
            "unclosed <b tag",
            "<",
            "x<1 y<é z<",
            "&eacute;&amp;lt;&#233;&#xE9;&#XE9;&#x+41;&#+65;&#0;&#x110000;&#;&#x;",
            "&notin;&notit;&nbsp&nbsp;&;&unknown;& amp;&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;",
            "&am<b>p;</b> split reference",
            "&&amp;&&",
            "é<p>à&eacute;</p>ü&#x1F600;",
        ];
        for html in cases {
            assert_eq!(html_text(html), markup_text(html), "{html:?}");
        }
    }

    #[test]
    fn html_text_is_the_markup_helpers_text_on_the_shared_corpus() {
        let Some(feeds) = crate::shared_corpus::shared_corpus("corpus/feeds") else {
            return;
        };
        let Some(pages) = crate::shared_corpus::shared_corpus("corpus/extraction") else {
            return;
        };
        let mut files = crate::shared_corpus::files_under(&feeds);
        let feed_files = files.len();
        files.extend(crate::shared_corpus::files_under(&pages));
        let base = url::Url::parse("https://example.org/feed").unwrap();
        let (mut documents, mut items) = (0, 0);
        for (at, path) in files.iter().enumerate() {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            // Whole files (feeds, pages: comments, scripts, references of every kind)...
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(html_text(&text), markup_text(&text), "{}", path.display());
            documents += 1;
            // ...and the items' HTML of each feed, as the index gets it.
            if at < feed_files
                && let Ok(parsed) = crate::feed::parse::parse_feed(&bytes, None, &base)
            {
                for item in parsed.items {
                    for html in [&item.summary_html, &item.content_html]
                        .into_iter()
                        .flatten()
                    {
                        assert_eq!(html_text(html), markup_text(html), "{}", path.display());
                        items += 1;
                    }
                }
            }
        }
        assert!(documents > 1_000, "only {documents} corpus files read");
        assert!(items > 1_000, "only {items} item texts compared");
    }

    #[test]
    fn item_text_keeps_the_summary_once() {
        assert_eq!(
            item_text(Some("<p>Hello</p>"), Some("<p>Hello world</p>")),
            " Hello world "
        );
        assert_eq!(item_text(Some("Caf&eacute;"), None), "Café");
        assert_eq!(item_text(Some("a"), Some("<b>b</b>")), "a\nb");
    }
}
