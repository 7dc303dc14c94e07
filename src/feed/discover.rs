//! Finding the feed behind a web page: `<link rel="alternate" type="application/rss+xml">`.
//! A linear scan of `<link>` and `<base>` tags (no DOM), and a cheap sniff that tells a feed
//! document from an HTML page.

use url::Url;

use super::{markup, repair};

/// Link types that announce a feed.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/x-atom+xml",
];

/// Feed URLs a page advertises, absolute, in document order (RSS/Atom/JSON Feed types).
pub fn discover_feeds(html: &str, page_url: &Url) -> Vec<Url> {
    let mut base = page_url.clone();
    let mut base_seen = false;
    let mut found: Vec<Url> = Vec::new();
    for (name, attrs) in tags(html) {
        if name.eq_ignore_ascii_case("base") {
            // Only the first <base href> counts, as in browsers.
            if let Some(href) = attribute(attrs, "href")
                && !base_seen
                && let Ok(url) = page_url.join(&href)
            {
                base = url;
                base_seen = true;
            }
            continue;
        }
        if !name.eq_ignore_ascii_case("link") {
            continue;
        }
        let is_alternate = attribute(attrs, "rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|token| token.eq_ignore_ascii_case("alternate"))
        });
        let is_feed_type = attribute(attrs, "type").is_some_and(|t| {
            let essence = t
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            FEED_TYPES.contains(&essence.as_str())
        });
        if !(is_alternate && is_feed_type) {
            continue;
        }
        let Some(href) = attribute(attrs, "href") else {
            continue;
        };
        let Some(url) = crate::url_safety::join_web_url(&base, &href) else {
            continue;
        };
        if !found.contains(&url) {
            found.push(url);
        }
    }
    found
}

/// Start tags of the document as (name, attribute text), skipping comments, scripts and
/// styles (a `<link>` in a comment or a script string advertises nothing).
fn tags(html: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let lt = rest.find('<')?;
            let after = &rest[lt + 1..];
            if let Some(comment) = after.strip_prefix("!--") {
                rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
                continue;
            }
            let name_len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if name_len == 0 {
                rest = after;
                continue;
            }
            let name = &after[..name_len];
            let end = tag_end(after).unwrap_or(after.len());
            let attrs = &after[name_len..end.saturating_sub(1).max(name_len)];
            rest = &after[end..];
            if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style") {
                let closing = if name.eq_ignore_ascii_case("script") {
                    "</script"
                } else {
                    "</style"
                };
                let lower_find = crate::scan::find_ascii_ci(rest.as_bytes(), closing.as_bytes());
                rest = lower_find.map_or("", |at| &rest[at..]);
            }
            return Some((name, attrs));
        }
    })
}

/// Index just past the `>` closing a tag, skipping quoted attribute values.
fn tag_end(after_lt: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in after_lt.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The value of attribute `wanted` in a tag's attribute text (quoted or not), entities decoded.
fn attribute(attrs: &str, wanted: &str) -> Option<String> {
    let value = crate::scan::attribute_value(attrs.as_bytes(), wanted.as_bytes())?;
    // The value is a slice of `attrs` cut at ASCII bytes: still UTF-8.
    let value = std::str::from_utf8(value).ok()?;
    Some(markup::decode_entities(value).into_owned())
}

/// Whether a fetched body looks like a feed document rather than an HTML page: XML whose
/// root is `rss`, `feed`, `rdf:RDF` (or an Atom `entry`, or CDF's `channel`), or JSON naming a
/// jsonfeed.org version (or RSS-in-JSON). Linear in the body; meant for the `add` flow.
pub fn looks_like_feed(body: &[u8]) -> bool {
    let text = crate::charset::decode_xml(body, None);
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.starts_with('{') {
        return json_looks_like_feed(trimmed);
    }
    let mut rest = trimmed;
    // At most a few tries: markup before the XML declaration (a PHP warning) is skipped.
    for _ in 0..4 {
        let Some(root) = repair::root_tag(rest) else {
            return false;
        };
        if matches!(
            root.local_name().as_str(),
            "rss" | "feed" | "rdf" | "entry" | "channel"
        ) {
            return true;
        }
        match rest[root.start..].find("<?xml") {
            Some(decl) if decl > 0 => rest = &rest[root.start + decl..],
            _ => return false,
        }
    }
    false
}

fn json_looks_like_feed(text: &str) -> bool {
    use serde_json::Value;
    // The version usually comes first; escaped slashes (`jsonfeed.org\/version`) count too.
    let head_end = text.len().min(4096);
    let mut head_end_char = head_end;
    while !text.is_char_boundary(head_end_char) {
        head_end_char -= 1;
    }
    if text[..head_end_char].contains("jsonfeed.org") {
        return true;
    }
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let version_says_so = object
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.contains("jsonfeed"));
    let rss_in_json = object.get("rss").and_then(|r| r.get("channel")).is_some();
    // JSON Feed shape with an odd version ("1.0"): parse_feed reads it, so say yes.
    let feed_shaped = object.get("items").is_some_and(Value::is_array)
        && object.get("title").is_some_and(Value::is_string);
    version_says_so || rss_in_json || feed_shaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("http://127.0.0.1:8080/blog/post.html").unwrap()
    }

    #[test]
    fn finds_advertised_feeds_in_order() {
        let html = r#"<!DOCTYPE html><html><head><title>x</title>
<link rel="stylesheet" href="/s.css">
<LINK REL="Alternate" TYPE="application/rss+xml" title="RSS" href="/feed.xml">
<link rel='alternate' type='application/atom+xml; charset=utf-8' href='atom.xml'>
<link rel="alternate" type="application/feed+json" href="http://127.0.0.1:8080/feed.json?a=1&amp;b=2">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<!-- <link rel="alternate" type="application/rss+xml" href="/commented.xml"> -->
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body></body></html>"#;
        let feeds: Vec<String> = discover_feeds(html, &page())
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            feeds,
            [
                "http://127.0.0.1:8080/feed.xml",
                "http://127.0.0.1:8080/blog/atom.xml",
                "http://127.0.0.1:8080/feed.json?a=1&b=2",
            ]
        );
    }

    #[test]
    fn base_href_is_honoured() {
        let html = r#"<head><base href="http://127.0.0.1:9000/x/"><link rel="alternate" type="application/rss+xml" href="rss"></head>"#;
        assert_eq!(
            discover_feeds(html, &page()),
            [Url::parse("http://127.0.0.1:9000/x/rss").unwrap()]
        );
    }

    #[test]
    fn sniffs_feeds_and_pages() {
        assert!(looks_like_feed(
            b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- c --><?xml-stylesheet href=\"a\"?><rss version=\"2.0\"><channel/></rss>"
        ));
        assert!(looks_like_feed(
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>"
        ));
        assert!(looks_like_feed(
            b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>"
        ));
        assert!(looks_like_feed(
            br#"{"version": "https://jsonfeed.org/version/1.1", "items": []}"#
        ));
        assert!(!looks_like_feed(
            b"<!DOCTYPE html><html><head></head></html>"
        ));
        assert!(!looks_like_feed(br#"{"name": "not a feed"}"#));
        let late_version = format!(
            r#"{{"title": "t", "items": [{{"content_html": "{}"}}], "version": "https://jsonfeed.org/version/1"}}"#,
            "x".repeat(10_000)
        );
        assert!(looks_like_feed(late_version.as_bytes()));
        assert!(looks_like_feed(
            br#"{"version": "https:\/\/jsonfeed.org\/version\/1", "items": []}"#
        ));
        assert!(looks_like_feed(
            b"<br />\n<b>Warning</b>: x<br />\n<?xml version=\"1.0\"?><rss version=\"2.0\"/>"
        ));
        assert!(!looks_like_feed(b""));
        let utf16: Vec<u8> = "<rss version=\"2.0\"/>"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(looks_like_feed(&utf16));
    }

    #[test]
    fn corpus_page_advertises_two_feeds() {
        let Some(path) = crate::shared_corpus::shared_corpus(
            "corpus/feeds/synthetic/quirks/html-page-not-feed.html",
        ) else {
            return;
        };
        let html = std::fs::read_to_string(&path).unwrap();
        let page = Url::parse("http://127.0.0.1:8080/page").unwrap();
        assert_eq!(discover_feeds(&html, &page).len(), 2);
        assert!(!looks_like_feed(html.as_bytes()));
    }
}
