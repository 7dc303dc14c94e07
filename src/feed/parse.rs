//! feed-rs → model: clean titles, absolute links, dates, stable dedupe keys, panics contained.
//!
//! The pipeline: decode the bytes to UTF-8 ([`crate::charset`]), repair what feed-rs would
//! reject or misread ([`super::prepare`]), parse with feed-rs under `catch_unwind` (with our
//! date parser and no random ids), then normalise every field for display and storage.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use feed_rs::model::{Entry, Feed, FeedType, Link, Text};
use feed_rs::parser::{Builder, ParseFeedError};
use url::Url;

use super::{dates, markup, repair};
use crate::charset;
use crate::error::ParseError;
use crate::model::{Enclosure, ParsedFeed, ParsedItem};
use crate::text::sanitize_line;

/// Longest title snippet taken from the content when an item has no title (in chars).
const SNIPPET_CHARS: usize = 80;
/// Longer links are refused (a 20 KB URL is an attack or an accident, never an article).
const MAX_URL_LEN: usize = 4096;
/// Keys longer than this (a 20 KB guid…) are replaced by their hash.
const MAX_KEY_LEN: usize = 512;

/// Parse one feed document. Never panics: a parser panic becomes [`ParseError::ParserPanic`].
/// CPU-bound: call it from a blocking thread.
///
/// A panic inside feed-rs still prints the default panic message on stderr (the global hook
/// is left alone: swapping it per call would race with other threads); the inputs known to
/// panic feed-rs are neutralised before parsing, so this should not happen in practice.
pub fn parse_feed(
    bytes: &[u8],
    content_type: Option<&str>,
    feed_url: &Url,
) -> Result<ParsedFeed, ParseError> {
    let text = charset::decode_xml(bytes, content_type);
    let start = text.len() - text.trim_start().len();
    match text[start..].chars().next() {
        None => Err(ParseError::NotAFeed {
            detail: "the document is empty".into(),
        }),
        Some('{') => parse_json(&text[start..], feed_url),
        Some(_) => parse_xml(&text, feed_url),
    }
}

fn parse_json(text: &str, feed_url: &Url) -> Result<ParsedFeed, ParseError> {
    let feed = match run_feed_rs(text.as_bytes(), feed_url) {
        Ok(feed) => feed,
        Err(first_error) => {
            let Some(repaired) = repair::repair_json(text) else {
                return Err(match first_error {
                    ParseError::Malformed { .. }
                        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() =>
                    {
                        ParseError::NotAFeed {
                            detail: "a JSON document that is not a JSON Feed".into(),
                        }
                    }
                    other => other,
                });
            };
            run_feed_rs(repaired.as_bytes(), feed_url)?
        }
    };
    Ok(normalise(feed, feed_url, &HashSet::new()))
}

fn parse_xml(text: &str, feed_url: &Url) -> Result<ParsedFeed, ParseError> {
    let Some(root) = repair::root_tag(text) else {
        return Err(ParseError::NotAFeed {
            detail: "no XML root element (empty or cut-off document?)".into(),
        });
    };
    let root_name = root.local_name();
    // Markup before the XML declaration (a PHP warning: `<br />\n<b>Warning</b>…`): the feed
    // starts at the declaration.
    if !matches!(root_name.as_str(), "rss" | "feed" | "rdf" | "entry")
        && let Some(decl) = text[root.start..].find("<?xml")
        && decl > 0
    {
        return parse_xml(&text[root.start + decl..], feed_url);
    }
    match root_name.as_str() {
        "rss" | "feed" | "rdf" | "entry" => {}
        "channel" => return parse_xml_repaired(&repair::cdf_to_rss(text), feed_url),
        "html" | "head" | "body" => {
            return match repair::embedded_feed(text) {
                Some(feed) => parse_xml_repaired(feed, feed_url),
                None => Err(ParseError::NotAFeed {
                    detail: "this is an HTML page, not a feed".into(),
                }),
            };
        }
        _ => {
            return Err(ParseError::NotAFeed {
                detail: format!(
                    "the document's root element is <{}>, not <rss>, <feed> or <rdf:RDF>",
                    crate::text::sanitize_line(root.name)
                ),
            });
        }
    }
    parse_xml_repaired(text, feed_url)
}

/// Parse a document whose root is a feed element, with the repairs feed-rs needs.
fn parse_xml_repaired(text: &str, feed_url: &Url) -> Result<ParsedFeed, ParseError> {
    let Some(root) = repair::root_tag(text) else {
        return Err(ParseError::NotAFeed {
            detail: "no XML root element (empty or cut-off document?)".into(),
        });
    };
    let root_name = root.local_name();
    // Junk before the first `<` (a stray byte, a PHP notice) would make feed-rs fail.
    let first_lt = text.find('<').unwrap_or(0);
    let text = &text[first_lt..];
    let mut doc = repair::close_final_tag(repair::repair_references(text).into_owned());
    // The text is UTF-8 whatever the declaration says (it may only now be at the start, after
    // junk was cut off): feed-rs must not decode it again.
    doc = charset::rewrite_prolog_encoding(doc);
    // An XML declaration anywhere but at the start (pasted into a title) makes quick-xml
    // assert: it is not a declaration there, so make it text. (`<?xml-stylesheet` stays.)
    doc = repair::escape_inner_xml_declarations(doc);
    if let std::borrow::Cow::Owned(fixed) = repair::neutralise_overflowing_times(&doc) {
        doc = fixed;
    }
    if root_name == "rss" {
        doc = repair::wrap_rss_channel(repair::fix_rss_version(doc));
    }
    doc = repair::fix_namespaces(doc);
    if root_name == "rdf" {
        doc = repair::add_missing_rdf_links(doc);
    }
    let is_atom = root_name == "feed";
    let atom03 = is_atom && repair::is_atom03(&doc);
    if atom03 {
        doc = repair::atom03_to_atom10(&doc);
    }
    let not_permalinks = repair::non_permalink_guids(&doc);
    let feed = match run_feed_rs_on_document(&doc, feed_url) {
        Ok(feed) => feed,
        Err(first_error) => {
            // Second chance, with the repairs only broken documents need.
            let mut repaired = std::borrow::Cow::Borrowed(doc.as_str());
            // Atom text constructs with a `type` feed-rs does not accept reject the whole feed.
            if is_atom && !atom03 {
                repaired = repair::repair_atom_text_constructs(&repaired).into();
            }
            if let std::borrow::Cow::Owned(fixed) = repair::repair_media_text_types(&repaired) {
                repaired = fixed.into();
            }
            // An element left open or an end tag too many: close or drop it.
            if let Some(balanced) = repair::balance_tags(&repaired) {
                repaired = balanced.into();
            }
            if repaired == doc.as_str() {
                return Err(first_error);
            }
            run_feed_rs(repaired.as_bytes(), feed_url).map_err(|_| first_error)?
        }
    };
    let mut parsed = normalise(feed, feed_url, &not_permalinks);
    if doc.contains("itunes:duration") {
        fill_itunes_durations(&mut parsed, &itunes_durations(&doc));
    }
    Ok(parsed)
}

/// feed-rs drops an item's `itunes:duration` unless the item also has an `itunes:title` or
/// `itunes:summary`: read each item's (or entry's) duration from the document itself, in
/// order. `None` where an item has none; empty when the document does not read as XML.
fn itunes_durations(doc: &str) -> Vec<Option<u64>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(doc);
    let mut out: Vec<Option<u64>> = Vec::new();
    let mut in_item = false;
    let mut in_duration = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let local = e.local_name().into_inner();
                if matches!(local, "item" | "entry") {
                    out.push(None);
                    in_item = true;
                } else if in_item
                    && local == "duration"
                    && e.name()
                        .prefix()
                        .is_some_and(|p| p.into_inner() == "itunes")
                {
                    in_duration = true;
                }
            }
            Ok(Event::Text(t)) if in_duration => {
                if let Some(slot @ None) = out.last_mut() {
                    *slot = parse_clock_duration(&t.into_inner());
                }
            }
            Ok(Event::End(e)) => {
                if matches!(e.local_name().into_inner(), "item" | "entry") {
                    in_item = false;
                }
                in_duration = false;
            }
            Ok(Event::Eof) => break,
            Err(_) => return Vec::new(),
            _ => {}
        }
    }
    out
}

/// `1:02:03`, `62:03`, `3723`, `3723.5` → seconds.
fn parse_clock_duration(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut seconds: u64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let whole = if i + 1 == parts.len() {
            part.split('.').next().unwrap_or("")
        } else {
            part
        };
        let value: u64 = whole.trim().parse().ok()?;
        seconds = seconds.checked_mul(60)?.checked_add(value)?;
    }
    (seconds > 0).then_some(seconds)
}

/// Give each item's enclosures the duration its document states, when feed-rs lost it.
fn fill_itunes_durations(feed: &mut ParsedFeed, durations: &[Option<u64>]) {
    // Items dropped as duplicates would shift the order: then nothing is guessed.
    if durations.len() != feed.items.len() {
        return;
    }
    for (item, duration) in feed.items.iter_mut().zip(durations) {
        for enclosure in &mut item.enclosures {
            if enclosure.duration.is_none() {
                enclosure.duration = *duration;
            }
        }
    }
}

/// feed-rs on `doc` with its escaped text runs made CDATA sections
/// ([`repair::escaped_text_as_cdata`]): the same feed in fewer parser events. A document that
/// fails is read again as written, so its error (and the position it names) is the same.
fn run_feed_rs_on_document(doc: &str, feed_url: &Url) -> Result<Feed, ParseError> {
    if let Some(fed) = repair::escaped_text_as_cdata(doc)
        && let Ok(feed) = run_feed_rs(fed.as_bytes(), feed_url)
    {
        return Ok(feed);
    }
    run_feed_rs(doc.as_bytes(), feed_url)
}

/// feed-rs with our date parser and no generated ids, inside `catch_unwind`.
fn run_feed_rs(doc: &[u8], feed_url: &Url) -> Result<Feed, ParseError> {
    let parser = Builder::new()
        .base_uri(Some(feed_url.as_str()))
        .timestamp_parser(dates::parse_date)
        // feed-rs would invent a random UUID per parse for items with no id, link or title:
        // leave the id empty and compute a stable key ourselves.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .build();
    match catch_unwind(AssertUnwindSafe(|| parser.parse(doc))) {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(error)) => Err(describe_error(error)),
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(ParseError::ParserPanic {
                detail: sanitize_line(&detail),
            })
        }
    }
}

fn describe_error(error: ParseFeedError) -> ParseError {
    use feed_rs::parser::ParseErrorKind;
    match error {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => ParseError::NotAFeed {
            detail: "no RSS, Atom or JSON Feed root element".into(),
        },
        ParseFeedError::JsonUnsupportedVersion(version) => ParseError::NotAFeed {
            detail: format!(
                "unsupported JSON Feed version {:?}",
                sanitize_line(&version)
            ),
        },
        ParseFeedError::JsonSerde(e) => ParseError::Malformed {
            detail: format!("invalid JSON: {e}"),
        },
        other => ParseError::Malformed {
            detail: sanitize_line(&other.to_string()),
        },
    }
}

fn normalise(feed: Feed, feed_url: &Url, not_permalinks: &HashSet<String>) -> ParsedFeed {
    let is_atom = feed.feed_type == FeedType::Atom;
    let title = feed
        .title
        .as_ref()
        .map(|t| clean_title(t, is_atom))
        .filter(|t| !t.is_empty());
    let site_url = feed
        .links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .find_map(|l| http_url(&l.href, feed_url))
        .filter(|u| u != feed_url.as_str());
    let mut seen = HashSet::new();
    let mut items = Vec::with_capacity(feed.entries.len());
    for entry in feed.entries {
        let mut item = normalise_entry(entry, feed_url, not_permalinks, is_atom);
        if !seen.insert(item.dedupe_key.clone()) {
            // Two items sharing a guid: tell them apart by what they show, deterministically.
            item.dedupe_key = format!("{}#{:016x}", item.dedupe_key, content_hash(&item));
            if !seen.insert(item.dedupe_key.clone()) {
                continue; // the very same item twice
            }
        }
        items.push(item);
    }
    ParsedFeed {
        title,
        site_url,
        items,
    }
}

fn normalise_entry(
    mut entry: Entry,
    feed_url: &Url,
    not_permalinks: &HashSet<String>,
    is_atom: bool,
) -> ParsedItem {
    // Links inside content resolve against the content's xml:base, else the feed URL.
    let content_base = entry
        .base
        .as_deref()
        .and_then(|b| feed_url.join(b.trim()).ok())
        .unwrap_or_else(|| feed_url.clone());
    let guid = entry.id.trim();
    let url = entry
        .links
        .iter()
        .filter(|l| is_article_link(l))
        .find_map(|l| http_url(&l.href, feed_url))
        .or_else(|| {
            // `<guid>` is a permalink unless it says otherwise: use it when there is no link.
            (!not_permalinks.contains(guid))
                .then(|| Url::parse(guid).ok())
                .flatten()
                .filter(crate::url_safety::is_web)
                .map(String::from)
        });
    // The bodies are moved out of the entry, not copied (the rest of it is read below).
    let summary_html = entry
        .summary
        .take()
        .and_then(|t| {
            let media_type = t.content_type.essence().to_string();
            text_as_html(t.content, &media_type)
        })
        .map(|html| absolute_links(html, &content_base));
    let content_html = entry
        .content
        .take()
        .and_then(|c| {
            let media_type = c.content_type.essence().to_string();
            text_as_html(c.body?, &media_type)
        })
        .map(|html| absolute_links(html, &content_base));
    let title = entry
        .title
        .as_ref()
        .map(|t| clean_title(t, is_atom))
        .filter(|t| !t.is_empty())
        // Media RSS titles (YouTube-style feeds put the title only there).
        .or_else(|| {
            entry
                .media
                .iter()
                .filter_map(|m| m.title.as_ref())
                .map(|t| clean_title(t, false))
                .find(|t| !t.is_empty())
        })
        .or_else(|| {
            content_html
                .as_deref()
                .or(summary_html.as_deref())
                .and_then(snippet)
        })
        .unwrap_or_else(|| "(untitled)".to_string());
    let author = entry
        .authors
        .iter()
        .map(|p| clean_line(p.name.as_deref().unwrap_or("")))
        .find(|name| !name.is_empty());
    let published = entry.published.or(entry.updated);
    let enclosures = enclosures(&entry, feed_url);
    let mut item = ParsedItem {
        dedupe_key: String::new(),
        title,
        url,
        author,
        published,
        summary_html,
        content_html,
        enclosures,
    };
    item.dedupe_key = if !guid.is_empty() {
        bounded_key(guid)
    } else if let Some(url) = &item.url {
        bounded_key(url)
    } else {
        format!("hash:{:016x}", content_hash(&item))
    };
    item
}

/// Whether a link points at the article itself (not comments, self, replies, enclosures).
fn is_article_link(link: &Link) -> bool {
    link.target.is_none()
        && link
            .rel
            .as_deref()
            .is_none_or(|r| r.eq_ignore_ascii_case("alternate"))
}

/// An absolute http(s) URL for `href`, resolved against `base`; anything else is dropped.
fn http_url(href: &str, base: &Url) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > MAX_URL_LEN {
        return None;
    }
    crate::url_safety::join_web_url(base, href).map(String::from)
}

fn bounded_key(key: &str) -> String {
    if key.len() <= MAX_KEY_LEN {
        key.to_string()
    } else {
        format!("hash:{:016x}", fnv1a64(&[key.as_bytes()]))
    }
}

/// A hash of what an item shows: title, date, link, body, first enclosure. Stable across
/// parses and across runs (FNV-1a, no random seed).
fn content_hash(item: &ParsedItem) -> u64 {
    let date = item.published.map(|d| d.to_rfc3339()).unwrap_or_default();
    fnv1a64(&[
        item.title.as_bytes(),
        date.as_bytes(),
        item.url.as_deref().unwrap_or("").as_bytes(),
        item.content_html.as_deref().unwrap_or("").as_bytes(),
        item.summary_html.as_deref().unwrap_or("").as_bytes(),
        item.enclosures
            .first()
            .map_or("", |e| e.url.as_str())
            .as_bytes(),
    ])
}

/// FNV-1a 64 over several fields, each followed by a 0xFF separator (never in UTF-8).
pub(crate) fn fnv1a64(fields: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for field in fields {
        for &b in field.iter().chain(std::iter::once(&0xFF)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// `html` with its relative links made absolute, reusing the string when nothing changes.
fn absolute_links(html: String, base: &Url) -> String {
    match markup::absolutize_links(&html, base) {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(rewritten) => rewritten,
    }
}

/// A feed text as HTML: plain text escaped, HTML and XHTML kept, other media types dropped.
fn text_as_html(text: String, media_type: &str) -> Option<String> {
    let body = text.trim();
    if body.is_empty() {
        return None;
    }
    match media_type {
        // RSS 1.0 descriptions and JSON `summary` are nominally plain but often carry HTML.
        "text/plain" if markup::looks_like_html(body) => Some(trimmed(text)),
        "text/plain" => Some(markup::escape_html(body)),
        "text/html" | "application/xhtml+xml" | "text/xml" | "application/xml" => {
            Some(trimmed(text))
        }
        other if other.starts_with("text/") => Some(markup::escape_html(body)),
        _ => None,
    }
}

/// `text` without its leading and trailing whitespace, in its own buffer.
fn trimmed(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    let leading = text.len() - text.trim_start().len();
    text.drain(..leading);
    text
}

/// A title as a person reads it: markup removed, entities decoded once (so double-escaped
/// `&amp;eacute;` reads `é`), whitespace folded, controls removed.
/// Atom says what its text is: `type="text"` is literal (`History of the <blink> tag`), html
/// and xhtml are markup to strip. RSS and JSON titles are nominally plain but routinely carry
/// markup and (double-)escaped entities, so those are cleaned as HTML.
fn clean_title(text: &Text, is_atom: bool) -> String {
    if is_atom && text.content_type.essence().to_string() == "text/plain" {
        return sanitize_line(&text.content);
    }
    if is_atom {
        let stripped = markup::strip_tags(&text.content);
        return sanitize_line(&markup::decode_entities(&stripped));
    }
    clean_line(&text.content)
}

fn clean_line(raw: &str) -> String {
    let stripped = markup::strip_tags(raw);
    let decoded = markup::decode_entities(&stripped);
    // Entities can hide markup (`&lt;b&gt;` in an HTML title): strip what decoding revealed.
    let decoded = if decoded.contains('<') && raw.contains('&') {
        markup::strip_tags(&decoded).into_owned()
    } else {
        decoded.into_owned()
    };
    sanitize_line(&decoded)
}

/// The start of an item's text, for items without a title.
fn snippet(html: &str) -> Option<String> {
    let text = clean_line(html);
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= SNIPPET_CHARS {
        return Some(text);
    }
    let cut: String = text.chars().take(SNIPPET_CHARS).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if space > SNIPPET_CHARS / 2 => &cut[..space],
        _ => &cut,
    };
    Some(format!("{}…", at_word.trim_end()))
}

fn enclosures(entry: &Entry, feed_url: &Url) -> Vec<Enclosure> {
    let mut out: Vec<Enclosure> = Vec::new();
    let mut push = |url: Option<String>,
                    mime: Option<String>,
                    length: Option<u64>,
                    duration: Option<std::time::Duration>| {
        if let Some(url) = url
            && !out.iter().any(|e| e.url == url)
        {
            out.push(Enclosure {
                url,
                mime_type: mime.map(|m| sanitize_line(&m)).filter(|m| !m.is_empty()),
                length: length.filter(|l| *l > 0),
                duration: duration.map(|d| d.as_secs()).filter(|s| *s > 0),
            });
        }
    };
    // feed-rs keeps `itunes:duration` in a media object of its own, beside the enclosure's.
    let item_duration = entry.media.iter().find_map(|m| m.duration);
    for media in &entry.media {
        for content in &media.content {
            let url = content
                .url
                .as_ref()
                .and_then(|u| http_url(u.as_str(), feed_url));
            push(
                url,
                content.content_type.as_ref().map(|m| m.to_string()),
                content.size,
                // `media:content duration`, else the item's `itunes:duration`.
                content.duration.or(media.duration).or(item_duration),
            );
        }
    }
    for link in &entry.links {
        if link
            .rel
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("enclosure"))
        {
            push(
                http_url(&link.href, feed_url),
                link.media_type.clone(),
                link.length,
                item_duration,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn url() -> Url {
        Url::parse("http://127.0.0.1:8080/feed.xml").unwrap()
    }

    fn parse(doc: &str) -> ParsedFeed {
        parse_feed(doc.as_bytes(), None, &url()).unwrap()
    }

    fn rss(items: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>http://127.0.0.1:8080/</link>{items}</channel></rss>"
        )
    }

    #[test]
    fn feed_rs_reads_the_same_feed_with_escaped_text_as_cdata_on_the_shared_corpus() {
        let Some(dir) = crate::shared_corpus::shared_corpus("corpus/feeds") else {
            return;
        };
        let files = crate::shared_corpus::files_under(&dir);
        let (mut compared, mut changed) = (0, 0);
        for path in files {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let text = charset::decode_xml(&bytes, None);
            if text.trim_start().starts_with('{') {
                continue; // JSON Feed: parse_json never converts
            }
            let doc = repair::repair_references(&text);
            let Some(fed) = repair::escaped_text_as_cdata(&doc) else {
                continue;
            };
            changed += 1;
            let as_written = format!("{:?}", run_feed_rs(doc.as_bytes(), &url()));
            let as_fed = format!("{:?}", run_feed_rs(fed.as_bytes(), &url()));
            if as_written.starts_with("Ok(") {
                compared += 1;
                assert_eq!(as_fed, as_written, "{}", path.display());
            }
        }
        // The corpus has hundreds of feeds with escaped HTML: the comparison must have run.
        assert!(compared > 100, "{compared} of {changed} compared");
    }

    #[test]
    fn escaped_html_reads_the_same_as_cdata() {
        let doc = rss("<item><title>a &amp; b</title><link>http://x/1</link>\
             <description>&lt;p&gt;Hi &lt;a href=&quot;/p&quot;&gt;x&lt;/a&gt;&lt;/p&gt;\n</description></item>");
        let fed = repair::escaped_text_as_cdata(&doc).expect("escaped runs");
        assert!(fed.contains("<![CDATA[<p>Hi <a href=\"/p\">x</a></p>\n]]>"));
        assert_eq!(
            format!("{:?}", run_feed_rs(fed.as_bytes(), &url())),
            format!("{:?}", run_feed_rs(doc.as_bytes(), &url()))
        );
        let item = &parse(&doc).items[0];
        assert_eq!(item.title, "a & b");
        assert_eq!(
            item.summary_html.as_deref(),
            Some("<p>Hi <a href=\"http://127.0.0.1:8080/p\">x</a></p>")
        );
    }

    #[test]
    fn entities_in_titles_are_decoded() {
        let feed = parse(&rss(
            "<item><title>Caf&eacute;&nbsp;cr&egrave;me &amp; co</title><link>http://x/1</link></item>",
        ));
        assert_eq!(feed.items[0].title, "Café crème & co");
    }

    #[test]
    fn double_escaped_titles_and_markup_are_cleaned() {
        let feed = parse(&rss(
            "<item><title>L&amp;eacute;t&amp;eacute; &amp;amp; more</title><link>http://x/1</link></item>\
             <item><title><![CDATA[<b>Bold</b> <i>news</i>]]></title><link>http://x/2</link></item>",
        ));
        assert_eq!(feed.items[0].title, "Lété & more");
        assert_eq!(feed.items[1].title, "Bold news");
    }

    #[test]
    fn latin1_without_declaration_parses() {
        let mut doc = b"<rss version=\"2.0\"><channel><title>Caf".to_vec();
        doc.push(0xE9);
        doc.extend(
            b"</title><item><title>\x93q\x94</title><link>http://x/</link></item></channel></rss>",
        );
        let feed = parse_feed(&doc, None, &url()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Café"));
        assert_eq!(feed.items[0].title, "“q”");
    }

    #[test]
    fn windows_1252_declared_as_iso_8859_1() {
        let mut doc = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>it".to_vec();
        doc.push(0x92);
        doc.extend(b"s \x80</title></channel></rss>");
        let feed = parse_feed(&doc, None, &url()).unwrap();
        assert_eq!(feed.title.as_deref(), Some("it’s €"));
    }

    #[test]
    fn utf16_with_and_without_bom_and_declaration_parses() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><title>中文</title><item><title>é</title><link>http://x/</link></item></channel></rss>";
        for (big_endian, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let mut bytes = match (big_endian, bom) {
                (_, false) => Vec::new(),
                (true, true) => vec![0xFE, 0xFF],
                (false, true) => vec![0xFF, 0xFE],
            };
            for unit in doc.encode_utf16() {
                bytes.extend(if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                });
            }
            let feed = parse_feed(&bytes, None, &url()).unwrap();
            assert_eq!(feed.title.as_deref(), Some("中文"));
            assert_eq!(feed.items[0].title, "é");
        }
    }

    #[test]
    fn dtd_entities_are_never_expanded() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>&lol2;</title><item><title>&xxe;</title><link>http://x/</link></item></channel></rss>"#;
        let feed = parse(doc);
        assert_eq!(feed.title.as_deref(), Some("&lol2;"));
        assert_eq!(feed.items[0].title, "&xxe;");
    }

    #[test]
    fn rss_without_version_and_odd_versions() {
        for root in ["<rss>", "<rss version=\"0.94\">", "<rss version=\"2.00\">"] {
            let doc = format!(
                "{root}<channel><title>T</title><item><title>a</title><link>http://x/a</link></item></channel></rss>"
            );
            let feed = parse(&doc);
            assert_eq!(feed.items.len(), 1, "{root}");
        }
    }

    #[test]
    fn atom_03_is_read() {
        let doc = r#"<?xml version="1.0"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Atom</title>
  <link rel="alternate" type="text/html" href="http://127.0.0.1:8080/"/>
  <tagline>tag</tagline>
  <modified>2004-01-01T00:00:00Z</modified>
  <entry>
    <title type="text/html" mode="escaped">A &amp;amp; B</title>
    <link rel="alternate" type="text/html" href="http://127.0.0.1:8080/a"/>
    <id>tag:x,2004:a</id>
    <issued>2004-01-02T03:04:05Z</issued>
    <modified>2004-01-03T00:00:00Z</modified>
    <author><name>Me</name><url>http://me/</url></author>
    <content type="text/html" mode="escaped">&lt;p&gt;Hello&lt;/p&gt;</content>
  </entry>
</feed>"#;
        let feed = parse(doc);
        assert_eq!(feed.title.as_deref(), Some("Old Atom"));
        assert_eq!(feed.items.len(), 1);
        let item = &feed.items[0];
        assert_eq!(item.title, "A & B");
        assert_eq!(item.url.as_deref(), Some("http://127.0.0.1:8080/a"));
        assert_eq!(
            item.published,
            Some(Utc.with_ymd_and_hms(2004, 1, 2, 3, 4, 5).unwrap())
        );
        assert_eq!(item.author.as_deref(), Some("Me"));
        assert_eq!(item.content_html.as_deref(), Some("<p>Hello</p>"));
    }

    #[test]
    fn bare_ampersand_does_not_lose_the_feed() {
        let feed = parse(&rss(
            "<item><title>Q&A</title><link>http://x/?a=1&b=2</link></item>",
        ));
        assert_eq!(feed.items[0].title, "Q&A");
        assert_eq!(feed.items[0].url.as_deref(), Some("http://x/?a=1&b=2"));
    }

    #[test]
    fn relative_links_with_xml_base() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://127.0.0.1:8080/blog/">
<title>T</title><entry><id>e1</id><title>t</title><link href="posts/1"/>
<content type="html" xml:base="http://127.0.0.1:8080/other/">&lt;a href="x.html"&gt;x&lt;/a&gt; &lt;img src="/i.png"&gt;</content>
</entry></feed>"#;
        let item = &parse(doc).items[0];
        assert_eq!(
            item.url.as_deref(),
            Some("http://127.0.0.1:8080/blog/posts/1")
        );
        assert_eq!(
            item.content_html.as_deref(),
            Some(
                r#"<a href="http://127.0.0.1:8080/other/x.html">x</a> <img src="http://127.0.0.1:8080/i.png">"#
            )
        );
    }

    #[test]
    fn rss_relative_links_resolve_against_the_feed_url() {
        let feed = parse(&rss(
            "<item><title>a</title><link>/post/1</link><description>&lt;a href=\"/p\"&gt;p&lt;/a&gt;</description>\
             <enclosure url=\"/ep.mp3\" type=\"audio/mpeg\" length=\"123\"/></item>",
        ));
        let item = &feed.items[0];
        assert_eq!(item.url.as_deref(), Some("http://127.0.0.1:8080/post/1"));
        assert_eq!(
            item.summary_html.as_deref(),
            Some("<a href=\"http://127.0.0.1:8080/p\">p</a>")
        );
        assert_eq!(
            item.enclosures,
            vec![Enclosure {
                url: "http://127.0.0.1:8080/ep.mp3".into(),
                mime_type: Some("audio/mpeg".into()),
                length: Some(123),
                duration: None,
            }]
        );
    }

    #[test]
    fn podcast_durations_are_kept_in_seconds() {
        let doc = "<?xml version=\"1.0\"?><rss version=\"2.0\" \
             xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>T</title>\
             <item><title>ep</title><link>/ep/1</link>\
             <enclosure url=\"/ep1.mp3\" type=\"audio/mpeg\" length=\"4500000\"/>\
             <itunes:duration>1:02:03</itunes:duration></item>\
             <item><title>no duration</title><link>/ep/2</link>\
             <enclosure url=\"/ep2.mp3\" type=\"audio/mpeg\"/></item></channel></rss>";
        let feed = parse(doc);
        let first = &feed.items[0].enclosures[0];
        assert_eq!(first.url, "http://127.0.0.1:8080/ep1.mp3");
        assert_eq!(first.length, Some(4_500_000));
        assert_eq!(first.duration, Some(3723));
        assert_eq!(feed.items[1].enclosures[0].duration, None);
        assert_eq!(parse_clock_duration("62:03"), Some(3723));
        assert_eq!(parse_clock_duration("3723.5"), Some(3723));
        assert_eq!(parse_clock_duration("soon"), None);
    }

    #[test]
    fn hostile_links_are_dropped() {
        let feed = parse(&rss(
            "<item><title>a</title><link>javascript:alert(1)</link></item>\
             <item><title>b</title><link>file:///etc/passwd</link></item>",
        ));
        assert!(feed.items.iter().all(|i| i.url.is_none()));
    }

    #[test]
    fn guid_permalink_is_the_link_when_there_is_none() {
        let feed = parse(&rss(
            "<item><title>a</title><guid>http://127.0.0.1:8080/p/1</guid></item>",
        ));
        assert_eq!(
            feed.items[0].url.as_deref(),
            Some("http://127.0.0.1:8080/p/1")
        );
        let feed = parse(&rss(
            "<item><title>a</title><guid isPermaLink=\"false\">http://127.0.0.1:8080/p/1</guid></item>\
             <item><title>b</title><guid>http://127.0.0.1:8080/p/2</guid></item>",
        ));
        assert_eq!(feed.items[0].url, None);
        assert_eq!(
            feed.items[1].url.as_deref(),
            Some("http://127.0.0.1:8080/p/2")
        );
    }

    #[test]
    fn items_without_guid_link_or_title_keep_their_key() {
        let doc = rss(
            "<item><description>first body</description></item><item><description>second body</description></item>",
        );
        let once = parse(&doc);
        let twice = parse(&doc);
        assert_eq!(once.items.len(), 2);
        assert_eq!(once.items[0].dedupe_key, twice.items[0].dedupe_key);
        assert_eq!(once.items[1].dedupe_key, twice.items[1].dedupe_key);
        assert_ne!(once.items[0].dedupe_key, once.items[1].dedupe_key);
        assert_eq!(once.items[0].title, "first body");
    }

    #[test]
    fn rss1_items_without_link_are_kept() {
        let doc = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://127.0.0.1:8080/"><title>R</title><link>http://127.0.0.1:8080/</link></channel>
<item rdf:about="http://127.0.0.1:8080/i1"><title>one</title><description>&lt;p&gt;hi&lt;/p&gt;</description></item>
<item><title>two</title></item></rdf:RDF>"#;
        let feed = parse(doc);
        assert_eq!(feed.items.len(), 2);
        assert_eq!(
            feed.items[0].url.as_deref(),
            Some("http://127.0.0.1:8080/i1")
        );
        assert_eq!(feed.items[0].summary_html.as_deref(), Some("<p>hi</p>"));
        assert_eq!(feed.items[1].url, None);
    }

    #[test]
    fn keys_prefer_guid_then_link() {
        let feed = parse(&rss(
            "<item><title>a</title><guid>g1</guid><link>http://x/1</link></item><item><title>b</title><link>http://x/2</link></item>",
        ));
        assert_eq!(feed.items[0].dedupe_key, "g1");
        assert_eq!(feed.items[1].dedupe_key, "http://x/2");
    }

    #[test]
    fn odd_dates_are_recovered_and_bad_ones_are_none() {
        let feed = parse(&rss(
            "<item><title>a</title><link>http://x/1</link><pubDate>Tue 10 Jun 2003 04:00:00 CEST</pubDate></item>\
             <item><title>b</title><link>http://x/2</link><pubDate>yesterday</pubDate></item>",
        ));
        assert_eq!(
            feed.items[0].published,
            Some(Utc.with_ymd_and_hms(2003, 6, 10, 2, 0, 0).unwrap())
        );
        assert_eq!(feed.items[1].published, None);
    }

    #[test]
    fn hostile_control_characters_are_stripped_from_titles() {
        let feed = parse(&rss(
            "<item><title>a&#27;[2Jb&#27;]52;c;ZXZpbA==&#7;c\u{202e}d</title><link>http://x/1</link><author>x&#27;[31m (Evil)</author></item>",
        ));
        assert_eq!(feed.items[0].title, "abcd");
        assert!(
            !feed.items[0]
                .author
                .as_deref()
                .unwrap_or("")
                .contains('\u{1b}')
        );
    }

    #[test]
    fn overflowing_durations_do_not_lose_the_feed() {
        let feed = parse(
            "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>P</title>\
             <item><title>ep</title><link>http://x/1</link><itunes:duration>123456789012345678901234</itunes:duration>\
             <media:thumbnail url=\"http://x/t.jpg\" time=\"99999999999999999999999\"/></item>\
             <item><title>ep2</title><link>http://x/2</link><itunes:duration>9999999999999999:00:00</itunes:duration></item></channel></rss>",
        );
        assert_eq!(feed.items.len(), 2);
    }

    #[test]
    fn a_feed_rs_panic_becomes_an_error() {
        // Straight to feed-rs, without the repair that normally defuses this input.
        let doc = "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>P</title>\
             <item><title>ep</title><itunes:duration>123456789012345678901234</itunes:duration></item></channel></rss>";
        assert!(matches!(
            run_feed_rs(doc.as_bytes(), &url()),
            Err(ParseError::ParserPanic { .. })
        ));
    }

    #[test]
    fn php_warning_before_the_declaration_is_skipped() {
        let doc = format!(
            "<br />\n<b>Warning</b>: Cannot modify header information in <b>x.php</b><br />\n<?xml version=\"1.0\"?>{}",
            rss("<item><title>a</title><link>http://x/1</link></item>")
                .trim_start_matches("<?xml version=\"1.0\"?>")
        );
        assert_eq!(parse(&doc).items.len(), 1);
    }

    #[test]
    fn a_late_declaration_does_not_make_utf8_text_decode_twice() {
        let doc = "<br/>\n<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Café</title></channel></rss>";
        assert_eq!(parse(doc).title.as_deref(), Some("Café"));
    }

    #[test]
    fn json_feed_quirks() {
        let doc = r#"{"version":"http://jsonfeed.org/version/1","title":"J","home_page_url":"http://127.0.0.1:8080/",
            "items":[{"id":1,"url":"/a","title":"A &amp; B","tags":"x,y","content_html":"<a href=\"/z\">z</a>"}]}"#;
        let feed = parse(doc);
        assert_eq!(feed.title.as_deref(), Some("J"));
        let item = &feed.items[0];
        assert_eq!(item.dedupe_key, "1");
        assert_eq!(item.title, "A & B");
        assert_eq!(item.url.as_deref(), Some("http://127.0.0.1:8080/a"));
        assert_eq!(
            item.content_html.as_deref(),
            Some("<a href=\"http://127.0.0.1:8080/z\">z</a>")
        );
    }

    #[test]
    fn atom_text_with_unexpected_type_is_accepted() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="text/plain">T</title>
<entry><id>1</id><title type="">x</title><summary type="application/octet-stream">s</summary></entry></feed>"#;
        let feed = parse(doc);
        assert_eq!(feed.title.as_deref(), Some("T"));
        assert_eq!(feed.items[0].title, "x");
    }

    #[test]
    fn atom_plain_text_titles_are_literal_and_html_ones_are_stripped() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>1</id><title type="text">History of the &lt;blink&gt; tag</title></entry>
<entry><id>2</id><title type="html">Example &lt;b&gt;Atom&lt;/b&gt; &amp;amp; co</title></entry></feed>"#;
        let feed = parse(doc);
        assert_eq!(feed.items[0].title, "History of the <blink> tag");
        assert_eq!(feed.items[1].title, "Example Atom & co");
    }

    #[test]
    fn not_feeds_and_broken_feeds_are_errors() {
        let html = "<!DOCTYPE html><html><head><title>x</title></head><body></body></html>";
        assert!(matches!(
            parse_feed(html.as_bytes(), None, &url()),
            Err(ParseError::NotAFeed { .. })
        ));
        assert!(matches!(
            parse_feed(b"<note><to>x</to></note>", None, &url()),
            Err(ParseError::NotAFeed { .. })
        ));
        assert!(parse_feed(b"", None, &url()).is_err());
        let truncated = "<rss version=\"2.0\"><channel><title>T</title><item><title>a</title><link>http://x/</li";
        assert!(parse_feed(truncated.as_bytes(), None, &url()).is_err());
    }

    #[test]
    fn untitled_items_get_a_snippet_or_a_placeholder() {
        let long = "word ".repeat(40);
        let feed = parse(&rss(&format!(
            "<item><link>http://x/1</link><description>&lt;p&gt;{long}&lt;/p&gt;</description></item><item><link>http://x/2</link></item>"
        )));
        assert!(feed.items[0].title.ends_with('…'));
        assert!(feed.items[0].title.chars().count() <= SNIPPET_CHARS + 1);
        assert_eq!(feed.items[1].title, "(untitled)");
    }
}
