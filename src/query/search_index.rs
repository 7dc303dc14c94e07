//! What the full-text index holds and how words are cut: the SQL functions the index's
//! triggers call (HTML → text, article JSON → text, folding), registered on every connection,
//! and the word splitting the query side uses (the same as FTS5's `unicode61` for letters and
//! digits: everything else separates words; case and accents are folded).

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
pub fn html_text(html: &str) -> String {
    let stripped = crate::feed::markup::strip_tags(html);
    crate::feed::markup::decode_entities(&stripped).into_owned()
}

/// The indexed body of an item: its content, and its summary unless the content holds it
/// already (feeds often send the same text twice).
pub fn item_text(summary_html: Option<&str>, content_html: Option<&str>) -> String {
    let content = content_html.map(html_text).unwrap_or_default();
    let summary = summary_html.map(html_text).unwrap_or_default();
    let summary = summary.trim();
    if summary.is_empty() || content.contains(summary) {
        content
    } else if content.trim().is_empty() {
        summary.to_string()
    } else {
        format!("{summary}\n{content}")
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

fn text_arg(ctx: &rusqlite::functions::Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
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
    conn.create_scalar_function(FTS_KEY_FUNCTION, 2, flags, |ctx| {
        Ok(fts_key(ctx.get::<i64>(0)?, ctx.get::<i64>(1)?))
    })?;
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
