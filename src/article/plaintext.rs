//! Cleaned article HTML → plain text with numbered links: blocks separated by blank lines,
//! headings on their own lines, list items one per line, captions kept, no markup.
//!
//! The walk is iterative (an explicit stack), so a hostile 10,000-deep page cannot overflow
//! the stack.

use super::elements::{is_heading, is_section_box};
use crate::model::Link;
use crate::text::sanitize_multiline;
use dom_query::{Document, NodeData, NodeRef};

/// Elements whose content is never text for a reader (the pane's renderer skips them too).
pub(crate) const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "svg", "math", "button", "input",
    "select", "textarea", "iframe", "object", "embed", "canvas", "audio", "video", "map",
];

/// Elements that start and end a block (a paragraph break before and after), with the
/// headings and section boxes ([`super::elements`]).
const BLOCKS: &[&str] = &[
    "p",
    "pre",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "dl",
    "table",
    "form",
    "fieldset",
    "address",
    "details",
    "summary",
    "hr",
    "center",
    "picture",
];

/// Elements that start a new line but not a new paragraph.
const LINES: &[&str] = &["li", "tr", "dt", "dd", "caption"];

/// Builds the text: blocks become paragraphs separated by one blank line.
struct TextBuilder {
    out: String,
    /// A paragraph break (2) or line break (1) is owed before the next visible text.
    pending_breaks: u8,
    /// A space is owed before the next visible text (whitespace was seen).
    pending_space: bool,
    /// Inside `<pre>`: whitespace is kept as written.
    pre_depth: usize,
    /// A list-item marker to write before the next visible text.
    pending_bullet: bool,
}

impl TextBuilder {
    fn new() -> Self {
        Self {
            out: String::new(),
            pending_breaks: 0,
            pending_space: false,
            pre_depth: 0,
            pending_bullet: false,
        }
    }

    fn request_break(&mut self, n: u8) {
        self.pending_breaks = self.pending_breaks.max(n);
    }

    fn flush_pending(&mut self) {
        if !self.out.is_empty() {
            if self.pending_breaks >= 2 {
                self.out.push_str("\n\n");
            } else if self.pending_breaks == 1 {
                self.out.push('\n');
            } else if self.pending_space && !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
        }
        self.pending_breaks = 0;
        self.pending_space = false;
        if self.pending_bullet {
            self.out.push_str("• ");
            self.pending_bullet = false;
        }
    }

    fn push_text(&mut self, text: &str) {
        let neutral;
        let text = if text.contains(is_c1) {
            neutral = neutralise_c1(text);
            neutral.as_str()
        } else {
            text
        };
        if self.pre_depth > 0 {
            if text.is_empty() {
                return;
            }
            self.flush_pending();
            self.out.push_str(text);
            return;
        }
        let mut words = text.split(char::is_whitespace).peekable();
        if text.starts_with(char::is_whitespace) {
            self.pending_space = true;
        }
        while let Some(word) = words.next() {
            if word.is_empty() {
                continue;
            }
            self.flush_pending();
            self.out.push_str(word);
            if words.peek().is_some() {
                self.pending_space = true;
            }
        }
        if text.ends_with(char::is_whitespace) {
            self.pending_space = true;
        }
    }

    fn finish(self) -> String {
        let cleaned = sanitize_multiline(&self.out);
        // Trim each line and collapse runs of blank lines to one.
        let mut text = String::with_capacity(cleaned.len());
        let mut blank_run = 0;
        for line in cleaned.split('\n') {
            let line = line.trim_end();
            let line = if line.trim().is_empty() { "" } else { line };
            if line.is_empty() {
                blank_run += 1;
                if blank_run > 1 || text.is_empty() {
                    continue;
                }
            } else {
                blank_run = 0;
            }
            text.push_str(line);
            text.push('\n');
        }
        text.trim_end().to_string()
    }
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

/// Raw C1 characters in page text are mis-decoded windows-1252 (mojibake such as `â€\u{9d}`),
/// never terminal controls meant for the reader. Mapped to their windows-1252 meaning (or
/// dropped) here, so the sanitiser does not read `\u{9d}` as an OSC introducer and swallow
/// the rest of the article.
fn neutralise_c1(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if !is_c1(c) {
                return Some(c);
            }
            crate::text::cp1252_c1(c)
        })
        .collect()
}

/// What stands for an image in text: "[image: alt]", or "[image]" when it has no alt text.
pub(crate) fn image_label(alt: Option<&str>) -> String {
    match alt.map(|a| crate::text::sanitize_line(a.trim())) {
        Some(alt) if !alt.is_empty() => format!("[image: {alt}]"),
        _ => "[image]".to_string(),
    }
}

/// Footnote/citation markers such as `[1]` or `[note 3]` in a `<sup>`: noise in plain text.
fn is_reference_marker(text: &str) -> bool {
    let t = text.trim();
    t.len() <= 12 && t.starts_with('[') && t.ends_with(']')
}

/// One step of the iterative walk: entering a node, or leaving an element.
enum Step<'a> {
    Enter(NodeRef<'a>),
    Leave(LeaveAction),
}

#[derive(Clone)]
enum LeaveAction {
    Break(u8),
    EndPre(u8),
    EndLink { href: String, text_start: usize },
}

/// Where images leave a visible "[image: alt]" marker in plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageMarkers {
    /// None in the text: the article's text for `--json` and for scoring holds only words
    /// the page shows as text. An image-only link is still listed and numbered, named by
    /// its image ("[image: alt]").
    #[default]
    LinksOnly,
    /// Every image, for a person reading the plain output (`kiosque read`, `extract`).
    Everywhere,
}

/// Plain text of cleaned article HTML and every http(s) link with text, numbered from 1 in
/// document order (no image markers in the text; image-only links named by their image).
pub fn plain_text(html: &str) -> (String, Vec<Link>) {
    plain_text_with(html, ImageMarkers::LinksOnly)
}

/// [`plain_text`], with the image markers asked for.
pub fn plain_text_with(html: &str, images: ImageMarkers) -> (String, Vec<Link>) {
    plain_text_of(&Document::fragment(html), images)
}

/// [`plain_text_with`] of HTML already parsed as a fragment (`Document::fragment`), which
/// the walk only reads.
pub(crate) fn plain_text_of(doc: &Document, images: ImageMarkers) -> (String, Vec<Link>) {
    // The image label of each open link (named by its first image), innermost last.
    let mut link_images: Vec<Option<String>> = Vec::new();
    let mut builder = TextBuilder::new();
    let mut links: Vec<Link> = Vec::new();
    let mut stack: Vec<Step<'_>> = vec![Step::Enter(doc.root())];

    while let Some(step) = stack.pop() {
        match step {
            Step::Enter(node) => {
                if node.is_text() {
                    // Read in place, not copied out of the tree.
                    node.query(|n| {
                        if let NodeData::Text { contents } = &n.data {
                            builder.push_text(contents);
                        }
                    });
                    continue;
                }
                if !(node.is_element() || node.is_document() || node.is_fragment()) {
                    continue;
                }
                // Read in place: the parser writes HTML names in lower case, and the mixed-case
                // SVG and MathML names only occur inside `svg` and `math`, which are skipped
                // (a lowered copy per element was a fifth of this walk's allocations).
                let qual_name = node.qual_name_ref();
                let name: &str = qual_name.as_ref().map_or("", |q| q.local.as_ref());
                if SKIPPED.contains(&name) {
                    continue;
                }
                if name == "sup" && is_reference_marker(&node.text()) {
                    continue;
                }
                if node.is_element() && is_hidden(&node) {
                    continue;
                }
                let mut leave: Option<LeaveAction> = None;
                match name {
                    "br" => {
                        builder.request_break(1);
                        continue;
                    }
                    "img" => {
                        // A marker where the image was (it keeps an image-only link too).
                        let label = image_label(node.attr("alt").as_deref());
                        if images == ImageMarkers::Everywhere {
                            builder.push_text(&format!(" {label}"));
                        } else if let Some(slot @ None) = link_images.last_mut() {
                            *slot = Some(label);
                        }
                        continue;
                    }
                    "li" => {
                        builder.request_break(1);
                        builder.pending_bullet = true;
                        leave = Some(LeaveAction::Break(1));
                    }
                    "td" | "th" => {
                        builder.pending_space = true;
                    }
                    "pre" => {
                        builder.request_break(2);
                        builder.pre_depth += 1;
                        leave = Some(LeaveAction::EndPre(2));
                    }
                    "a" => {
                        if let Some(href) = node.attr("href") {
                            let href = href.trim();
                            // Footnote references and back-links jump within the page:
                            // not numbered, as the pane does not number them.
                            if crate::url_safety::is_web_url(href)
                                && !super::footnotes::is_reference(&node)
                                && !super::footnotes::is_backref(&node)
                            {
                                link_images.push(None);
                                leave = Some(LeaveAction::EndLink {
                                    href: href.to_string(),
                                    text_start: builder.out.len(),
                                });
                            }
                        }
                    }
                    _ if is_heading(name) || is_section_box(name) || BLOCKS.contains(&name) => {
                        builder.request_break(2);
                        leave = Some(LeaveAction::Break(2));
                    }
                    _ if LINES.contains(&name) => {
                        builder.request_break(1);
                        leave = Some(LeaveAction::Break(1));
                    }
                    _ => {}
                }
                if let Some(action) = leave {
                    stack.push(Step::Leave(action));
                }
                // Children in reverse so the first child is popped first.
                let mut child = node.last_child();
                while let Some(c) = child {
                    child = c.prev_sibling();
                    stack.push(Step::Enter(c));
                }
            }
            Step::Leave(action) => match action {
                LeaveAction::Break(n) => builder.request_break(n),
                LeaveAction::EndPre(n) => {
                    builder.pre_depth = builder.pre_depth.saturating_sub(1);
                    builder.request_break(n);
                }
                LeaveAction::EndLink { href, text_start } => {
                    let image = link_images.pop().flatten();
                    let text = builder.out.get(text_start..).unwrap_or("");
                    // The range may start with the breaks or bullet owed before the link.
                    let text = crate::text::sanitize_line(text);
                    let text = text.trim_start_matches("• ").to_string();
                    let text = match image {
                        Some(label) if text.trim().is_empty() => label,
                        _ => text,
                    };
                    if !text.is_empty() {
                        links.push(Link {
                            n: links.len() + 1,
                            text,
                            url: href,
                        });
                    }
                }
            },
        }
    }
    (builder.finish(), links)
}

/// `hidden`, `aria-hidden="true"` or an inline `display:none` / `visibility:hidden`.
pub(crate) fn is_hidden(node: &NodeRef<'_>) -> bool {
    if node.has_attr("hidden") {
        return true;
    }
    if let Some(style) = node.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_headings_and_lists() {
        let (text, links) = plain_text(
            "<h2>Title</h2><p>First <b>para</b>graph.</p><p>Second\n  one.</p>\
             <ul><li>one</li><li>two</li></ul><p>end</p>",
        );
        assert_eq!(
            text,
            "Title\n\nFirst paragraph.\n\nSecond one.\n\n• one\n• two\n\nend"
        );
        assert!(links.is_empty());
    }

    #[test]
    fn links_numbered_in_order_with_text_only() {
        let (text, links) = plain_text(
            "<p>See <a href=\"https://a.example/x\">the <i>first</i></a> and \
             <a href=\"http://b.example/\">second</a>, <a href=\"mailto:x@y\">mail</a>, \
             <a href=\"https://c.example/\"><img src=x></a>.</p>",
        );
        assert_eq!(text, "See the first and second, mail, .");
        assert_eq!(
            links.len(),
            3,
            "an image-only link is kept, named by its image"
        );
        assert_eq!(links[2].text, "[image]");
        assert_eq!(links[0].n, 1);
        assert_eq!(links[0].text, "the first");
        assert_eq!(links[0].url, "https://a.example/x");
        assert_eq!(links[1].n, 2);
        assert_eq!(links[1].text, "second");
    }

    #[test]
    fn captions_kept_markers_and_scripts_dropped() {
        let html = "<p>Claim<sup>[1]</sup> here.</p><figure><img src=a.jpg>\
             <figcaption>A cat on a mat.</figcaption></figure><script>evil()</script>";
        let (text, _) = plain_text_with(html, ImageMarkers::Everywhere);
        assert_eq!(text, "Claim here.\n\n[image]\n\nA cat on a mat.");
        let (text, _) = plain_text(html);
        assert_eq!(text, "Claim here.\n\nA cat on a mat.");
    }

    #[test]
    fn images_leave_a_marker_with_their_alt_text() {
        let html = "<p>Before<img src=a.jpg alt=\"A chart\"> after.</p>\
             <p><a href=\"https://x.example/big.jpg\"><img src=s.jpg alt=\"\u{56fe}\"></a></p>";
        let (text, links) = plain_text_with(html, ImageMarkers::Everywhere);
        assert_eq!(text, "Before [image: A chart] after.\n\n[image: \u{56fe}]");
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].url, "https://x.example/big.jpg");
        // The text for --json and scoring: no marker, the image link still listed and named.
        let (text, json_links) = plain_text(html);
        assert_eq!(text, "Before after.");
        assert_eq!(json_links, links);
    }

    #[test]
    fn controls_are_sanitised_and_br_breaks_lines() {
        let (text, _) = plain_text("<p>a\u{1b}[31mred<br>next\u{202e}line</p>");
        assert_eq!(text, "ared\nnextline");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}deep{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
        let (text, _) = plain_text(&html);
        assert_eq!(text, "deep");
    }

    #[test]
    fn mojibake_c1_does_not_swallow_text() {
        let (text, _) = plain_text("<p>a \u{e2}\u{80}\u{9d} b</p><p>rest of the article</p>");
        assert!(text.ends_with("rest of the article"), "{text}");
        assert!(text.starts_with("a \u{e2}\u{20ac}"), "{text}");
    }

    #[test]
    fn pre_keeps_layout() {
        let (text, _) = plain_text("<p>x</p><pre>a  b\n  c</pre>");
        assert_eq!(text, "x\n\na  b\n  c");
    }
}
