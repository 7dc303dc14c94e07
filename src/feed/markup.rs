//! Small, linear HTML helpers for feed fields: tags stripped and entities decoded once (for
//! titles and snippets), plain text escaped, and relative `href`/`src` in content made absolute.
//! No DOM is built: these run on every item of every refresh.

use std::borrow::Cow;
use url::Url;

/// Remove tags (`<b>`, `</p>`, `<br/>`, comments); a `<` not followed by a tag-like character
/// stays text ("a < b"). Block-level breaks become spaces so words do not run together.
pub(crate) fn strip_tags(input: &str) -> Cow<'_, str> {
    if !input.contains('<') {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let tag_like = after
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'/' || b == b'!' || b == b'?');
        if !tag_like {
            out.push('<');
            rest = after;
            continue;
        }
        if after.starts_with("!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(gt) = after.find('>') else {
            // An unclosed tag: drop the rest, it is markup debris.
            rest = "";
            break;
        };
        let name = after
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "li" | "tr" | "td" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
        ) {
            out.push(' ');
        }
        rest = &after[gt + 1..];
        // Script and style bodies are code, not text.
        if !after.starts_with('/') && (name == "script" || name == "style") {
            let close = format!("</{name}");
            rest = crate::scan::find_ascii_ci(rest.as_bytes(), close.as_bytes())
                .map_or("", |at| &rest[at..]);
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Whether nominally plain text actually holds HTML tags (`<p>`, `</b>`, `<br/>`).
pub(crate) fn looks_like_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes).any(|at| {
        let next = bytes.get(at + 1).copied().unwrap_or(b' ');
        (next.is_ascii_alphabetic() || next == b'/' || next == b'!')
            && memchr::memchr(b'>', &bytes[at..]).is_some()
    })
}

/// Decode HTML character references once: named (`&eacute;`), decimal and hex. Unknown or
/// malformed references stay as written.
pub(crate) fn decode_entities(input: &str) -> Cow<'_, str> {
    if !input.contains('&') {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match decode_one(after) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// After `&`: the decoded text and how many bytes (including `;`) it used.
fn decode_one(after: &str) -> Option<(String, usize)> {
    let semi = after.bytes().take(34).position(|b| b == b';')?;
    let body = &after[..semi];
    let decoded = if let Some(num) = body.strip_prefix('#') {
        let value = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(value)
            .filter(|c| *c != '\0')
            .unwrap_or(char::REPLACEMENT_CHARACTER)
            .to_string()
    } else {
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        named_reference(body)?.collect()
    };
    Some((decoded, semi + 1))
}

/// The characters an HTML named reference stands for (`eacute` → `é`; a few names stand for
/// two), from the WHATWG table html5ever ships (`web_atoms`). Only the `;`-terminated form.
pub(crate) fn named_reference(name: &str) -> Option<impl Iterator<Item = char>> {
    let mut key = [0u8; 40];
    if name.len() >= key.len() {
        return None;
    }
    key[..name.len()].copy_from_slice(name.as_bytes());
    key[name.len()] = b';';
    let key = std::str::from_utf8(&key[..=name.len()]).ok()?;
    let &(first, second) = web_atoms::NAMED_ENTITIES.get(key)?;
    Some(
        [first, second]
            .into_iter()
            .filter(|&code| code != 0)
            .filter_map(char::from_u32),
    )
}

/// Plain text as HTML (for text-typed summaries handed to the HTML renderer).
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a URL reference is already absolute (`scheme:`), so it needs no rewriting.
fn has_scheme(reference: &str) -> bool {
    let Some(colon) = reference.find(':') else {
        return false;
    };
    let scheme = &reference[..colon];
    !scheme.is_empty()
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// A link attribute's value inside an HTML fragment: byte range of the value (without quotes).
struct LinkValue {
    start: usize,
    end: usize,
}

/// The next `href=`/`src=`/`poster=` value at or after `from`. A hand-written scan (memchr on
/// `=`, then a look back at the attribute name) because this runs over every item's HTML.
fn next_link_value(html: &str, mut from: usize) -> Option<LinkValue> {
    let bytes = html.as_bytes();
    while let Some(offset) = memchr::memchr(b'=', &bytes[from..]) {
        let eq = from + offset;
        from = eq + 1;
        // Attribute name before `=` (spaces allowed around `=`).
        let mut name_end = eq;
        while name_end > 0 && bytes[name_end - 1].is_ascii_whitespace() {
            name_end -= 1;
        }
        let mut name_start = name_end;
        while name_start > 0 && bytes[name_start - 1].is_ascii_alphabetic() {
            name_start -= 1;
        }
        let name = &bytes[name_start..name_end];
        let is_link_attribute = name.eq_ignore_ascii_case(b"href")
            || name.eq_ignore_ascii_case(b"src")
            || name.eq_ignore_ascii_case(b"poster");
        if !is_link_attribute || name_start == 0 || !bytes[name_start - 1].is_ascii_whitespace() {
            continue;
        }
        let mut value_start = eq + 1;
        while value_start < bytes.len() && bytes[value_start].is_ascii_whitespace() {
            value_start += 1;
        }
        let (start, end) = crate::scan::value_span(bytes, value_start)?;
        return Some(LinkValue { start, end });
    }
    None
}

/// Make every relative `href`/`src`/`poster` in an HTML fragment absolute against `base`.
/// Borrowed (no copy) when every link is already absolute.
pub(crate) fn absolutize_links<'a>(html: &'a str, base: &Url) -> Cow<'a, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(link) = next_link_value(html, from) {
        from = link.end;
        let raw = &html[link.start..link.end];
        let value = raw.trim();
        if value.is_empty() || value.starts_with('#') || has_scheme(value) {
            continue;
        }
        // Attribute values are HTML-escaped: `&amp;` in a query must be read as `&`.
        let Ok(absolute) = base.join(&decode_entities(value)) else {
            continue;
        };
        let buffer = out.get_or_insert_with(|| String::with_capacity(html.len() + 256));
        buffer.push_str(&html[copied..link.start]);
        buffer.push_str(
            &absolute
                .as_str()
                .replace('&', "&amp;")
                .replace('"', "%22")
                .replace('\'', "%27"),
        );
        copied = link.end;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut buffer) => {
            buffer.push_str(&html[copied..]);
            Cow::Owned(buffer)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_but_not_comparisons() {
        assert_eq!(
            strip_tags("<b>Bold</b> &amp; a < b<br/>c"),
            "Bold &amp; a < b c"
        );
        assert_eq!(strip_tags("x<!-- c -->y"), "xy");
        assert_eq!(
            strip_tags("safe<script>location.href='x'</SCRIPT> description"),
            "safe description"
        );
    }

    #[test]
    fn named_references_come_from_the_whatwg_table() {
        let lookup = |name: &str| named_reference(name).map(|chars| chars.collect::<String>());
        assert_eq!(lookup("eacute").as_deref(), Some("é"));
        assert_eq!(lookup("nbsp").as_deref(), Some("\u{a0}"));
        assert_eq!(lookup("amp").as_deref(), Some("&"));
        assert_eq!(lookup("hellip").as_deref(), Some("…"));
        assert_eq!(lookup("Alpha").as_deref(), Some("\u{391}"));
        assert_eq!(lookup("Abreve").as_deref(), Some("\u{102}"));
        assert_eq!(lookup("NotEqualTilde").as_deref(), Some("\u{2242}\u{338}"));
        assert_eq!(lookup("nosuchthing"), None);
        assert_eq!(lookup(""), None);
        assert_eq!(lookup(&"a".repeat(64)), None);
    }

    #[test]
    fn decodes_entities_once() {
        assert_eq!(
            decode_entities("caf&eacute; &amp;eacute; &#233; &#x41; &bogus; AT&T"),
            "café &eacute; é A &bogus; AT&T"
        );
    }

    #[test]
    fn relative_links_in_content_become_absolute() {
        let base = Url::parse("http://example.org/blog/post/").unwrap();
        let html = r##"<a href="../other?a=1&amp;b=2">x</a><img src='/i.png'><a href="http://abs/">y</a><a href="#top">t</a>"##;
        assert_eq!(
            absolutize_links(html, &base),
            r##"<a href="http://example.org/blog/other?a=1&amp;b=2">x</a><img src='http://example.org/i.png'><a href="http://abs/">y</a><a href="#top">t</a>"##
        );
        let unquoted = "<a class=x HREF = p/q>y</a> <p data-src=\"/no\">a=b</p>";
        assert_eq!(
            absolutize_links(unquoted, &base),
            "<a class=x HREF = http://example.org/blog/post/p/q>y</a> <p data-src=\"/no\">a=b</p>"
        );
        let absolute = r#"<a href="https://x/">x</a>"#;
        assert!(matches!(
            absolutize_links(absolute, &base),
            Cow::Borrowed(_)
        ));
    }
}
