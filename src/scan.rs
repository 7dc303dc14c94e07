//! Byte-level scanning of markup without a parser, shared by charset sniffing, feed repair and
//! feed discovery: an ASCII case-insensitive find, and attribute values read out of a tag.

/// Byte offset of the first ASCII case-insensitive occurrence of `needle` in `haystack`.
pub(crate) fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return (needle.is_empty()).then_some(0);
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The extent of the attribute value that starts at `at` (just after `=` and any blanks): a
/// quoted value runs to its closing quote (`None` when it has none), an unquoted one to the
/// next blank or `>`. Returns `(start, end)` of the value without its quotes; `None` too when
/// nothing follows `at`.
pub(crate) fn value_span(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    match bytes.get(at)? {
        &quote @ (b'"' | b'\'') => {
            let start = at + 1;
            let len = memchr::memchr(quote, &bytes[start..])?;
            Some((start, start + len))
        }
        _ => {
            let len = bytes[at..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>')
                .unwrap_or(bytes.len() - at);
            Some((at, at + len))
        }
    }
}

/// The raw value of attribute `wanted` (ASCII case-insensitive) in the text of a tag after its
/// name (`<link rel=alternate href="/feed">` → ` rel=alternate href="/feed"`), quoted or not.
/// An attribute without a value reads as empty; an unclosed quote runs to the end.
pub(crate) fn attribute_value<'a>(attrs: &'a [u8], wanted: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i < attrs.len() {
        while i < attrs.len() && (attrs[i].is_ascii_whitespace() || attrs[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < attrs.len()
            && !(attrs[i].is_ascii_whitespace() || matches!(attrs[i], b'=' | b'/'))
        {
            i += 1;
        }
        let name = &attrs[name_start..i];
        while i < attrs.len() && attrs[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value: &[u8] = &[];
        if attrs.get(i) == Some(&b'=') {
            i += 1;
            while i < attrs.len() && attrs[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < attrs.len() {
                let (start, end) = value_span(attrs, i).unwrap_or((i + 1, attrs.len()));
                value = &attrs[start..end];
                // Past the closing quote, if there is one.
                i = if start > i { end + 1 } else { end };
            }
        }
        if name.is_empty() {
            i += 1;
            continue;
        }
        if name.eq_ignore_ascii_case(wanted) {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ignoring_ascii_case() {
        assert_eq!(find_ascii_ci(b"a</SCRIPT>", b"</script"), Some(1));
        assert_eq!(find_ascii_ci(b"abc", b"abcd"), None);
        assert_eq!(find_ascii_ci(b"abc", b""), Some(0));
    }

    #[test]
    fn attribute_values_quoted_unquoted_and_missing() {
        let attrs = br#" rel=alternate TYPE='application/rss+xml' href="/a b" hidden data-x=1>"#;
        assert_eq!(attribute_value(attrs, b"rel"), Some(&b"alternate"[..]));
        assert_eq!(
            attribute_value(attrs, b"type"),
            Some(&b"application/rss+xml"[..])
        );
        assert_eq!(attribute_value(attrs, b"href"), Some(&b"/a b"[..]));
        assert_eq!(attribute_value(attrs, b"hidden"), Some(&b""[..]));
        assert_eq!(attribute_value(attrs, b"data-x"), Some(&b"1"[..]));
        assert_eq!(attribute_value(attrs, b"x"), None);
        // Not a name ending in the wanted one, nor text inside another value.
        assert_eq!(
            attribute_value(b" http-equiv=a content=\"x charset=y\"", b"charset"),
            None
        );
        assert_eq!(
            attribute_value(b" href=\"/unclosed", b"href"),
            Some(&b"/unclosed"[..])
        );
    }
}
