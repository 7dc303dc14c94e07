//! Groups of HTML element names that several article passes (plain text, the pane's renderer,
//! related links) treat alike: headings, and the boxes that section or group a page.

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
