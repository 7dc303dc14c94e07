//! Footnotes as Markdown tools, CMSs and Wikipedia-like pages write them: the reference in
//! the text (`<sup><a href="#fn1">1</a></sup>`, `role="doc-noteref"`), the back-reference
//! from the note to it (`↩`, `href="#fnref1"`, `role="doc-backlink"`), and the notes'
//! section at the end. Recognised the same way by the pane and the plain text, so neither
//! numbers these in-page jumps as links (and "follow link N" means the same link in both).

use dom_query::NodeRef;

fn element_name(node: &NodeRef<'_>) -> String {
    node.node_name()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default()
}

fn has_class_word(node: &NodeRef<'_>, words: &[&str]) -> bool {
    node.attr("class").is_some_and(|class| {
        class
            .split_whitespace()
            .any(|c| words.iter().any(|w| c.eq_ignore_ascii_case(w)))
    })
}

fn role_is(node: &NodeRef<'_>, role: &str) -> bool {
    node.attr("role")
        .is_some_and(|r| r.trim().eq_ignore_ascii_case(role))
}

/// The fragment of a link (`fn1` in `https://x/p#fn1` or `#fn1`), if it has one.
fn fragment(node: &NodeRef<'_>) -> Option<String> {
    let href = node.attr("href")?;
    let (_, fragment) = href.split_once('#')?;
    let fragment = fragment.trim();
    (!fragment.is_empty()).then(|| fragment.to_ascii_lowercase())
}

/// A short label such as `1`, `[2]`, `a`, `iv`.
fn is_short_label(text: &str) -> bool {
    let t = text.trim().trim_start_matches('[').trim_end_matches(']');
    !t.is_empty() && t.chars().count() <= 4 && t.chars().all(char::is_alphanumeric)
}

/// A link from the note back to its reference: `↩`, `#fnref…`, `role="doc-backlink"`.
pub(crate) fn is_backref(link: &NodeRef<'_>) -> bool {
    if role_is(link, "doc-backlink")
        || has_class_word(
            link,
            &[
                "reversefootnote",
                "footnote-back",
                "footnote-backref",
                "footnote-backlink",
            ],
        )
    {
        return true;
    }
    let Some(fragment) = fragment(link) else {
        return false;
    };
    let text = link.text();
    let text = text.trim();
    fragment.starts_with("fnref")
        || (matches!(text, "↩" | "↩\u{fe0e}" | "↩\u{fe0f}" | "↑" | "^")
            && fragment.starts_with("fn"))
}

/// A link to a note: `role="doc-noteref"`, a footnote class, or a short label in `<sup>`
/// that jumps within the page.
pub(crate) fn is_reference(link: &NodeRef<'_>) -> bool {
    if is_backref(link) {
        return false;
    }
    let Some(fragment) = fragment(link) else {
        return false;
    };
    if !is_short_label(&link.text()) {
        return false;
    }
    let in_sup = link
        .parent()
        .is_some_and(|p| p.is_element() && element_name(&p) == "sup")
        || link
            .children()
            .into_iter()
            .any(|c| c.is_element() && element_name(&c) == "sup");
    role_is(link, "doc-noteref")
        || has_class_word(
            link,
            &["footnote", "footnote-ref", "footnote-reference", "fn-ref"],
        )
        || (in_sup
            && (fragment.starts_with("fn")
                || fragment.contains("note")
                || fragment.starts_with("cite")))
}

/// The notes' container: `role="doc-endnotes"`, a `footnotes` class or id.
pub(crate) fn is_notes_section(node: &NodeRef<'_>) -> bool {
    role_is(node, "doc-endnotes")
        || has_class_word(node, &["footnotes", "footnote-list", "references"])
        || node
            .attr("id")
            .is_some_and(|id| id.trim().eq_ignore_ascii_case("footnotes"))
}

/// A reference's label as superscript (`¹²`), or `^a` when it is not a number.
pub(crate) fn superscript(label: &str) -> String {
    let label = label.trim().trim_start_matches('[').trim_end_matches(']');
    if label.chars().all(|c| c.is_ascii_digit()) {
        label
            .chars()
            .map(|c| match c {
                '1' => '¹',
                '2' => '²',
                '3' => '³',
                d => char::from_u32(0x2070 + (d as u32 - '0' as u32)).unwrap_or(d),
            })
            .collect()
    } else {
        format!("^{label}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dom_query::Document;

    fn first_links(html: &str) -> Vec<(bool, bool)> {
        let doc = Document::fragment(html);
        doc.select("a")
            .nodes()
            .iter()
            .map(|a| (is_reference(a), is_backref(a)))
            .collect()
    }

    #[test]
    fn references_and_backrefs_of_common_generators() {
        // kramdown / Jekyll
        assert_eq!(
            first_links(
                "<p>x<sup id=\"fnref:1\"><a href=\"https://b.example/p#fn:1\" class=\"footnote\">1</a></sup></p>\
                 <div class=\"footnotes\"><ol><li id=\"fn:1\"><p>n <a href=\"https://b.example/p#fnref:1\" class=\"reversefootnote\">↩</a></p></li></ol></div>"
            ),
            [(true, false), (false, true)]
        );
        // Pandoc
        assert_eq!(
            first_links(
                "<a href=\"#fn1\" class=\"footnote-ref\" id=\"fnref1\" role=\"doc-noteref\"><sup>1</sup></a>\
                 <a href=\"#fnref1\" class=\"footnote-back\" role=\"doc-backlink\">↩︎</a>"
            ),
            [(true, false), (false, true)]
        );
        // Wikipedia-like citation in brackets
        assert_eq!(
            first_links("<sup class=\"reference\"><a href=\"#cite_note-3\">[3]</a></sup>"),
            [(true, false)]
        );
        // Ordinary links, in a sup or not, are links.
        assert_eq!(
            first_links(
                "<a href=\"https://x.example/#top\">the report</a>\
                 <sup><a href=\"https://x.example/\">1</a></sup>"
            ),
            [(false, false), (false, false)]
        );
    }

    #[test]
    fn labels_become_superscripts() {
        assert_eq!(superscript("1"), "¹");
        assert_eq!(superscript("[23]"), "²³");
        assert_eq!(superscript("40"), "⁴⁰");
        assert_eq!(superscript("a"), "^a");
    }
}
