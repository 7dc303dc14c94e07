//! Cleaned article HTML → styled lines for the reading pane, at a given width, with numbered
//! links. Pure: no terminal types here (the TUI maps [`SpanStyle`] to its own styles).
//!
//! html2text lays the text out; this module prepares its input and maps its output:
//! - before: scripts and hidden elements dropped, text sanitised, nesting deeper than a bound
//!   flattened (html2text is quadratic in nesting and fails when indents eat the width), each
//!   numbered link marked so its number survives layout and `[N]` written after its text;
//! - after: annotations mapped to [`SpanStyle`], private markers for headings, quotes and
//!   bullets turned into styles and glyphs, and every line cut to fit the width (wide and
//!   combining characters included), so nothing can overflow the pane.
//!
//! Tables and code blocks are laid out by [`super::render_blocks`] instead: html2text sees a
//! one-word placeholder paragraph where each stood, and its lines are spliced in there
//! (behind the same quote bars or list indent). Footnote references become superscripts
//! and the notes' back-links go ([`super::footnotes`]); neither is numbered as a link.
//!
//! On any html2text error (or panic) the text is wrapped plainly instead.

use super::elements::{is_heading, is_section_box};
use super::footnotes;
use super::render_blocks::{
    Block, code_lines, has_nested_table, read_table, rule_line, table_lines,
};
use crate::model::Link;
use crate::text::{display_width, is_invisible_format, sanitize_line, sanitize_multiline};
use dom_query::{Document, NodeRef};
use html2text::render::{RichAnnotation, TaggedLine, TextDecorator};
use unicode_width::UnicodeWidthChar;

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
    /// The `src` of each `[image…]` placeholder in `lines`, in reading order (empty when the
    /// plain fallback laid the text out). The reader draws pictures above them.
    pub images: Vec<String>,
}

/// Elements whose content is never text for a reader: the plain-text view's list.
use super::plaintext::SKIPPED;

/// Elements that nest blocks, with the section boxes ([`super::elements::is_section_box`]):
/// deeper than [`MAX_CONTAINER_DEPTH`] of them are flattened.
const CONTAINERS: &[&str] = &[
    "ul", "ol", "li", "dl", "dd", "dt", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "figure", "details", "form", "fieldset", "center", "p",
];

/// Elements that indent their content (a quote bar, a bullet): each level eats columns.
const INDENTING: &[&str] = &["blockquote", "ul", "ol", "dd", "table"];

/// Nested block containers kept; deeper ones are unwrapped (their content stays).
const MAX_CONTAINER_DEPTH: usize = 16;
/// Nested elements of any kind kept (deeply nested inline markup is flattened too).
const MAX_ELEMENT_DEPTH: usize = 48;

const TABLE_PARTS: &[&str] = &[
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
];
/// Narrower panes get the plain fallback: html2text 0.17 underflows (panics in debug builds)
/// when a word is wider than a very small width.
const MIN_LAYOUT_WIDTH: usize = 10;
/// The scheme that carries a link's number through html2text.
const LINK_SCHEME: &str = "kiosque-link:";

/// Markers html2text writes as prefixes, replaced after layout. Text nodes are sanitised
/// first, so these characters cannot come from the page.
///
/// html2text reserves a heading prefix's *byte* length in columns: a private-use character
/// (3 bytes) that is simply dropped. For quotes and bullets it checks that byte length and
/// display width agree, so those markers are C0 controls (1 byte, width 1 in a string),
/// padded with ASCII spaces.
const HEADING_MARK_BASE: u32 = 0xE000;
const QUOTE_MARK: char = '\u{1}';
const QUOTE_PREFIX: &str = "\u{1} ";
const BULLET_MARK: char = '\u{2}';
const BULLET_PREFIX: &str = " \u{2} ";
/// What the quote marker becomes on screen (1 column, as reserved).
const QUOTE_BAR: &str = "│";
/// What the bullet marker becomes on screen (1 column, as reserved).
const BULLET: &str = "•";
/// Around a caption's text (inline, so 1 column each while wrapping; dropped after).
const CAPTION_START: char = '\u{E00E}';
const CAPTION_END: char = '\u{E00F}';
/// Around the index of a block (table, code) in the placeholder paragraph standing for it.
const BLOCK_START: char = '\u{E00B}';
const BLOCK_END: char = '\u{E00C}';

/// Render HTML as styled lines no wider than `width` columns.
pub fn render_rich(html: &str, width: u16) -> Rendered {
    let width = usize::from(width);
    let prepared = prepare(html, width);
    if width == 0 {
        return Rendered {
            lines: Vec::new(),
            links: prepared.links,
            images: Vec::new(),
        };
    }
    // Below this html2text cannot lay out even one wide character after an indent.
    if width < MIN_LAYOUT_WIDTH {
        return Rendered {
            lines: fit_lines(plain_lines(&prepared.plain, width), width),
            links: prepared.links,
            images: Vec::new(),
        };
    }
    let laid_out = std::panic::catch_unwind(|| layout(&prepared.html, width));
    let lines = match laid_out {
        Ok(Ok((lines, images))) => {
            return Rendered {
                lines: fit_lines(splice_blocks(tidy(lines), &prepared.blocks, width), width),
                links: prepared.links,
                images,
            };
        }
        Ok(Err(error)) => {
            tracing::debug!(%error, width, "html2text failed; plain wrapping instead");
            plain_lines(&prepared.plain, width)
        }
        Err(_) => {
            tracing::warn!(width, "html2text panicked; plain wrapping instead");
            #[cfg(test)]
            LAYOUT_PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            plain_lines(&prepared.plain, width)
        }
    };
    Rendered {
        lines: fit_lines(tidy(lines), width),
        links: prepared.links,
        images: Vec::new(),
    }
}

/// How often html2text panicked (tests check that prepared input never makes it panic).
#[cfg(test)]
static LAYOUT_PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The HTML handed to html2text, the links it numbers, and a plain-text fallback.
struct Prepared {
    html: String,
    links: Vec<Link>,
    plain: String,
    /// Tables and code blocks, by the index their placeholder carries.
    blocks: Vec<Block>,
}

fn element_name(node: &NodeRef<'_>) -> String {
    node.node_name()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default()
}

/// `hidden`, `aria-hidden="true"` or an inline `display:none` / `visibility:hidden`.
fn is_hidden(node: &NodeRef<'_>) -> bool {
    if node.has_attr("hidden") {
        return true;
    }
    if node
        .attr("aria-hidden")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    node.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// An `<img>` with neither a source nor alt text: nothing to show, not even a placeholder.
fn is_empty_image(node: &NodeRef<'_>) -> bool {
    let blank = |name: &str| node.attr(name).is_none_or(|v| v.trim().is_empty());
    blank("src") && blank("alt")
}

/// Footnote markers such as `[1]` in a `<sup>`: dropped, as the plain-text view does.
fn is_reference_marker(text: &str) -> bool {
    let t = text.trim();
    t.len() <= 12 && t.starts_with('[') && t.ends_with(']')
}

/// The private-use range this module uses for markers: removed from page text.
fn is_marker(c: char) -> bool {
    ('\u{E000}'..='\u{E00F}').contains(&c)
}

fn needs_sanitising(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\t')) || is_invisible_format(c) || is_marker(c)
    })
}

/// Page text made safe, markers included.
fn clean_text(text: &str) -> String {
    sanitize_multiline(text)
        .chars()
        .filter(|c| !is_marker(*c))
        .collect()
}

/// Characters whose width depends on their neighbours: an emoji presentation selector makes
/// "❤" two columns wide as a string but not character by character, and a zero-width joiner
/// after an emoji fuses two wide emoji into one. html2text measures both ways and, when they
/// disagree, can count a line past its width. Without them every column count agrees (the
/// emoji stay, shown in their plain form, side by side).
fn is_width_changer(c: char, previous: Option<char>) -> bool {
    match c {
        '\u{FE0E}' | '\u{FE0F}' => true,
        // Skin-tone modifiers: two columns alone, zero after an emoji.
        '\u{1F3FB}'..='\u{1F3FF}' => true,
        '\u{200D}' => previous.is_some_and(|p| p.width().unwrap_or(0) >= 2),
        _ => false,
    }
}

fn needs_width_fix(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(
            c,
            '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}'
        )
    })
}

fn fix_widths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = None;
    for c in text.chars() {
        if !is_width_changer(c, previous) {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

/// Clean, bound and number the document (see the module comment).
fn prepare(html: &str, width: usize) -> Prepared {
    let doc = Document::fragment(html);
    // Each indent takes 2-3 columns; keep enough width for text at any nesting we allow.
    let max_indent = (width / 12).clamp(1, 6);
    let mut links: Vec<Link> = Vec::new();
    let mut to_remove: Vec<NodeRef<'_>> = Vec::new();
    let mut to_unwrap: Vec<NodeRef<'_>> = Vec::new();
    let mut captions: Vec<NodeRef<'_>> = Vec::new();
    let mut note_refs: Vec<NodeRef<'_>> = Vec::new();
    let mut notes_sections: Vec<NodeRef<'_>> = Vec::new();
    // (node, element depth, container depth, indent depth)
    let mut stack: Vec<(NodeRef<'_>, usize, usize, usize)> = vec![(doc.root(), 0, 0, 0)];
    while let Some((node, depth, containers, indents)) = stack.pop() {
        if node.is_text() {
            let text = node.text();
            if needs_sanitising(&text) || needs_width_fix(&text) {
                node.set_text(fix_widths(&clean_text(&text)));
            }
            continue;
        }
        let (mut depth, mut containers, mut indents) = (depth, containers, indents);
        if node.is_element() {
            let name = element_name(&node);
            if SKIPPED.contains(&name.as_str())
                || is_hidden(&node)
                || (name == "img" && is_empty_image(&node))
                || (name == "sup"
                    && is_reference_marker(&node.text())
                    && !node.descendants_it().any(|d| {
                        d.is_element() && element_name(&d) == "a" && footnotes::is_reference(&d)
                    }))
                || (name == "a" && footnotes::is_backref(&node))
            {
                to_remove.push(node);
                continue;
            }
            let container = is_section_box(&name) || CONTAINERS.contains(&name.as_str());
            let indenting = INDENTING.contains(&name.as_str());
            let too_deep = depth + 1 > MAX_ELEMENT_DEPTH
                || (container && containers + 1 > MAX_CONTAINER_DEPTH)
                || (indenting && indents + 1 > max_indent);
            if too_deep && name != "html" && name != "body" {
                to_unwrap.push(node);
            } else {
                depth += 1;
                containers += usize::from(container);
                indents += usize::from(indenting);
            }
            if name == "a" {
                if footnotes::is_reference(&node) {
                    note_refs.push(node);
                } else {
                    number_link(&node, &mut links);
                }
            }
            if name == "figcaption" {
                captions.push(node);
            }
            if footnotes::is_notes_section(&node) {
                notes_sections.push(node);
            }
            if name == "img"
                && let Some(alt) = node.attr("alt")
                && needs_sanitising(&alt)
            {
                node.set_attr("alt", &sanitize_line(&clean_text(&alt)));
            }
        }
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push((c, depth, containers, indents));
        }
    }
    for node in to_remove {
        node.remove_from_parent();
    }
    // Deepest first, so each unwrap moves already-flattened content.
    for node in to_unwrap.into_iter().rev() {
        match node.first_child() {
            Some(child) => child.unwrap_node(),
            None => node.remove_from_parent(),
        }
    }
    // html2text runs a caption on after the image: make it a paragraph, its text marked.
    for caption in captions {
        caption.prepend_child(&caption.tree.new_text(CAPTION_START.to_string()));
        caption.append_child(&caption.tree.new_text(CAPTION_END.to_string()));
        caption.rename("p");
    }
    // A reference to a note: its label as a superscript, not a link.
    for reference in note_refs {
        if reference.parent().is_none() {
            continue; // inside something removed
        }
        let label = sanitize_line(&reference.text());
        reference.insert_before(&reference.tree.new_text(footnotes::superscript(&label)));
        reference.remove_from_parent();
    }
    // The notes start under a rule, as on paper.
    for section in notes_sections {
        let starts_with_rule = section
            .first_element_child()
            .is_some_and(|c| element_name(&c) == "hr");
        let rule_before = section
            .prev_element_sibling()
            .is_some_and(|c| element_name(&c) == "hr");
        if section.parent().is_none() || starts_with_rule || rule_before {
            continue;
        }
        let rule = section.tree.new_element("hr");
        // A list of notes (`<ol class="references">`) gets its rule before it, not as an item.
        if matches!(element_name(&section).as_str(), "ol" | "ul") {
            section.insert_before(&rule);
        } else {
            section.prepend_child(&rule);
        }
    }
    let plain = plain_text_of(&doc);
    let blocks = take_blocks(&doc);
    Prepared {
        html: doc.root().inner_html().to_string(),
        links,
        plain,
        blocks,
    }
}

/// The nearest `table` above a node.
fn closest_table<'a>(node: &NodeRef<'a>) -> Option<NodeRef<'a>> {
    let mut parent = node.parent();
    while let Some(p) = parent {
        if p.is_element() && element_name(&p) == "table" {
            return Some(p);
        }
        parent = p.parent();
    }
    None
}

/// Replace a node's content with the placeholder paragraph of block `index`.
fn put_placeholder(node: &NodeRef<'_>, index: usize) {
    while let Some(child) = node.first_child() {
        child.remove_from_parent();
    }
    node.rename("p");
    for attr in ["class", "id", "style", "hidden"] {
        node.remove_attr(attr);
    }
    node.append_child(
        &node
            .tree
            .new_text(format!("{BLOCK_START}{index}{BLOCK_END}")),
    );
}

/// Take every code block and data table out of the document, leaving placeholders. A table
/// that nests tables is page layout: its own rows and cells become plain boxes, so its
/// content flows as text (the tables inside it are still tables).
fn take_blocks(doc: &Document) -> Vec<Block> {
    let mut blocks = Vec::new();
    for pre in doc.select("pre").nodes() {
        let inside_pre = {
            let mut parent = pre.parent();
            let mut found = false;
            while let Some(p) = parent {
                if p.is_element() && element_name(&p) == "pre" {
                    found = true;
                    break;
                }
                parent = p.parent();
            }
            found
        };
        if inside_pre || pre.parent().is_none() {
            continue;
        }
        blocks.push(Block::Code(pre.text().to_string()));
        put_placeholder(pre, blocks.len() - 1);
    }
    // html2text drops `<hr>`: a section break, and the rule above the footnotes.
    for rule in doc.select("hr").nodes() {
        if rule.parent().is_some() {
            blocks.push(Block::Rule);
            put_placeholder(rule, blocks.len() - 1);
        }
    }
    for table in doc.select("table").nodes() {
        if table.parent().is_none() {
            continue;
        }
        if has_nested_table(table) {
            for part in table.descendants() {
                let name = element_name(&part);
                if part.is_element()
                    && TABLE_PARTS.contains(&name.as_str())
                    && closest_table(&part).is_some_and(|t| t.id == table.id)
                {
                    part.rename(if name == "caption" { "p" } else { "div" });
                }
            }
            table.rename("div");
            continue;
        }
        let data = read_table(table);
        if data.rows.is_empty() && data.header.is_none() {
            continue;
        }
        blocks.push(Block::Table(data));
        put_placeholder(table, blocks.len() - 1);
    }
    blocks
}

/// Lines of `line` before byte `at` of its text, styles kept.
fn line_prefix(line: &StyledLine, at: usize) -> StyledLine {
    let mut out = Vec::new();
    let mut offset = 0;
    for span in line {
        if offset >= at {
            break;
        }
        let take = (at - offset).min(span.text.len());
        if take > 0 && span.text.is_char_boundary(take) {
            out.push(StyledSpan {
                text: span.text[..take].to_string(),
                style: span.style,
            });
        }
        offset += span.text.len();
    }
    out
}

/// The prefix for a block's later lines: quote bars kept, bullets and numbers blanked.
fn continuation_prefix(prefix: &StyledLine) -> StyledLine {
    prefix
        .iter()
        .map(|span| StyledSpan {
            text: span
                .text
                .chars()
                .map(|c| {
                    if c.to_string() == QUOTE_BAR {
                        c.to_string()
                    } else {
                        " ".repeat(c.width().unwrap_or(0))
                    }
                })
                .collect(),
            style: span.style,
        })
        .collect()
}

/// Put each block's lines where its placeholder was laid out.
fn splice_blocks(lines: Vec<StyledLine>, blocks: &[Block], width: usize) -> Vec<StyledLine> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let text: String = line.iter().map(|s| s.text.as_str()).collect();
        let Some(start) = text.find(BLOCK_START) else {
            out.push(line);
            continue;
        };
        let digits_from = start + BLOCK_START.len_utf8();
        let block = text[digits_from..]
            .find(BLOCK_END)
            .and_then(|len| text[digits_from..digits_from + len].parse::<usize>().ok())
            .and_then(|index| blocks.get(index));
        let Some(block) = block else {
            // A placeholder html2text split: drop its markers, keep the line.
            let kept: StyledLine = line
                .into_iter()
                .map(|s| StyledSpan {
                    text: s
                        .text
                        .chars()
                        .filter(|c| *c != BLOCK_START && *c != BLOCK_END)
                        .collect(),
                    style: s.style,
                })
                .collect();
            out.push(kept);
            continue;
        };
        let prefix = line_prefix(&line, start);
        let room = width.saturating_sub(line_width(&prefix)).max(1);
        let block_lines = match block {
            Block::Table(table) => table_lines(table, room),
            Block::Code(code) => code_lines(code, room),
            Block::Rule => rule_line(room),
        };
        let continued = continuation_prefix(&prefix);
        for (i, block_line) in block_lines.into_iter().enumerate() {
            let mut spliced = if i == 0 {
                prefix.clone()
            } else {
                continued.clone()
            };
            spliced.extend(block_line);
            out.push(spliced);
        }
    }
    out
}

/// Number a link if it counts (http(s) URL, visible text), mark it for html2text and write
/// `[N]` after it; otherwise make it plain text.
fn number_link(node: &NodeRef<'_>, links: &mut Vec<Link>) {
    let href = node.attr("href").map(|h| h.trim().to_string());
    let mut text = sanitize_line(&node.text());
    // An image-only link is a link too, numbered as `kiosque read` numbers it.
    if text.trim().is_empty()
        && let Some(img) = node
            .descendants_it()
            .find(|d| d.is_element() && element_name(d) == "img")
    {
        text = super::plaintext::image_label(img.attr("alt").as_deref());
    }
    match href {
        Some(href) if crate::url_safety::is_web_url(&href) && !text.is_empty() => {
            let n = links.len() + 1;
            links.push(Link {
                n,
                text,
                url: sanitize_line(&href),
            });
            node.set_attr("href", &format!("{LINK_SCHEME}{n}"));
            // A text node made directly: parsing a fragment per link costs far more.
            let marker = node.tree.new_text(format!("[{n}]"));
            node.insert_after(&marker);
        }
        _ => node.remove_attr("href"),
    }
}

/// Text of the prepared document with blank lines between blocks: the fallback's input.
fn plain_text_of(doc: &Document) -> String {
    let mut out = String::new();
    let mut stack = vec![doc.root()];
    while let Some(node) = stack.pop() {
        if node.is_text() {
            out.push_str(&node.text());
            continue;
        }
        if node.is_element() {
            let name = element_name(&node);
            if is_section_box(&name)
                || CONTAINERS.contains(&name.as_str())
                || is_heading(&name)
                || matches!(name.as_str(), "br" | "pre" | "figcaption")
            {
                out.push_str("\n\n");
            }
            if name == "img"
                && let Some(alt) = node.attr("alt").filter(|a| !a.trim().is_empty())
            {
                out.push_str(&format!(" [image: {}] ", alt.trim()));
            }
        }
        let mut child = node.last_child();
        while let Some(c) = child {
            child = c.prev_sibling();
            stack.push(c);
        }
    }
    out
}

/// html2text's decorator for the pane: no visible markup, markers for prefixes.
#[derive(Clone, Default)]
struct PaneDecorator;

impl TextDecorator for PaneDecorator {
    type Annotation = RichAnnotation;

    fn decorate_link_start(&mut self, url: &str) -> (String, Self::Annotation) {
        (String::new(), RichAnnotation::Link(url.to_string()))
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, Self::Annotation) {
        (String::new(), RichAnnotation::Emphasis)
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, Self::Annotation) {
        (String::new(), RichAnnotation::Strong)
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, Self::Annotation) {
        (String::new(), RichAnnotation::Strikeout)
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, Self::Annotation) {
        (String::new(), RichAnnotation::Code)
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) -> Self::Annotation {
        RichAnnotation::Preformat(false)
    }
    fn decorate_preformat_cont(&self) -> Self::Annotation {
        RichAnnotation::Preformat(true)
    }
    fn decorate_image(&mut self, src: &str, title: &str) -> (String, Self::Annotation) {
        // Photos with a caption often have an empty alt: "[image]", as `kiosque read` says.
        (
            super::plaintext::image_label(Some(title.trim())),
            RichAnnotation::Image(src.to_string()),
        )
    }
    fn header_prefix(&self, level: usize) -> String {
        let level = level.clamp(1, 6) as u32;
        char::from_u32(HEADING_MARK_BASE + level)
            .map(String::from)
            .unwrap_or_default()
    }
    fn quote_prefix(&self) -> String {
        QUOTE_PREFIX.to_string()
    }
    fn unordered_item_prefix(&self) -> String {
        BULLET_PREFIX.to_string()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        PaneDecorator
    }
    fn decorate_superscript_start(&self) -> (String, Self::Annotation) {
        (String::new(), RichAnnotation::Default)
    }
    fn decorate_superscript_end(&self) -> String {
        String::new()
    }
    fn finalise(&mut self, _urls: Vec<String>) -> Vec<TaggedLine<Self::Annotation>> {
        Vec::new()
    }
}

/// The text that starts an image placeholder (see `decorate_image`).
pub const IMAGE_PLACEHOLDER_START: &str = "[image";

/// Lay the prepared HTML out with html2text and map its lines to styled lines; with them the
/// `src` of every image placeholder, in reading order.
fn layout(html: &str, width: usize) -> Result<(Vec<StyledLine>, Vec<String>), html2text::Error> {
    let lines = html2text::config::with_decorator(PaneDecorator)
        .link_footnotes(false)
        .empty_img_mode(html2text::config::ImageRenderMode::ShowAlways)
        .lines_from_read(html.as_bytes(), width)?;
    let mut in_caption = false;
    let mut sources = Vec::new();
    for line in &lines {
        for piece in line.tagged_strings() {
            for annotation in &piece.tag {
                if let RichAnnotation::Image(src) = annotation {
                    // A placeholder wrapped over two lines starts once.
                    for _ in piece.s.matches(IMAGE_PLACEHOLDER_START) {
                        sources.push(src.clone());
                    }
                }
            }
        }
    }
    Ok((
        lines
            .iter()
            .map(|line| map_line(line, &mut in_caption))
            .collect(),
        sources,
    ))
}

fn heading_level(c: char) -> Option<u8> {
    let code = u32::from(c);
    (HEADING_MARK_BASE + 1..=HEADING_MARK_BASE + 6)
        .contains(&code)
        .then(|| (code - HEADING_MARK_BASE) as u8)
}

/// Keep a character for the terminal? (html2text passes controls through untouched.)
fn is_displayable(c: char) -> bool {
    !(c.is_control()
        || is_invisible_format(c)
        || is_marker(c)
        || c == '\u{2028}'
        || c == '\u{2029}')
}

fn push_span(line: &mut StyledLine, text: &str, style: SpanStyle) {
    if text.is_empty() {
        return;
    }
    match line.last_mut() {
        Some(last) if last.style == style => last.text.push_str(text),
        _ => line.push(StyledSpan {
            text: text.to_string(),
            style,
        }),
    }
}

/// `in_caption` carries over lines: a caption may wrap.
fn map_line(line: &TaggedLine<Vec<RichAnnotation>>, in_caption: &mut bool) -> StyledLine {
    let mut out: StyledLine = Vec::new();
    let mut heading: Option<u8> = None;
    let mut quote = false;
    for piece in line.tagged_strings() {
        let mut style = SpanStyle::default();
        for annotation in &piece.tag {
            match annotation {
                RichAnnotation::Link(target) => {
                    style.link = target
                        .strip_prefix(LINK_SCHEME)
                        .and_then(|n| n.parse().ok());
                }
                RichAnnotation::Image(_) => style.image = true,
                RichAnnotation::Emphasis => style.italic = true,
                RichAnnotation::Strong => style.bold = true,
                RichAnnotation::Code | RichAnnotation::Preformat(_) => style.code = true,
                // Strikeout, colours and future annotations: shown as plain text.
                _ => {}
            }
        }
        let mut text = String::with_capacity(piece.s.len());
        style.image |= *in_caption;
        for c in piece.s.chars() {
            if c == CAPTION_START || c == CAPTION_END {
                push_span(&mut out, &text, with_quote(style, quote));
                text.clear();
                *in_caption = c == CAPTION_START;
                style.image = *in_caption
                    || piece
                        .tag
                        .iter()
                        .any(|a| matches!(a, RichAnnotation::Image(_)));
            } else if let Some(level) = heading_level(c) {
                heading = Some(level);
            } else if c == QUOTE_MARK {
                push_span(&mut out, &text, with_quote(style, quote));
                text.clear();
                quote = true;
                push_span(&mut out, QUOTE_BAR, with_quote(SpanStyle::default(), true));
            } else if c == BULLET_MARK {
                push_span(&mut out, &text, with_quote(style, quote));
                text.clear();
                push_span(&mut out, BULLET, with_quote(SpanStyle::default(), quote));
            } else if c == '\t' {
                text.push(' ');
            } else if c == BLOCK_START || c == BLOCK_END || is_displayable(c) {
                text.push(c);
            }
        }
        push_span(&mut out, &text, with_quote(style, quote));
    }
    if let Some(level) = heading {
        for span in &mut out {
            span.style.heading = Some(level);
        }
    }
    out
}

fn with_quote(mut style: SpanStyle, quote: bool) -> SpanStyle {
    style.quote |= quote;
    style
}

/// Trailing spaces off, leading and trailing blank lines off, runs of blank lines folded.
fn tidy(lines: Vec<StyledLine>) -> Vec<StyledLine> {
    let mut out: Vec<StyledLine> = Vec::with_capacity(lines.len());
    for mut line in lines {
        while let Some(last) = line.last_mut() {
            let trimmed = last.text.trim_end().len();
            if trimmed == 0 {
                line.pop();
            } else {
                last.text.truncate(trimmed);
                break;
            }
        }
        let blank = line.is_empty();
        if blank && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

fn line_width(line: &StyledLine) -> usize {
    let text: String = line.iter().map(|s| s.text.as_str()).collect();
    display_width(&text)
}

/// Cut lines wider than `width` (html2text measures a few sequences differently, and the
/// fallback may meet a character wider than the pane). A character wider than the whole
/// width is replaced by `?`.
fn fit_lines(lines: Vec<StyledLine>, width: usize) -> Vec<StyledLine> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line_width(&line) <= width {
            out.push(line);
            continue;
        }
        let mut current: StyledLine = Vec::new();
        let mut current_text = String::new();
        for span in line {
            for c in span.text.chars() {
                let c = if c.width().unwrap_or(0) > width {
                    '?'
                } else {
                    c
                };
                current_text.push(c);
                if display_width(&current_text) > width && !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                    current_text.clear();
                    current_text.push(c);
                }
                let mut buf = [0u8; 4];
                push_span(&mut current, c.encode_utf8(&mut buf), span.style);
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

/// The fallback: paragraphs of the plain text, word-wrapped, unstyled.
fn plain_lines(text: &str, width: usize) -> Vec<StyledLine> {
    let mut out: Vec<StyledLine> = Vec::new();
    for paragraph in text.split("\n\n") {
        let words: Vec<String> = paragraph
            .split_whitespace()
            .map(|w| w.chars().filter(|c| is_displayable(*c)).collect())
            .filter(|w: &String| !w.is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Vec::new());
        }
        let mut line = String::new();
        for word in words {
            let candidate = if line.is_empty() {
                word.clone()
            } else {
                format!("{line} {word}")
            };
            if display_width(&candidate) <= width || line.is_empty() {
                line = candidate;
            } else {
                out.push(plain_span(std::mem::take(&mut line)));
                line = word;
            }
        }
        if !line.is_empty() {
            out.push(plain_span(line));
        }
    }
    out
}

fn plain_span(text: String) -> StyledLine {
    vec![StyledSpan {
        text,
        style: SpanStyle::default(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<div>
<h1>Un processeur qui tient deux jours</h1>
<p class="chapo"><strong>Le fondeur a dévoilé une puce gravée en 2 nm.</strong> Les premiers modèles sont attendus au <em>printemps</em>.</p>
<p>D'après <a href="https://constructeur.example.com/annonce">le constructeur</a>, la consommation au repos a été divisée par trois, et <a href="https://bench.example.org/x">les premiers tests</a> le confirment.</p>
<h2>Une compatibilité encore à prouver</h2>
<blockquote><p>« Nous avons travaillé avec vingt éditeurs », affirme la directrice produit.</p></blockquote>
<ul><li>Suites bureautiques</li><li>Navigateurs et <code>outils de développement</code></li></ul>
<ol><li>Premier point</li><li>Second point</li></ol>
<figure><img src="https://img.example.com/puce.jpg" alt="La puce sur une carte mère"><figcaption>La nouvelle puce, présentée mardi soir.</figcaption></figure>
<pre>let x = 42;</pre>
<p>Prix : 1 500 €. 日本語のテキストも正しく折り返されるべきです。絵文字 🚀 も。</p>
</div>"#;

    fn text_of(line: &StyledLine) -> String {
        line.iter().map(|s| s.text.as_str()).collect()
    }

    fn all_text(r: &Rendered) -> String {
        r.lines.iter().map(text_of).collect::<Vec<_>>().join("\n")
    }

    /// One line per display line; styled runs shown as ⟦flags:text⟧ so snapshots show styles.
    fn markup(r: &Rendered) -> String {
        let mut out = String::new();
        for line in &r.lines {
            for span in line {
                let s = span.style;
                let mut flags = String::new();
                if let Some(h) = s.heading {
                    flags.push_str(&format!("h{h}"));
                }
                for (on, f) in [
                    (s.bold, "b"),
                    (s.italic, "i"),
                    (s.code, "c"),
                    (s.quote, "q"),
                    (s.image, "img"),
                ] {
                    if on {
                        flags.push_str(f);
                    }
                }
                if let Some(n) = s.link {
                    flags.push_str(&format!("L{n}"));
                }
                if flags.is_empty() {
                    out.push_str(&span.text);
                } else {
                    out.push_str(&format!("⟦{flags}:{}⟧", span.text));
                }
            }
            out.push('\n');
        }
        out.push_str("--- links\n");
        for l in &r.links {
            out.push_str(&format!("{} {} <{}>\n", l.n, l.text, l.url));
        }
        out
    }

    fn assert_fits(r: &Rendered, width: u16) {
        for line in &r.lines {
            let w = display_width(&text_of(line));
            assert!(
                w <= usize::from(width),
                "{w} > {width}: {:?}",
                text_of(line)
            );
        }
    }

    #[test]
    fn sample_at_80_columns() {
        let r = render_rich(SAMPLE, 80);
        assert_fits(&r, 80);
        insta::assert_snapshot!("sample_80", markup(&r));
    }

    #[test]
    fn sample_at_40_columns() {
        let r = render_rich(SAMPLE, 40);
        assert_fits(&r, 40);
        insta::assert_snapshot!("sample_40", markup(&r));
    }

    #[test]
    fn styles_are_mapped() {
        let r = render_rich(SAMPLE, 80);
        let spans: Vec<&StyledSpan> = r.lines.iter().flatten().collect();
        let find = |needle: &str| {
            spans
                .iter()
                .find(|s| s.text.contains(needle))
                .unwrap_or_else(|| panic!("{needle} not rendered"))
                .style
        };
        assert_eq!(find("Un processeur").heading, Some(1));
        assert_eq!(find("Une compatibilité").heading, Some(2));
        assert!(find("Le fondeur").bold);
        assert!(find("printemps").italic);
        assert!(find("vingt éditeurs").quote);
        assert!(find("outils de").code);
        assert!(find("let x = 42;").code);
        assert!(find("[image: La puce").image);
        assert!(find("La nouvelle puce").image, "captions styled as images");
        assert_eq!(find("le constructeur").link, Some(1));
        assert_eq!(find("les premiers tests").link, Some(2));
        let text = all_text(&r);
        assert!(text.contains("le constructeur[1]"), "{text}");
        assert!(text.contains("tests[2]"), "{text}");
        assert!(text.contains(" • Suites bureautiques"), "{text}");
        assert!(text.contains("1. Premier point"), "{text}");
        assert!(text.contains("│ « Nous avons"), "{text}");
        assert!(text.contains("La nouvelle puce, présentée mardi soir."));
    }

    #[test]
    fn links_numbered_like_the_plain_text_view() {
        let r = render_rich(
            "<p>See <a href=\"https://a.example/x\">the <i>first</i></a> and \
             <a href=\" http://b.example/ \">second</a>, <a href=\"mailto:x@y\">mail</a>, \
             <a href=\"https://c.example/\"><img src=x></a>, <a href=\"/relative\">rel</a>.</p>",
            80,
        );
        let got: Vec<(usize, &str, &str)> = r
            .links
            .iter()
            .map(|l| (l.n, l.text.as_str(), l.url.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "the first", "https://a.example/x"),
                (2, "second", "http://b.example/"),
                // An image-only link keeps its number, as in `kiosque read`.
                (3, "[image]", "https://c.example/")
            ]
        );
        let text = all_text(&r);
        assert!(
            text.contains("first[1]") && text.contains("second[2]"),
            "{text}"
        );
        assert!(text.contains("[3]") && !text.contains("[4]"), "{text}");
        assert!(text.contains("mail"), "{text}");
    }

    #[test]
    fn images_without_alt_text_get_a_plain_placeholder() {
        let r = render_rich(
            "<p>Before.</p><figure><img src=\"https://img.example/a.jpg\" alt=\"\">\
             <figcaption>The caption.</figcaption></figure>\
             <p><img src=\"https://img.example/b.jpg\"></p><p><img></p><p>After.</p>",
            60,
        );
        let text = all_text(&r);
        assert_eq!(text.matches("[image]").count(), 2, "{text}");
        assert!(!text.contains("[image: ]"), "{text}");
        assert_eq!(
            r.images,
            vec!["https://img.example/a.jpg", "https://img.example/b.jpg"]
        );
        let placeholder = r
            .lines
            .iter()
            .flatten()
            .find(|s| s.text.contains("[image]"))
            .unwrap();
        assert!(placeholder.style.image);
    }

    #[test]
    fn controls_never_reach_the_terminal() {
        let html = "<p>red \u{1b}[31mtext\u{1b}[0m &#27;]8;;http://x&#7; \u{202e}bidi \u{7}bell\r\nnext</p>\
                    <p><a href=\"https://x.example/\">li\u{1b}[2Jnk</a></p>";
        let r = render_rich(html, 80);
        for line in &r.lines {
            for span in line {
                assert!(span.text.chars().all(is_displayable), "{:?}", span.text);
            }
        }
        assert!(all_text(&r).contains("red text"));
        assert_eq!(r.links[0].text, "link");
    }

    #[test]
    fn hidden_and_script_content_dropped() {
        let r = render_rich(
            "<p>Shown</p><script>alert(1)</script><p hidden>Hidden</p><p style=\"display: none\">Gone</p>",
            80,
        );
        assert_eq!(all_text(&r), "Shown");
    }

    #[test]
    fn deep_nesting_is_flattened_not_fatal() {
        for tag in ["blockquote", "ul><li", "div", "span", "table><tr><td"] {
            let open: String = format!("<{tag}>").repeat(300);
            let html = format!("{open}deep text <a href=\"https://x.example/\">link</a>");
            for width in [80u16, 20] {
                let r = render_rich(&html, width);
                assert_fits(&r, width);
                let text = all_text(&r);
                assert!(text.contains("deep text"), "{tag} at {width}: {text:?}");
                assert!(text.contains("link[1]"), "{tag} at {width}: {text:?}");
            }
        }
    }

    #[test]
    fn tiny_widths_never_panic_and_fit() {
        for width in 0..=10u16 {
            let r = render_rich(SAMPLE, width);
            assert_fits(&r, width);
            assert_eq!(r.links.len(), 2);
            if width > 1 {
                assert!(!r.lines.is_empty(), "width {width}");
            }
        }
    }

    #[test]
    fn empty_and_garbage_input() {
        assert_eq!(render_rich("", 80), Rendered::default());
        for html in [
            "<",
            "<<>>&&;",
            "<p>",
            "</p></div>",
            "<table><td>x",
            "\u{0}\u{1}",
        ] {
            let r = render_rich(html, 40);
            assert_fits(&r, 40);
        }
    }

    /// Property-style: random mixes of wide, combining, emoji, control and plain characters
    /// inside random markup always fit the width.
    #[test]
    fn random_text_always_fits() {
        const ALPHABET: &[&str] = &[
            "a",
            "b",
            "é",
            "e\u{301}",
            " ",
            " ",
            "  ",
            "日",
            "本",
            "語",
            "中",
            "文",
            "🚀",
            "👩‍💻",
            "❤\u{FE0F}",
            "\u{1b}[1m",
            "\u{7}",
            "\u{202e}",
            "\u{200b}",
            "\t",
            "\n",
            "ｱ",
            "한",
            "—",
            "W",
            "m",
            "<b>",
            "</b>",
            "<em>",
            "</em>",
            "<p>",
            "<br>",
            "<li>",
            "<h2>",
            "</h2>",
            "<blockquote>",
            "<a href=\"https://x.example/\">",
            "</a>",
            "&amp;",
            "&#x1F600;",
            "supercalifragilisticexpialidocious",
            "\u{0301}",
            "\u{0E33}",
            "ﷺ",
            "𒐫",
        ];
        const CASES: usize = 1000;
        // A small deterministic generator: the test is reproducible and needs no crate.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let panics_before = LAYOUT_PANICS.load(std::sync::atomic::Ordering::Relaxed);
        for case in 0..CASES {
            let len = (next() % 120) as usize;
            let html: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let width = (next() % 90) as u16;
            let r = render_rich(&html, width);
            for line in &r.lines {
                let text = text_of(line);
                assert!(
                    display_width(&text) <= usize::from(width),
                    "case {case} width {width}: {text:?} from {html:?}"
                );
                assert!(text.chars().all(is_displayable), "case {case}: {text:?}");
            }
        }
        // The fallback hides panics from users; here they must not happen at all.
        assert_eq!(
            LAYOUT_PANICS.load(std::sync::atomic::Ordering::Relaxed),
            panics_before,
            "html2text panicked on prepared input"
        );
    }

    #[test]
    fn tables_render_or_fall_back_and_fit() {
        let html = "<table><tr><th>Modèle</th><th>Prix</th></tr>\
                    <tr><td>Ultraportable ARM</td><td>1 400 €</td></tr>\
                    <tr><td>日本語のモデル名</td><td>¥200,000</td></tr></table>";
        for width in [80u16, 30, 16, 12, 6, 3] {
            let r = render_rich(html, width);
            assert_fits(&r, width);
            let text = all_text(&r)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if width >= 12 {
                assert!(text.contains("Prix"), "width {width}: {text}");
            }
            if width >= 30 {
                assert!(
                    text.contains("Ultraportable ARM │ 1 400 €"),
                    "width {width}: {text}"
                );
            } else if width >= 12 {
                assert!(text.contains("Prix: 1 400 €"), "width {width}: {text}");
            }
        }
    }

    /// A review article with a comparison table, as a CMS writes it.
    const TABLE_ARTICLE: &str = r#"<div class="entry-content">
<h2>Les trois modèles face à face</h2>
<p>Nous avons mesuré l'autonomie de chaque machine en lecture vidéo, écran à 200 cd/m², et relevé son <a href="https://exemple.fr/prix">prix public</a>.</p>
<table class="comparatif">
<caption>Autonomie et prix (novembre 2026)</caption>
<thead><tr><th>Modèle</th><th>Puce</th><th>Autonomie</th><th>Prix</th></tr></thead>
<tbody>
<tr><td>Aero 14</td><td>ARM 2 nm</td><td>21 h</td><td>1 399 €</td></tr>
<tr><td>Nimbus Pro</td><td>x86 <a href="https://exemple.fr/puce">Série 9</a></td><td>11 h</td><td>1 649 €</td></tr>
<tr><td>Pliant X</td><td>ARM 3 nm</td><td>9 h</td><td>699 €</td></tr>
</tbody>
</table>
<p>L'écart d'autonomie se creuse surtout en veille.</p>
</div>"#;

    #[test]
    fn a_table_as_columns_when_it_fits() {
        let r = render_rich(TABLE_ARTICLE, 80);
        assert_fits(&r, 80);
        insta::assert_snapshot!("table_80", markup(&r));
    }

    #[test]
    fn a_table_as_header_value_rows_when_too_wide() {
        let r = render_rich(TABLE_ARTICLE, 36);
        assert_fits(&r, 36);
        insta::assert_snapshot!("table_36", markup(&r));
        // The links of the cells keep their numbers, as in the plain text.
        let (_, plain_links) = super::super::plaintext::plain_text(TABLE_ARTICLE);
        assert_eq!(r.links, plain_links);
    }

    /// A tutorial with indented code, a tab, blank lines inside and a line too long for the pane.
    const CODE_ARTICLE: &str = "<article><p>Le serveur tient en quelques lignes :</p><pre><code class=\"language-rust\">use std::net::TcpListener;

fn main() -> std::io::Result&lt;()&gt; {
    let listener = TcpListener::bind(\"127.0.0.1:8080\")?;

    for stream in listener.incoming() {
\thandle(stream?); // une tabulation, comme dans le dépôt d'origine du projet
    }
    Ok(())
}
</code></pre>
<p>Lancez-le avec <code>cargo run</code>, puis ouvrez le navigateur.</p>
<blockquote><p>Astuce : dans une citation aussi.</p><pre>  $ curl -s localhost:8080</pre></blockquote></article>";

    #[test]
    fn code_blocks_are_kept_verbatim() {
        let r = render_rich(CODE_ARTICLE, 60);
        assert_fits(&r, 60);
        insta::assert_snapshot!("code_60", markup(&r));
        let text = all_text(&r);
        assert!(text.contains("\n    let listener"), "indent kept: {text}");
        assert!(
            text.contains("\n    handle(stream?);"),
            "tab expanded: {text}"
        );
        assert!(
            text.contains("│   $ curl"),
            "in a quote, leading spaces kept: {text}"
        );
    }

    /// Nested lists and quotes in an explainer.
    const NESTED_ARTICLE: &str = "<div><p>Ce que change la loi :</p><ul><li>Pour les particuliers :<ul><li>un devis obligatoire,<ul><li>signé avant les travaux ;</li></ul></li><li>une aide plafonnée.</li></ul></li><li>Pour les installateurs :<ol><li>une certification ;</li><li>un contrôle tous les deux ans.</li></ol></li></ul><blockquote><p>« Nous attendions ce texte depuis trois ans », explique la présidente de la fédération.</p><blockquote><p>Elle cite le rapport de 2024 : « un marché sans règles ».</p></blockquote><p>Elle reste prudente sur le calendrier.</p></blockquote></div>";

    #[test]
    fn nested_lists_and_quotes_are_indented() {
        let r = render_rich(NESTED_ARTICLE, 60);
        assert_fits(&r, 60);
        insta::assert_snapshot!("nested_60", markup(&r));
    }

    /// A blog post with Markdown-made footnotes (kramdown), as a feed carries it: absolute links.
    const FOOTNOTE_ARTICLE: &str = "<div><p>Le premier prototype date de 1998<sup id=\"fnref:1\" role=\"doc-noteref\"><a href=\"https://blog.exemple.fr/post#fn:1\" class=\"footnote\" rel=\"footnote\">1</a></sup>, bien avant la <a href=\"https://exemple.fr/norme\">norme actuelle</a>.<sup id=\"fnref:2\"><a href=\"https://blog.exemple.fr/post#fn:2\" class=\"footnote\">2</a></sup></p><div class=\"footnotes\" role=\"doc-endnotes\"><ol><li id=\"fn:1\"><p>Selon les archives du laboratoire. <a href=\"https://blog.exemple.fr/post#fnref:1\" class=\"reversefootnote\">↩</a></p></li><li id=\"fn:2\"><p>Voir <a href=\"https://exemple.fr/rapport\">le rapport</a>. <a href=\"https://blog.exemple.fr/post#fnref:2\" class=\"reversefootnote\">↩</a></p></li></ol></div></div>";

    #[test]
    fn a_list_of_notes_gets_its_rule_above_it() {
        let html = "<p>Claim<sup class=\"reference\"><a href=\"https://w.example/a#cite_note-1\">[1]</a></sup>.</p>\
                    <ol class=\"references\"><li id=\"cite_note-1\">A source.</li></ol>";
        let r = render_rich(html, 40);
        let text = all_text(&r);
        assert_eq!(
            text, "Claim¹.\n\n────────────────────\n1. A source.",
            "{text}"
        );
        assert!(r.links.is_empty());
    }

    #[test]
    fn footnotes_show_as_superscripts_and_notes_at_the_end() {
        let r = render_rich(FOOTNOTE_ARTICLE, 60);
        assert_fits(&r, 60);
        insta::assert_snapshot!("footnotes_60", markup(&r));
        let text = all_text(&r);
        assert!(text.contains("1998¹,"), "{text}");
        assert!(!text.contains('↩'), "{text}");
        // In-page jumps are not links; the pane and the plain text number the rest alike.
        let (_, plain_links) = super::super::plaintext::plain_text(FOOTNOTE_ARTICLE);
        assert_eq!(r.links, plain_links);
        assert_eq!(
            r.links.iter().map(|l| l.url.as_str()).collect::<Vec<_>>(),
            ["https://exemple.fr/norme", "https://exemple.fr/rapport"]
        );
    }

    #[test]
    fn plain_fallback_wraps_and_fits() {
        let lines = plain_lines("日本語のテキスト one two three\n\nsecond paragraph", 5);
        let fitted = fit_lines(lines, 5);
        for line in &fitted {
            assert!(display_width(&text_of(line)) <= 5, "{:?}", text_of(line));
        }
        assert!(fitted.iter().any(|l| l.is_empty()), "paragraph break kept");
    }
}
