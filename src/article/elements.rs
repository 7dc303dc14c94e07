//! Groups of HTML element names that several article passes (plain text, the pane's renderer,
//! related links) treat alike: headings, and the boxes that section or group a page; and
//! elements found by name or attribute without the full selector matcher on every element.

use dom_query::{Document, Matcher, NodeRef, Selection};

/// `h1` to `h6`.
pub(crate) fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Boxes that section or group a page's blocks (and nest other blocks).
pub(crate) fn is_section_box(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "section"
            | "article"
            | "main"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "blockquote"
    )
}

/// What `doc.try_select(selector)` finds, when every selector of the list needs an element
/// named one of `names` or holding an attribute named one of `attrs` (`"main, [role=main]"`:
/// `["main"]`, `["role"]`): the same matcher, run only on those elements. One look at each
/// element's name and attribute names instead of the full matcher on every element of the
/// page, which was most of such a selector's cost.
pub(crate) fn select_among<'a>(
    doc: &'a Document,
    selector: &str,
    names: &[&str],
    attrs: &[&str],
) -> Option<Selection<'a>> {
    let matcher = Matcher::new(selector).ok()?;
    let nodes: Vec<NodeRef<'a>> = doc
        .root()
        .descendants_it()
        .filter(|node| {
            node.query(|n| {
                n.as_element().is_some_and(|e| {
                    names.contains(&e.name.local.as_ref())
                        || e.attrs
                            .iter()
                            .any(|a| attrs.contains(&a.name.local.as_ref()))
                })
            })
            .unwrap_or(false)
        })
        .filter(|node| matcher.match_element(node))
        .collect();
    (!nodes.is_empty()).then(|| Selection::from(nodes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_among_finds_what_the_selector_finds() {
        let doc = Document::from(
            "<html><body><main id=m><p style=\"x\">a</p></main><div role=\"main\">b</div>\
             <div role=\"Main\">c</div><footer>f</footer><div role=contentinfo>g</div>\
             <p hidden>h</p><span aria-hidden=\"true\">i</span><span aria-hidden=false>j</span>\
             <svg><g style=\"fill:red\"></g></svg><a rel=\"author me\" itemprop=author>k</a>\
             <meta itemprop=author content=x><div itemscope itemtype=\"https://schema.org/Person\">l</div>\
             </body></html>",
        );
        let ids = |s: Option<Selection<'_>>| -> Vec<dom_query::NodeId> {
            s.map(|s| s.nodes().iter().map(|n| n.id).collect())
                .unwrap_or_default()
        };
        for (selector, names, attrs) in [
            ("main, [role=main]", &["main"][..], &["role"][..]),
            ("footer, [role=contentinfo]", &["footer"][..], &["role"][..]),
            (
                "[hidden], [aria-hidden=true], [style]",
                &[][..],
                &["hidden", "aria-hidden", "style"][..],
            ),
            (
                "[itemprop~=author]:not(meta, link), a[rel~=author], [itemscope][itemtype$=\"/Person\"]",
                &[][..],
                &["itemprop", "rel", "itemscope"][..],
            ),
        ] {
            let expected = ids(doc.try_select(selector));
            assert!(!expected.is_empty(), "{selector}");
            assert_eq!(
                ids(select_among(&doc, selector, names, attrs)),
                expected,
                "{selector}"
            );
        }
        assert!(select_among(&doc, "nav, [role=navigation]", &["nav"], &["role"]).is_none());
    }
}
