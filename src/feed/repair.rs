//! Repairs applied to a decoded feed document before feed-rs sees it: undefined and bare `&`,
//! HTML named entities, `<rss>` versions feed-rs refuses, RSS 0.90 and Userland namespaces,
//! Atom 0.3 rewritten to Atom 1.0, Atom text constructs with unexpected `type`s, integer
//! overflows that panic feed-rs, and JSON Feed type quirks. Each pass is linear and allocates
//! only when it changes something.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::{memchr2, memmem};
use regex::{Captures, Regex};

use super::markup;

const ATOM03_NS: &str = "http://purl.org/atom/ns#";
const ATOM10_NS: &str = "http://www.w3.org/2005/Atom";

/// Where a construct that is not element content ends, given the bytes at a `<`.
/// Returns the index just past it, or `None` when `<` opens an ordinary tag.
fn skip_markup_declaration(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = &bytes[at..];
    let find_from = |needle: &[u8], from: usize| {
        memmem::find(&bytes[from.min(bytes.len())..], needle)
            .map_or(bytes.len(), |p| from + p + needle.len())
    };
    if rest.starts_with(b"<![CDATA[") {
        Some(find_from(b"]]>", at + 9))
    } else if rest.starts_with(b"<!--") {
        Some(find_from(b"-->", at + 4))
    } else if rest.starts_with(b"<?") {
        Some(find_from(b"?>", at + 2))
    } else if rest.starts_with(b"<!") {
        // DOCTYPE (or another declaration): with an internal subset, end at `]` then `>`.
        let gt = memchr::memchr(b'>', rest).map_or(bytes.len(), |p| at + p);
        let bracket = memchr::memchr(b'[', rest).map(|p| at + p);
        match bracket {
            Some(b) if b < gt => {
                let close = find_from(b"]", b);
                Some(
                    memchr::memchr(b'>', &bytes[close.min(bytes.len())..])
                        .map_or(bytes.len(), |p| close + p + 1),
                )
            }
            _ => Some((gt + 1).min(bytes.len())),
        }
    } else {
        None
    }
}

/// Escape every `&` that does not start a valid reference, replace HTML named entities by
/// numeric references (feed-rs leaves `&eacute;` literal), map C1 numeric references to their
/// windows-1252 characters (`&#146;` means `’`) and drop references to impossible code points.
/// CDATA sections, comments, processing instructions and the DOCTYPE are left untouched.
pub(crate) fn repair_references(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(offset) = memchr2(b'&', b'<', &bytes[i..]) {
        let at = i + offset;
        if bytes[at] == b'<' {
            i = skip_markup_declaration(bytes, at).unwrap_or(at + 1);
            continue;
        }
        let (consumed, replacement) = match classify_reference(&bytes[at..]) {
            Reference::Valid(len) => {
                i = at + len;
                continue;
            }
            Reference::Replace(len, with) => (len, with),
        };
        let buffer = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
        buffer.push_str(&text[copied..at]);
        buffer.push_str(&replacement);
        copied = at + consumed;
        i = copied;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buffer) => {
            buffer.push_str(&text[copied..]);
            Cow::Owned(buffer)
        }
    }
}

enum Reference {
    /// A reference XML understands, of this length.
    Valid(usize),
    /// Replace this many bytes by this text.
    Replace(usize, String),
}

fn classify_reference(at_amp: &[u8]) -> Reference {
    let bare = || Reference::Replace(1, "&amp;".to_string());
    let Some(&next) = at_amp.get(1) else {
        return bare();
    };
    if next == b'#' {
        let (hex, start) = match at_amp.get(2) {
            Some(b'x' | b'X') => (true, 3),
            _ => (false, 2),
        };
        let digits_len = at_amp[start..]
            .iter()
            .take(12)
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        let end = start + digits_len;
        if digits_len == 0 || at_amp.get(end) != Some(&b';') {
            return bare();
        }
        let digits = std::str::from_utf8(&at_amp[start..end]).unwrap_or("");
        let value = u32::from_str_radix(digits, if hex { 16 } else { 10 }).ok();
        let len = end + 1;
        return match value {
            Some(v @ 0x80..=0x9F) => match char::from_u32(v).and_then(crate::text::cp1252_c1) {
                Some(c) => Reference::Replace(len, format!("&#{};", c as u32)),
                None => Reference::Replace(len, String::new()),
            },
            // XML only knows a lower-case `x` in hex references.
            Some(v) if v != 0 && char::from_u32(v).is_some() && at_amp.get(2) == Some(&b'X') => {
                Reference::Replace(len, format!("&#x{digits};"))
            }
            Some(v) if v != 0 && char::from_u32(v).is_some() => Reference::Valid(len),
            _ => Reference::Replace(len, "&#65533;".to_string()),
        };
    }
    let name_len = at_amp[1..]
        .iter()
        .take(33)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if name_len == 0 || name_len > 32 || at_amp.get(1 + name_len) != Some(&b';') {
        return bare();
    }
    let name = std::str::from_utf8(&at_amp[1..1 + name_len]).unwrap_or("");
    let len = name_len + 2;
    match name {
        "amp" | "lt" | "gt" | "quot" | "apos" => Reference::Valid(len),
        _ => match markup::named_reference(name) {
            Some(chars) => {
                Reference::Replace(len, chars.map(|c| format!("&#{};", c as u32)).collect())
            }
            // Undefined (or DTD-declared, which is never expanded): keep it as literal text.
            None => Reference::Replace(1, "&amp;".to_string()),
        },
    }
}

/// The root element's start tag: its byte range and qualified name.
pub(crate) struct RootTag<'a> {
    pub start: usize,
    pub end: usize,
    pub name: &'a str,
}

impl RootTag<'_> {
    /// Name without its namespace prefix, lower-cased.
    pub fn local_name(&self) -> String {
        self.name
            .rsplit(':')
            .next()
            .unwrap_or(self.name)
            .to_ascii_lowercase()
    }
}

/// Find the first element's start tag (after the prolog, comments, DOCTYPE and junk).
pub(crate) fn root_tag(text: &str) -> Option<RootTag<'_>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + offset;
        if let Some(next) = skip_markup_declaration(bytes, at) {
            i = next;
            continue;
        }
        let name_len = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
            .count();
        if name_len == 0 || !bytes[at + 1].is_ascii_alphabetic() && bytes[at + 1] != b'_' {
            i = at + 1;
            continue;
        }
        let end = memchr::memchr(b'>', &bytes[at..]).map_or(bytes.len(), |p| at + p + 1);
        return Some(RootTag {
            start: at,
            end,
            name: &text[at + 1..at + 1 + name_len],
        });
    }
    None
}

static VERSION_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\sversion\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("static regex")
});

/// `<rss>` with no version or one feed-rs does not know (0.93, 0.94, 2.00…) becomes 2.0,
/// whose parser reads all of them.
pub(crate) fn fix_rss_version(text: String) -> String {
    let Some(root) = root_tag(&text) else {
        return text;
    };
    if root.local_name() != "rss" {
        return text;
    }
    let tag = &text[root.start..root.end];
    let mut text_owned;
    match VERSION_ATTR.captures(tag) {
        Some(caps) => {
            let value = caps.get(1).or_else(|| caps.get(2));
            let Some(value) = value else { return text };
            if matches!(value.as_str(), "2.0" | "0.91" | "0.92" | "") {
                return text;
            }
            let range = root.start + value.start()..root.start + value.end();
            text_owned = text;
            text_owned.replace_range(range, "2.0");
        }
        None => {
            let insert_at = root.start + 1 + root.name.len();
            text_owned = text;
            text_owned.insert_str(insert_at, " version=\"2.0\"");
        }
    }
    text_owned
}

/// Namespaces feed-rs does not know but whose documents it can read as RSS (feed-rs maps the
/// RSS 1.0 namespace to its RSS elements): RSS 0.90 (both Netscape URIs) and Userland's RSS
/// 2.0 namespace, default or prefixed.
pub(crate) fn fix_namespaces(text: String) -> String {
    const RSS_NS: &str = "http://purl.org/rss/1.0/";
    const FOREIGN: &[&str] = &[
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://channel.netscape.com/rdf/simple/0.9/",
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
    ];
    if memmem::find(text.as_bytes(), b"netscape.com/rdf/simple").is_none()
        && memmem::find(text.as_bytes(), b"backend.userland.com/rss").is_none()
    {
        return text;
    }
    let mut text = text;
    for ns in FOREIGN {
        for quote in ['"', '\''] {
            let quoted = format!("{quote}{ns}{quote}");
            if text.contains(&quoted) {
                text = text.replace(&quoted, &format!("{quote}{RSS_NS}{quote}"));
            }
        }
    }
    text
}

/// `<rss>` whose items sit directly under the root (no `<channel>`): wrap them in one, as
/// feedparser reads them.
pub(crate) fn wrap_rss_channel(text: String) -> String {
    if memmem::find(text.as_bytes(), b"<channel").is_some() {
        return text;
    }
    let Some(root) = root_tag(&text) else {
        return text;
    };
    if text[root.start..root.end].ends_with("/>") {
        return text;
    }
    let close = text.rfind("</rss").unwrap_or(text.len());
    if close < root.end {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 24);
    out.push_str(&text[..root.end]);
    out.push_str("<channel>");
    out.push_str(&text[root.end..close]);
    out.push_str("</channel>");
    out.push_str(&text[close..]);
    out
}

/// A feed served inside an XHTML page (`<html><body><feed xmlns=…>`): the embedded feed
/// element, or `None` when the page holds none.
pub(crate) fn embedded_feed(text: &str) -> Option<&str> {
    for (open, close) in [
        ("<feed xmlns=\"http://www.w3.org/2005/Atom\"", "</feed>"),
        ("<rss version=", "</rss>"),
    ] {
        if let Some(start) = text.find(open)
            && let Some(end) = text.rfind(close)
            && end > start
        {
            return Some(&text[start..end + close.len()]);
        }
    }
    None
}

static CDF_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<(/?)(channel|item|title|abstract)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"#)
        .expect("static regex")
});

static CDF_ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(href|lastmod)\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("static regex")
});

/// Microsoft CDF (`<CHANNEL HREF=… LASTMOD=…><ITEM HREF=…><TITLE>…<ABSTRACT>…`) rewritten as
/// RSS 2.0, which is what it means.
pub(crate) fn cdf_to_rss(text: &str) -> String {
    let mut depth_channel = 0usize;
    let body = CDF_TAG.replace_all(text, |caps: &Captures<'_>| {
        let closing = !caps[1].is_empty();
        let self_closing = !caps[4].is_empty();
        let name = caps[2].to_ascii_lowercase();
        let element = match name.as_str() {
            "abstract" => "description",
            other => other,
        };
        if closing {
            if name == "channel" {
                depth_channel = depth_channel.saturating_sub(1);
                if depth_channel == 0 {
                    return "</channel></rss>".to_string();
                }
                return String::new();
            }
            return format!("</{element}>");
        }
        let mut extra = String::new();
        for attr in CDF_ATTRIBUTE.captures_iter(&caps[3]) {
            let value = attr
                .get(2)
                .or_else(|| attr.get(3))
                .map_or("", |m| m.as_str());
            match attr[1].to_ascii_lowercase().as_str() {
                "href" => extra.push_str(&format!("<link>{value}</link>")),
                _ => extra.push_str(&format!("<pubDate>{value}</pubDate>")),
            }
        }
        let open = match name.as_str() {
            "channel" => {
                depth_channel += 1;
                if depth_channel > 1 {
                    // Sub-channels are flattened into the top one.
                    return if self_closing { String::new() } else { extra };
                }
                "<rss version=\"2.0\"><channel>".to_string()
            }
            _ => format!("<{element}>"),
        };
        if self_closing {
            let close = if name == "channel" {
                depth_channel = depth_channel.saturating_sub(1);
                "</channel></rss>".to_string()
            } else {
                format!("</{element}>")
            };
            format!("{open}{extra}{close}")
        } else {
            format!("{open}{extra}")
        }
    });
    body.into_owned()
}

/// Close elements a feed forgot to close and drop end tags that close nothing, so one
/// sloppy tag does not lose the feed. An element found unclosed is closed right after its
/// start tag: the usual culprit is an empty element written without `/` (`<itunes:category
/// text='x'>`), and what followed it belongs to its parent. A document that ends with elements
/// still open (a truncated download) is not repaired: `None`.
pub(crate) fn balance_tags(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    // (name, index just past its start tag)
    let mut stack: Vec<(&str, usize)> = Vec::new();
    // (position, text to insert) and byte ranges to delete.
    let mut inserts: Vec<(usize, &str)> = Vec::new();
    let mut deletes: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + offset;
        if let Some(next) = skip_markup_declaration(bytes, at) {
            i = next;
            continue;
        }
        let end = tag_end(bytes, at)?;
        let closing = bytes.get(at + 1) == Some(&b'/');
        let name_start = if closing { at + 2 } else { at + 1 };
        let name_len = bytes[name_start..end]
            .iter()
            .take_while(|b| !(b.is_ascii_whitespace() || **b == b'/' || **b == b'>'))
            .count();
        let name = &text[name_start..name_start + name_len];
        i = end;
        if name.is_empty() {
            continue;
        }
        if !closing {
            if bytes[end - 2] != b'/' {
                stack.push((name, end));
            }
            continue;
        }
        match stack.iter().rposition(|(open, _)| *open == name) {
            Some(pos) => {
                for (unclosed, after_start) in stack.drain(pos + 1..) {
                    inserts.push((after_start, unclosed));
                }
                stack.pop();
            }
            None => deletes.push((at, end)),
        }
    }
    if !stack.is_empty() || (inserts.is_empty() && deletes.is_empty()) {
        return None;
    }
    inserts.sort_by_key(|(pos, _)| *pos);
    let mut out = String::with_capacity(text.len() + 16 * inserts.len());
    let mut copied = 0;
    let mut inserts = inserts.into_iter().peekable();
    let mut deletes = deletes.into_iter().peekable();
    loop {
        let next_insert = inserts.peek().map(|(pos, _)| *pos);
        let next_delete = deletes.peek().map(|(start, _)| *start);
        let take_insert = match (next_insert, next_delete) {
            (Some(pos), Some(start)) => pos <= start,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_insert {
            if let Some((pos, name)) = inserts.next() {
                out.push_str(&text[copied..pos]);
                out.push_str("</");
                out.push_str(name);
                out.push('>');
                copied = pos;
            }
        } else if let Some((start, end)) = deletes.next() {
            out.push_str(&text[copied..start]);
            copied = end;
        }
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Index just past the `>` of the tag starting at `at`, skipping quoted attribute values.
fn tag_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut quote = None;
    for (offset, &b) in bytes[at..].iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(at + offset + 1),
            _ => {}
        }
    }
    None
}

static NON_PERMALINK_GUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<guid\s[^>]*ispermalink\s*=\s*["']\s*false\s*["'][^>]*>\s*(?:<!\[CDATA\[)?([^<\]]*)"#)
        .expect("static regex")
});

/// Guids marked `isPermaLink="false"`: they must not be used as the item's link.
pub(crate) fn non_permalink_guids(text: &str) -> std::collections::HashSet<String> {
    if memmem::find(text.as_bytes(), b"false").is_none() {
        return std::collections::HashSet::new();
    }
    NON_PERMALINK_GUID
        .captures_iter(text)
        .map(|caps| caps[1].trim().replace("&amp;", "&"))
        .collect()
}

static RDF_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?s)<item\b([^>]*)>(.*?)</item\s*>"#).expect("static regex"));

static RDF_ABOUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"about\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("static regex"));

/// RSS 1.0 items without `<link>` (feed-rs drops them): give them one, from `rdf:about` when
/// there is one (that is the item's URI), else `about:blank` so the item is kept.
pub(crate) fn add_missing_rdf_links(text: String) -> String {
    let needs_links = RDF_ITEM
        .captures_iter(&text)
        .any(|caps| !caps[2].contains("<link"));
    if !needs_links {
        return text;
    }
    RDF_ITEM
        .replace_all(&text, |caps: &Captures<'_>| {
            if caps[2].contains("<link") {
                return caps[0].to_string();
            }
            let about = RDF_ABOUT
                .captures(&caps[1])
                .and_then(|a| a.get(1).or_else(|| a.get(2)))
                .map(|m| m.as_str())
                .filter(|about| !about.trim().is_empty())
                // A link feed-rs keeps but kiosque drops (not http): the item survives.
                .unwrap_or("about:blank");
            format!("<item{}><link>{about}</link>{}</item>", &caps[1], &caps[2])
        })
        .into_owned()
}

/// A document whose last end tag lacks only its `>` (`…</feed`): close it. Anything more
/// missing is a truncated download and stays an error.
pub(crate) fn close_final_tag(mut text: String) -> String {
    let trimmed_len = text.trim_end().len();
    let tail = &text[..trimmed_len];
    if let Some(lt) = tail.rfind("</")
        && !tail[lt..].contains('>')
        && tail[lt + 2..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
        && lt + 2 < tail.len()
    {
        text.truncate(trimmed_len);
        text.push('>');
    }
    text
}

static MEDIA_TEXT_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(<media:(?:title|description|text)\b[^>]*\btype\s*=\s*["'])text/(html|plain)"#)
        .expect("static regex")
});

/// Media RSS text types written as MIME types (`text/html`), which feed-rs rejects.
pub(crate) fn repair_media_text_types(text: &str) -> Cow<'_, str> {
    MEDIA_TEXT_TYPE.replace_all(text, "${1}${2}")
}

/// Whether the document is Atom 0.3.
pub(crate) fn is_atom03(text: &str) -> bool {
    memmem::find(text.as_bytes(), ATOM03_NS.as_bytes()).is_some()
}

static ATOM03_RENAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<(/?)((?:[A-Za-z_][\w.-]*:)?)(modified|issued|created|tagline|copyright|url|info)([\s/>])")
        .expect("static regex")
});

static BASE64_ELEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<([A-Za-z_][\w.:-]*)(\s[^>]*?)\bmode\s*=\s*["']base64["']([^>]*)>([^<]*)<"#)
        .expect("static regex")
});

/// Atom 0.3 `mode="base64"` bodies decoded (feed-rs would hand the base64 text on as is) and
/// re-escaped; the element is then marked `mode="escaped"`.
fn decode_base64_elements(text: &str) -> Cow<'_, str> {
    if !text.contains("base64") {
        return Cow::Borrowed(text);
    }
    BASE64_ELEMENT.replace_all(text, |caps: &Captures<'_>| {
        let decoded = decode_base64(caps[4].trim())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        let escaped = decoded
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!(
            "<{}{} mode=\"escaped\"{}>{}<",
            &caps[1],
            caps[2].trim_end(),
            &caps[3],
            escaped
        )
    })
}

/// Base64, standard or URL-safe alphabet (padding optional, whitespace ignored, anything after
/// the first `=` ignored); `None` on any other character.
fn decode_base64(input: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let compact: Vec<u8> = input
        .bytes()
        .take_while(|&b| b != b'=')
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    GeneralPurpose::new(&STANDARD, LENIENT)
        .decode(&compact)
        .or_else(|_| GeneralPurpose::new(&URL_SAFE, LENIENT).decode(&compact))
        .ok()
}

/// Atom 0.3 read as Atom 1.0: namespace, element names (`modified`→`updated`,
/// `issued`→`published`, `tagline`→`subtitle`, `copyright`→`rights`, author `url`→`uri`) and
/// the `mode` attribute folded into `type` (by [`repair_atom_text_constructs`]).
pub(crate) fn atom03_to_atom10(text: &str) -> String {
    let text = decode_base64_elements(text).replace(ATOM03_NS, ATOM10_NS);
    let renamed = ATOM03_RENAMES.replace_all(&text, |caps: &Captures<'_>| {
        let new_name = match &caps[3] {
            "modified" => "updated",
            "issued" => "published",
            "created" => "atom03-created",
            "tagline" => "subtitle",
            "copyright" => "rights",
            "url" => "uri",
            _ => "atom03-info",
        };
        format!("<{}{}{}{}", &caps[1], &caps[2], new_name, &caps[4])
    });
    repair_atom_text_constructs(&renamed)
}

static TEXT_CONSTRUCT_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"<((?:[A-Za-z_][\w.-]*:)?(?:title|subtitle|summary|rights|content))(\s[^>]*?)?(/?)>",
    )
    .expect("static regex")
});

static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("static regex")
});

static EMPTY_TEXT_CONSTRUCTS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    ["title", "subtitle", "summary", "rights", "content"]
        .iter()
        .map(|name| {
            Regex::new(&format!(
                r"<(?:[A-Za-z_][\w.-]*:)?{name}(?:\s[^>]*?)?(?:/>|>\s*</(?:[A-Za-z_][\w.-]*:)?{name}\s*>)"
            ))
            .expect("static regex")
        })
        .collect()
});

/// Atom text constructs feed-rs rejects, made acceptable: a `type` that is not
/// text/html/xhtml (`text/plain`, `HTML`, empty…) mapped to the nearest, the Atom 0.3 `mode`
/// folded in, and empty constructs (which feed-rs reports as missing content) removed.
pub(crate) fn repair_atom_text_constructs(text: &str) -> String {
    let typed = TEXT_CONSTRUCT_TAG.replace_all(text, |caps: &Captures<'_>| {
        let name = &caps[1];
        let is_content = name.ends_with("content");
        let attrs = caps.get(2).map_or("", |m| m.as_str());
        let mut kept = String::new();
        let mut type_value = None;
        let mut mode = None;
        let mut has_src = false;
        for attr in ATTRIBUTE.captures_iter(attrs) {
            let value = attr
                .get(2)
                .or_else(|| attr.get(3))
                .map_or("", |m| m.as_str());
            match &attr[1] {
                "type" => type_value = Some(value.trim().to_ascii_lowercase()),
                "mode" => mode = Some(value.trim().to_ascii_lowercase()),
                other => {
                    if other == "src" {
                        has_src = true;
                    }
                    kept.push(' ');
                    kept.push_str(&attr[0]);
                }
            }
        }
        let escaped = mode.as_deref() == Some("escaped");
        let new_type = match type_value.as_deref() {
            // With `src`, the type must be a MIME type.
            Some("text") if has_src => Some("text/plain".to_string()),
            Some("html") if has_src => Some("text/html".to_string()),
            Some("xhtml") if has_src => Some("application/xhtml+xml".to_string()),
            None | Some("") => escaped.then_some("html".to_string()),
            Some("text" | "text/plain" | "plain") => Some("text".to_string()),
            Some("html" | "text/html") => Some("html".to_string()),
            Some("xhtml" | "application/xhtml+xml" | "application/xhtml") => {
                Some(if escaped { "html" } else { "xhtml" }.to_string())
            }
            Some(other) if is_content && is_media_type(other) => Some(other.to_string()),
            Some(_) if has_src => None,
            Some(_) => Some("text".to_string()),
        };
        let mut tag = format!("<{name}{kept}");
        if let Some(t) = new_type {
            tag.push_str(&format!(" type=\"{t}\""));
        }
        tag.push_str(&caps[3]);
        tag.push('>');
        tag
    });
    let mut out = typed.into_owned();
    for empty in EMPTY_TEXT_CONSTRUCTS.iter() {
        if empty.is_match(&out) {
            out = empty
                .replace_all(&out, |caps: &Captures<'_>| {
                    // `<content src="…"/>` is empty by design.
                    if caps[0].contains("src=") {
                        caps[0].to_string()
                    } else {
                        String::new()
                    }
                })
                .into_owned();
        }
    }
    out
}

fn is_media_type(value: &str) -> bool {
    let Some((kind, sub)) = value.split_once('/') else {
        return false;
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    token(kind) && token(sub.split(';').next().unwrap_or("").trim())
}

static OVERFLOWING_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(duration>\s*|\b(?:start|end|time|duration)\s*=\s*["']\s*)[0-9:.,]*[0-9]{12,}[0-9:.,]*"#,
    )
    .expect("static regex")
});

/// Durations and media times too large for feed-rs (which unwraps the integer parse and
/// panics, or overflows a multiplication) replaced by `0`, so the feed still parses.
pub(crate) fn neutralise_overflowing_times(text: &str) -> Cow<'_, str> {
    if !has_digit_run(text.as_bytes(), 12) {
        return Cow::Borrowed(text);
    }
    OVERFLOWING_TIME.replace_all(text, "${1}0")
}

/// Whether `bytes` hold `min` ASCII digits in a row. Every run of `min` bytes covers one
/// position of `min - 1, 2 min - 1, …`: only those are looked at (a twelfth of a feed for the
/// 12 digits asked), and a run is measured around a digit found there.
fn has_digit_run(bytes: &[u8], min: usize) -> bool {
    if min == 0 {
        return true;
    }
    let mut at = min - 1;
    while let Some(&b) = bytes.get(at) {
        if !b.is_ascii_digit() {
            at += min;
            continue;
        }
        let start = bytes[..at]
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |p| p + 1);
        let end = bytes[at..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |p| at + p);
        if end - start >= min {
            return true;
        }
        // The next run starts after `end`: the first looked-at position past it.
        at += (end - at) / min * min + min;
    }
    false
}

/// JSON Feed quirks feed-rs rejects: an `http://` version URL, a missing version or title,
/// `tags` as one string, numeric ids, and fields of the wrong type. `None` when the text is
/// not a JSON object at all.
pub(crate) fn repair_json(text: &str) -> Option<String> {
    use serde_json::Value;
    let mut feed: Value = serde_json::from_str(text).ok()?;
    if let Some(channel) = feed.get("rss").and_then(|rss| rss.get("channel")) {
        feed = rss_in_json_to_json_feed(channel);
    }
    let object = feed.as_object_mut()?;
    let says_json_feed = object
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v.contains("jsonfeed"));
    if !says_json_feed && !object.get("items").is_some_and(Value::is_array) {
        return None;
    }
    let version = object
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let fixed_version = if version.contains("jsonfeed.org/version/1.1") {
        "https://jsonfeed.org/version/1.1"
    } else {
        "https://jsonfeed.org/version/1"
    };
    object.insert("version".into(), Value::String(fixed_version.into()));
    for key in [
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "icon",
        "favicon",
        "language",
    ] {
        stringify_field(object, key);
    }
    if !object.get("title").is_some_and(Value::is_string) {
        object.insert("title".into(), Value::String(String::new()));
    }
    repair_json_author(object);
    match object.get_mut("items") {
        Some(Value::Array(items)) => {
            items.retain(Value::is_object);
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                for key in [
                    "id",
                    "url",
                    "external_url",
                    "title",
                    "content_html",
                    "content_text",
                    "summary",
                    "image",
                    "banner_image",
                    "date_published",
                    "date_modified",
                    "language",
                ] {
                    stringify_field(item, key);
                }
                match item.get("tags") {
                    Some(Value::String(tags)) => {
                        let list = tags
                            .split(',')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(|t| Value::String(t.to_string()))
                            .collect();
                        item.insert("tags".into(), Value::Array(list));
                    }
                    Some(Value::Array(tags)) => {
                        let list = tags
                            .iter()
                            .filter_map(|t| match t {
                                Value::String(s) => Some(Value::String(s.clone())),
                                Value::Number(n) => Some(Value::String(n.to_string())),
                                _ => None,
                            })
                            .collect();
                        item.insert("tags".into(), Value::Array(list));
                    }
                    Some(_) => {
                        item.remove("tags");
                    }
                    None => {}
                }
                repair_json_author(item);
                match item.get_mut("attachments") {
                    Some(Value::Array(list)) => {
                        list.retain(|a| a.get("url").is_some_and(Value::is_string));
                        for attachment in list.iter_mut().filter_map(Value::as_object_mut) {
                            for key in ["mime_type", "title"] {
                                stringify_field(attachment, key);
                            }
                            for key in ["size_in_bytes", "duration_in_seconds"] {
                                if !attachment.get(key).is_some_and(Value::is_u64) {
                                    attachment.remove(key);
                                }
                            }
                        }
                    }
                    Some(_) => {
                        item.remove("attachments");
                    }
                    None => {}
                }
            }
        }
        _ => {
            object.insert("items".into(), Value::Array(Vec::new()));
        }
    }
    serde_json::to_string(&feed).ok()
}

/// Dave Winer's RSS-in-JSON (`{"rss":{"channel":{"item":[…]}}}`) as a JSON Feed.
fn rss_in_json_to_json_feed(channel: &serde_json::Value) -> serde_json::Value {
    use serde_json::{Value, json};
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("value").and_then(Value::as_str).map(String::from),
        _ => None,
    };
    let date = |v: Option<&Value>| {
        text(v)
            .and_then(|d| super::dates::parse_date(&d))
            .map(|d| d.to_rfc3339())
    };
    let items: Vec<Value> = match channel.get("item") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    }
    .into_iter()
    .map(|item| {
        json!({
            "id": text(item.get("guid")),
            "url": text(item.get("link")),
            "title": text(item.get("title")),
            "content_html": text(item.get("description")),
            "date_published": date(item.get("pubDate")),
        })
    })
    .collect();
    json!({
        "version": "https://jsonfeed.org/version/1",
        "title": text(channel.get("title")).unwrap_or_default(),
        "home_page_url": text(channel.get("link")),
        "description": text(channel.get("description")),
        "items": items,
    })
}

/// A field that must be a string: numbers become strings, anything else is dropped.
fn stringify_field(object: &mut serde_json::Map<String, serde_json::Value>, key: &str) {
    use serde_json::Value;
    match object.get(key) {
        None | Some(Value::String(_)) => {}
        Some(Value::Number(n)) => {
            let s = n.to_string();
            object.insert(key.into(), Value::String(s));
        }
        Some(_) => {
            object.remove(key);
        }
    }
}

fn repair_json_author(object: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::Value;
    let fix_one = |author: &mut Value| -> bool {
        match author {
            Value::String(name) => {
                let name = std::mem::take(name);
                *author = serde_json::json!({ "name": name });
                true
            }
            Value::Object(fields) => {
                for key in ["name", "url", "avatar"] {
                    stringify_field(fields, key);
                }
                true
            }
            _ => false,
        }
    };
    if let Some(author) = object.get_mut("author")
        && !fix_one(author)
    {
        object.remove("author");
    }
    match object.get_mut("authors") {
        Some(Value::Array(list)) => list.retain_mut(|a| fix_one(a)),
        Some(_) => {
            object.remove("authors");
        }
        None => {}
    }
}

/// An XML declaration anywhere but at the start (pasted into a title) makes quick-xml
/// assert: `<?xml ` after the start of the document becomes the text `&lt;?xml `
/// (`<?xml-stylesheet` stays).
pub(crate) fn escape_inner_xml_declarations(doc: String) -> String {
    let is_declaration = |at: usize| {
        doc[at + 5..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_whitespace())
    };
    let inner: Vec<usize> = doc
        .match_indices("<?xml")
        .map(|(at, _)| at)
        .filter(|&at| at > 0 && is_declaration(at))
        .collect();
    if inner.is_empty() {
        return doc;
    }
    let mut out = String::with_capacity(doc.len() + inner.len() * 3);
    let mut from = 0;
    for at in inner {
        out.push_str(&doc[from..at]);
        out.push_str("&lt;");
        from = at + 1;
    }
    out.push_str(&doc[from..]);
    out
}

/// The document feed-rs parses: every text run inside the root element whose only
/// references are XML's five predefined entities becomes one CDATA section holding the same
/// text (`&lt;p&gt;Hi&lt;/p&gt;` → `<![CDATA[<p>Hi</p>]]>`). feed-rs joins a run's text,
/// CDATA and references into one string, so it reads the same text; but quick-xml hands it
/// one event per reference and per piece between two (an escaped HTML body: several per
/// tag), and one per CDATA section. Runs with a numeric reference, a `\r`, or whose text
/// holds `]]>` stay as they are (a CDATA section cannot hold `]]>`; numeric references
/// are checked by quick-xml, which a CDATA section would skip). `None` when no run changes.
/// Only for feed-rs's input: the other passes read the document as written.
pub(crate) fn escaped_text_as_cdata(doc: &str) -> Option<String> {
    let bytes = doc.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + offset;
        if depth > 0 && memchr::memchr(b'&', &bytes[i..lt]).is_some() {
            let buffer = out.get_or_insert_with(|| String::with_capacity(doc.len()));
            let before = buffer.len();
            buffer.push_str(&doc[copied..i]);
            if push_as_cdata(buffer, &doc[i..lt]) {
                copied = lt;
            } else {
                buffer.truncate(before);
            }
        }
        if let Some(next) = skip_markup_declaration(bytes, lt) {
            i = next;
            continue;
        }
        // A tag, whose `>` may sit after quoted ones; a tag never closed: stop here.
        let Some(end) = tag_end(bytes, lt) else {
            break;
        };
        if bytes.get(lt + 1) == Some(&b'/') {
            depth = depth.saturating_sub(1);
        } else if bytes[end - 2] != b'/' {
            depth += 1;
        }
        i = end;
    }
    let mut out = out.filter(|_| copied > 0)?;
    out.push_str(&doc[copied..]);
    Some(out)
}

/// Append `run` (element text) to `out` as one CDATA section; `false`, with `out` as it was,
/// when it holds a reference other than the five predefined ones, a `\r`, or `]]>` once
/// unescaped.
fn push_as_cdata(out: &mut String, run: &str) -> bool {
    let start = out.len();
    out.push_str("<![CDATA[");
    let bytes = run.as_bytes();
    let mut copied = 0;
    let mut ok = memchr::memchr(b'\r', bytes).is_none();
    while ok && let Some(offset) = memchr::memchr(b'&', &bytes[copied..]) {
        let at = copied + offset;
        out.push_str(&run[copied..at]);
        let rest = &bytes[at..];
        let (text, len) = if rest.starts_with(b"&lt;") {
            ("<", 4)
        } else if rest.starts_with(b"&gt;") {
            (">", 4)
        } else if rest.starts_with(b"&amp;") {
            ("&", 5)
        } else if rest.starts_with(b"&quot;") {
            ("\"", 6)
        } else if rest.starts_with(b"&apos;") {
            ("'", 6)
        } else {
            ok = false;
            break;
        };
        out.push_str(text);
        copied = at + len;
    }
    if ok {
        out.push_str(&run[copied..]);
        ok = memmem::find(&out.as_bytes()[start + 9..], b"]]>").is_none();
    }
    if ok {
        out.push_str("]]>");
    } else {
        out.truncate(start);
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_runs_become_cdata_and_the_rest_stays() {
        let doc = "<?xml version=\"1.0\"?><rss a=\"x > &amp; y\"><channel>\
                   <description>&lt;p&gt;Hi &amp; &quot;bye&quot; &apos;&lt;/p&gt;</description>\
                   <title>plain</title><!-- &amp; --><x>&#233; &lt;b&gt;</x>\
                   <y>]]&gt; &lt;</y><z><![CDATA[a &amp; b]]></z></channel></rss> &amp;";
        let fed = escaped_text_as_cdata(doc).expect("a run changes");
        assert_eq!(
            fed,
            "<?xml version=\"1.0\"?><rss a=\"x > &amp; y\"><channel>\
             <description><![CDATA[<p>Hi & \"bye\" '</p>]]></description>\
             <title>plain</title><!-- &amp; --><x>&#233; &lt;b&gt;</x>\
             <y>]]&gt; &lt;</y><z><![CDATA[a &amp; b]]></z></channel></rss> &amp;"
        );
        assert_eq!(
            escaped_text_as_cdata("<rss><t>a</t><u/>&amp;</rss>").as_deref(),
            Some("<rss><t>a</t><u/><![CDATA[&]]></rss>")
        );
        assert_eq!(
            escaped_text_as_cdata("<rss><t>no references</t></rss>"),
            None
        );
        assert_eq!(escaped_text_as_cdata("<rss><t>a\r\n&amp;</t></rss>"), None);
    }

    #[test]
    fn bare_ampersands_and_named_entities_are_repaired() {
        let fixed = repair_references("<t>Q&A caf&eacute;&nbsp;&amp; &#233; &lol9; ?a=1&b=2</t>");
        assert_eq!(
            fixed,
            "<t>Q&amp;A caf&#233;&#160;&amp; &#233; &amp;lol9; ?a=1&amp;b=2</t>"
        );
    }

    #[test]
    fn cdata_comments_and_doctype_are_left_alone() {
        let doc = "<!DOCTYPE x [<!ENTITY a \"&b;\">]><!-- & --><t><![CDATA[a & b &eacute;]]></t>";
        assert!(matches!(repair_references(doc), Cow::Borrowed(_)));
    }

    #[test]
    fn c1_numeric_references_become_windows_1252() {
        assert_eq!(repair_references("it&#146;s &#0;"), "it&#8217;s &#65533;");
    }

    #[test]
    fn rss_versions_are_normalised() {
        assert_eq!(
            fix_rss_version("<?xml version=\"1.0\"?>\n<rss><channel/></rss>".into()),
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>"
        );
        assert_eq!(
            fix_rss_version("<rss version='0.94'>".into()),
            "<rss version='2.0'>"
        );
        assert_eq!(
            fix_rss_version("<rss version=\"0.91\">".into()),
            "<rss version=\"0.91\">"
        );
    }

    #[test]
    fn atom_text_types_are_mapped_and_empty_ones_removed() {
        let doc = r#"<feed><title type="text/plain">a</title><subtitle type="TEXT/HTML">b</subtitle><summary type="">c</summary><rights></rights><content type="application/xhtml+xml" mode="escaped">d</content></feed>"#;
        assert_eq!(
            repair_atom_text_constructs(doc),
            r#"<feed><title type="text">a</title><subtitle type="html">b</subtitle><summary>c</summary><content type="html">d</content></feed>"#
        );
    }

    #[test]
    fn overflowing_durations_are_neutralised() {
        let doc = "<itunes:duration>12345678901234567890123</itunes:duration><media:thumbnail time=\"99999999999999999999999\"/> <guid>123456789012345678</guid>";
        assert_eq!(
            neutralise_overflowing_times(doc),
            "<itunes:duration>0</itunes:duration><media:thumbnail time=\"0\"/> <guid>123456789012345678</guid>"
        );
    }

    #[test]
    fn cdf_becomes_rss() {
        let cdf = r#"<CHANNEL HREF="http://x/"><TITLE>T</TITLE><ITEM HREF="http://x/1" LASTMOD="2004-01-01T00:00"><ABSTRACT>a</ABSTRACT></ITEM></CHANNEL>"#;
        assert_eq!(
            cdf_to_rss(cdf),
            r#"<rss version="2.0"><channel><link>http://x/</link><title>T</title><item><link>http://x/1</link><pubDate>2004-01-01T00:00</pubDate><description>a</description></item></channel></rss>"#
        );
    }

    #[test]
    fn unclosed_tags_are_closed_but_truncation_is_not_repaired() {
        assert_eq!(
            balance_tags("<rss><c><cat t='a>b'><cat t='b'/></c></x></rss>").as_deref(),
            Some("<rss><c><cat t='a>b'></cat><cat t='b'/></c></rss>")
        );
        assert_eq!(balance_tags("<rss><c><i>x</i>"), None);
        assert_eq!(balance_tags("<rss><c/></rss>"), None);
    }

    #[test]
    fn final_tag_missing_its_bracket_is_closed() {
        assert_eq!(
            close_final_tag("<feed><a/></feed\n".into()),
            "<feed><a/></feed>"
        );
        assert_eq!(
            close_final_tag("<feed><a/></feed>".into()),
            "<feed><a/></feed>"
        );
        assert_eq!(close_final_tag("<feed><a>x</".into()), "<feed><a>x</");
        assert_eq!(repair_references("&#X41;"), "&#x41;");
    }

    #[test]
    fn atom03_base64_bodies_are_decoded() {
        assert_eq!(
            decode_base64("RXhhbXBsZSA8Yj5BdG9tPC9iPg==").unwrap(),
            b"Example <b>Atom</b>"
        );
        // Line-wrapped, unpadded, URL-safe alphabet; anything but base64 is refused.
        assert_eq!(decode_base64("aGVs\n bG8").unwrap(), b"hello");
        assert_eq!(decode_base64("-_8=").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64("+/8").unwrap(), [0xfb, 0xff]);
        assert_eq!(decode_base64("aGVs*bG8"), None);
        let doc = "<content type=\"text/html\" mode=\"base64\">\n RXhhbXBsZSA8Yj5BdG9tPC9iPg==\n</content>";
        assert_eq!(
            decode_base64_elements(doc),
            "<content type=\"text/html\" mode=\"escaped\">Example &lt;b&gt;Atom&lt;/b&gt;</content>"
        );
    }

    #[test]
    fn rss_without_channel_is_wrapped() {
        assert_eq!(
            wrap_rss_channel("<rss><item/></rss>".into()),
            "<rss><channel><item/></channel></rss>"
        );
    }

    #[test]
    fn json_feed_quirks() {
        let fixed = repair_json(
            r#"{"version":"http://jsonfeed.org/version/1","title":"t","items":[{"id":5,"tags":"a, b","author":"me"}]}"#,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(value["version"], "https://jsonfeed.org/version/1");
        assert_eq!(value["items"][0]["id"], "5");
        assert_eq!(value["items"][0]["tags"], serde_json::json!(["a", "b"]));
        assert_eq!(value["items"][0]["author"]["name"], "me");
    }

    #[test]
    fn digit_runs_are_found_wherever_they_start() {
        let naive = |bytes: &[u8], min: usize| {
            bytes
                .split(|b| !b.is_ascii_digit())
                .any(|run| run.len() >= min)
        };
        let mut cases: Vec<String> = vec![String::new(), "1".repeat(11), "1".repeat(12)];
        for offset in 0..30 {
            for len in [10, 11, 12, 13, 25] {
                let mut text = "x".repeat(offset);
                text.push_str(&"7".repeat(len));
                text.push_str("<a>12345678901</a>");
                cases.push(text.clone());
                cases.push(format!("{text}{}", "9".repeat(12)));
            }
        }
        for text in &cases {
            for min in [1, 3, 12] {
                assert_eq!(
                    has_digit_run(text.as_bytes(), min),
                    naive(text.as_bytes(), min),
                    "{text} {min}"
                );
            }
        }
    }
}
