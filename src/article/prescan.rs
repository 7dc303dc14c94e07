//! A linear pass over the raw page before the HTML parser sees it: hostile markup (10,000
//! nested divs, hundreds of thousands of tags) would make the tree builder and every later
//! pass slow. Start tags beyond a nesting depth are dropped with their end tags, and the page
//! is cut after a number of start tags no real article page reaches (the corpora's largest
//! has about 10,000).

use std::borrow::Cow;

/// Nesting kept (counting elements that need an end tag).
pub const MAX_DEPTH: usize = 200;
/// Start tags kept; the page is cut after this many.
pub const MAX_START_TAGS: usize = 12_000;

/// Elements without content or whose end tag is optional: they do not nest in practice.
fn is_non_nesting(name: &[u8]) -> bool {
    // Lowered into a buffer the length of the longest name ("colgroup", "optgroup"), then
    // one match: a case-insensitive comparison with each name in turn was most of this pass.
    let mut lower = [0u8; 8];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return false;
    };
    for (to, &from) in lower.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    matches!(
        &*lower,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"tr"
            | b"td"
            | b"th"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"html"
            | b"head"
            | b"body"
            | b"colgroup"
            | b"optgroup"
            | b"rt"
            | b"rp"
            | b"caption"
    )
}

/// Case-insensitive search for `needle` (whose first byte is not a letter) from `from`.
fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = from;
    while i < haystack.len() {
        let at = i + memchr::memchr(first, &haystack[i..])?;
        let tail = haystack.get(at + 1..at + 1 + rest.len())?;
        if tail.eq_ignore_ascii_case(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The page with over-deep start/end tags removed and cut after [`MAX_START_TAGS`] tags.
/// Borrows when nothing had to change (every ordinary page).
pub fn bound_markup(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    // Start of the input not yet copied to `out` (only used once `out` exists).
    let mut copied = 0usize;
    let mut depth = 0usize;
    let mut tags = 0usize;
    let mut i = 0usize;
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        let lt = i + offset;
        let rest = &bytes[lt..];
        if rest.starts_with(b"<!--") {
            i = find(bytes, lt + 4, b"-->").map_or(bytes.len(), |e| e + 3);
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = bytes[name_start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let name = &bytes[name_start..name_start + name_len];
        let Some(gt) = find(bytes, name_start + name_len, b">") else {
            break;
        };
        let end = gt + 1;
        let self_closing = gt > 0 && bytes[gt - 1] == b'/';
        let mut drop = false;
        if closing {
            if !is_non_nesting(name) {
                drop = depth > MAX_DEPTH;
                depth = depth.saturating_sub(1);
            }
        } else {
            tags += 1;
            if tags > MAX_START_TAGS {
                let kept = out.get_or_insert_with(String::new);
                kept.push_str(&html[copied..lt]);
                return Cow::Owned(std::mem::take(kept));
            }
            if !is_non_nesting(name) && !self_closing {
                depth += 1;
                drop = depth > MAX_DEPTH;
            }
        }
        if drop {
            let kept = out.get_or_insert_with(String::new);
            kept.push_str(&html[copied..lt]);
            copied = end;
        }
        i = end;
        // Raw-text elements: their content is not markup.
        if !closing
            && (name.eq_ignore_ascii_case(b"script")
                || name.eq_ignore_ascii_case(b"style")
                || name.eq_ignore_ascii_case(b"textarea")
                || name.eq_ignore_ascii_case(b"title"))
        {
            let mut close = Vec::with_capacity(name.len() + 2);
            close.extend_from_slice(b"</");
            close.extend_from_slice(name);
            i = find(bytes, i, &close).unwrap_or(bytes.len());
        }
    }
    match out {
        Some(mut kept) => {
            kept.push_str(&html[copied..]);
            Cow::Owned(kept)
        }
        None => Cow::Borrowed(html),
    }
}

/// The next `<` (memchr: a byte-at-a-time search was most of this pass's time).
fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_borrowed_unchanged() {
        let page = "<html><body><div><p>a<p>b<br><img src=x></div><script>if (a<b) {}</script></body></html>";
        assert!(matches!(bound_markup(page), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let page = format!("{}x{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
        let bounded = bound_markup(&page);
        assert_eq!(bounded.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(bounded.matches("</div>").count(), MAX_DEPTH);
        assert!(bounded.contains('x'));
    }

    #[test]
    fn too_many_tags_are_cut() {
        let page = "<span>a</span>".repeat(MAX_START_TAGS + 10);
        let bounded = bound_markup(&page);
        assert_eq!(bounded.matches("<span>").count(), MAX_START_TAGS);
    }

    #[test]
    fn non_nesting_names_are_known_in_any_case() {
        for name in [
            "p", "P", "Li", "COLGROUP", "optgroup", "br", "caption", "tFoot",
        ] {
            assert!(is_non_nesting(name.as_bytes()), "{name}");
        }
        for name in [
            "",
            "div",
            "span",
            "a",
            "pp",
            "captions",
            "colgroups",
            "optgroupx",
        ] {
            assert!(!is_non_nesting(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for page in [
            "<",
            "</",
            "<a",
            "<!--",
            "<é>",
            "a < b > c",
            "<script>",
            "</div></div>",
        ] {
            let _ = bound_markup(page);
        }
    }
}
