//! HTML → text for the reading pane: styled lines at a width with numbered links, and plain
//! text. Pure: no terminal types here (the TUI maps [`SpanStyle`] to its own styles).

use crate::model::Link;

/// How one span of rendered text looks. The TUI maps this to terminal styles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpanStyle {
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    /// Inside a heading (level 1-6).
    pub heading: Option<u8>,
    pub quote: bool,
    /// An `[image: …]` placeholder or caption.
    pub image: bool,
    /// Part of the text of link number N (1-based, as in [`Rendered::links`]).
    pub link: Option<usize>,
}

/// A run of text with one style. The text is sanitised for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyledSpan {
    pub text: String,
    pub style: SpanStyle,
}

/// One display line: spans whose widths add up to at most the width asked for.
pub type StyledLine = Vec<StyledSpan>;

/// A document rendered at a width.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    pub lines: Vec<StyledLine>,
    /// Every link in reading order; the text shows `[N]` after link N.
    pub links: Vec<Link>,
}

/// Render HTML as styled lines no wider than `width` columns.
pub fn render_rich(html: &str, width: u16) -> Rendered {
    let _ = (html, width);
    Rendered::default()
}

/// Plain text (paragraphs separated by blank lines, no markup) and the numbered links.
pub fn plain_text(html: &str) -> (String, Vec<Link>) {
    (html.to_string(), Vec::new())
}
