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
    fn item_text_keeps_the_summary_once() {
        assert_eq!(
            item_text(Some("<p>Hello</p>"), Some("<p>Hello world</p>")),
            " Hello world "
        );
        assert_eq!(item_text(Some("Caf&eacute;"), None), "Café");
        assert_eq!(item_text(Some("a"), Some("<b>b</b>")), "a\nb");
    }
}
