//! Laying out a reader page at a width: title, meta line, note, the article text (rendered
//! by `article::render::render_rich`), its links and its related links. Pure and possibly
//! slow on big pages, so the worker runs it off the UI thread, once per (content, width).

use crate::article::render::{SpanStyle, StyledSpan, render_rich};
/// Word wrap by display width (one home: `crate::text`).
pub use crate::text::wrap;
use crate::text::{sanitize_line, truncate_to_width};
use crate::tui::effect::{ImageSlots, ReaderDoc};
use crate::tui::images::{ImageKey, MAX_IMAGES_PER_PAGE};
use crate::tui::state::{ImagePlacement, LineKind, ReaderLayout, ReaderLine};

/// Pages bigger than this are cut before rendering (keeps a hostile page from stalling).
pub const MAX_HTML_BYTES: usize = 4 * 1024 * 1024;
/// Pages bigger than this are laid out twice: their beginning first (shown at once), then
/// whole. Laying out a few hundred kilobytes takes a moment; a few megabytes, seconds.
pub const PREVIEW_HTML_BYTES: usize = 256 * 1024;

/// The beginning of a long page, to show while the whole is laid out; `None` for a page
/// short enough to lay out at once.
pub fn preview_doc(doc: &ReaderDoc) -> Option<ReaderDoc> {
    if doc.html.len() <= PREVIEW_HTML_BYTES {
        return None;
    }
    let mut cut = PREVIEW_HTML_BYTES;
    while !doc.html.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut preview = doc.clone();
    preview.html.truncate(cut);
    preview.note = Some(match &doc.note {
        Some(note) => format!("{note} · laying out the rest of this long page…"),
        None => "laying out the rest of this long page…".to_string(),
    });
    Some(preview)
}

/// Lay out `doc` at `width` columns.
pub fn layout_page(doc: &ReaderDoc, width: u16) -> ReaderLayout {
    let width = width.max(10);
    let mut lines = Vec::new();
    for line in wrap(&sanitize_line(&doc.title), usize::from(width)) {
        lines.push(plain(LineKind::Title, line));
    }
    if !doc.meta.is_empty() {
        lines.push(plain(
            LineKind::Meta,
            truncate_to_width(&sanitize_line(&doc.meta), usize::from(width)),
        ));
    }
    if let Some(note) = &doc.note {
        for line in wrap(&sanitize_line(note), usize::from(width)) {
            lines.push(plain(LineKind::Note, line));
        }
    }
    lines.extend(media_lines(doc, width));
    lines.push(plain(LineKind::Body, String::new()));
    let mut html = doc.html.as_str();
    if html.len() > MAX_HTML_BYTES {
        let mut cut = MAX_HTML_BYTES;
        while !html.is_char_boundary(cut) {
            cut -= 1;
        }
        html = &html[..cut];
    }
    let rendered = render_rich(html, width);
    let mut sources = rendered.images.iter();
    let mut images = Vec::new();
    for spans in rendered.lines {
        if let Some(slots) = &doc.images {
            // Each placeholder on this line takes the next source, drawn or not.
            let on_line: Vec<&String> = (0..placeholders_in(&spans))
                .filter_map(|_| sources.next())
                .collect();
            for url in on_line {
                keep_room_for_image(&mut lines, &mut images, slots, url, width);
            }
        }
        lines.push(ReaderLine {
            kind: LineKind::Body,
            spans,
        });
    }
    lines.extend(cut_note(doc.html.len(), width));
    if !rendered.links.is_empty() {
        lines.push(plain(LineKind::Body, String::new()));
        lines.push(plain(LineKind::Section, "Links".into()));
        for link in &rendered.links {
            let entry = format!("[{}] {}", link.n, sanitize_line(&link.url));
            lines.push(plain(
                LineKind::LinkEntry,
                truncate_to_width(&entry, usize::from(width)),
            ));
        }
    }
    if !doc.related.is_empty() {
        lines.push(plain(LineKind::Body, String::new()));
        lines.push(plain(LineKind::Section, "Related".into()));
        for (i, link) in doc.related.iter().enumerate() {
            let label = if link.label.is_empty() {
                String::new()
            } else {
                format!("{}: ", link.label)
            };
            let entry = format!("{}. {}{}", i + 1, label, link.title);
            for line in wrap(&sanitize_line(&entry), usize::from(width)) {
                lines.push(plain(LineKind::LinkEntry, line));
            }
            let url = format!("   {}", sanitize_line(&link.url));
            lines.push(plain(
                LineKind::Meta,
                truncate_to_width(&url, usize::from(width)),
            ));
        }
    }
    ReaderLayout {
        lines,
        links: rendered.links,
        images,
    }
}

/// How many image placeholders start in a line.
fn placeholders_in(spans: &[StyledSpan]) -> usize {
    spans
        .iter()
        .filter(|s| s.style.image)
        .map(|s| {
            s.text
                .matches(crate::article::render::IMAGE_PLACEHOLDER_START)
                .count()
        })
        .sum()
}

/// Record where the image at `url` goes and keep its rows blank (when it is ready to draw).
fn keep_room_for_image(
    lines: &mut Vec<ReaderLine>,
    images: &mut Vec<ImagePlacement>,
    slots: &ImageSlots,
    url: &str,
    width: u16,
) {
    if images.len() >= MAX_IMAGES_PER_PAGE || !crate::url_safety::is_web_url(url) {
        return;
    }
    let rows = slots.rows.get(url).copied().unwrap_or(0);
    images.push(ImagePlacement {
        line: lines.len(),
        rows,
        key: ImageKey {
            url: url.to_string(),
            width,
            max_rows: slots.max_rows,
        },
    });
    for _ in 0..rows {
        lines.push(plain(LineKind::Body, String::new()));
    }
}

/// Under a page cut at [`MAX_HTML_BYTES`]: say so, and how much was left out.
fn cut_note(html_bytes: usize, width: u16) -> Vec<ReaderLine> {
    if html_bytes <= MAX_HTML_BYTES {
        return Vec::new();
    }
    let note = format!(
        "(the page is too big to show whole: its first {} MB of {} MB are shown)",
        MAX_HTML_BYTES / (1024 * 1024),
        html_bytes.div_ceil(1024 * 1024)
    );
    let mut out = vec![plain(LineKind::Body, String::new())];
    for line in wrap(&note, usize::from(width)) {
        out.push(plain(LineKind::Note, line));
    }
    out
}

/// The item's media files, one line each under the meta line: `▶ audio/mpeg · 4.5 MB ·
/// 1:02:03 · ep12.mp3` (the play key opens the first).
fn media_lines(doc: &ReaderDoc, width: u16) -> Vec<ReaderLine> {
    doc.enclosures
        .iter()
        .map(|enclosure| {
            let text = format!("▶ {}", crate::media::describe(enclosure));
            plain(LineKind::Note, truncate_to_width(&text, usize::from(width)))
        })
        .collect()
}

fn plain(kind: LineKind, text: String) -> ReaderLine {
    ReaderLine {
        kind,
        spans: vec![StyledSpan {
            text,
            style: SpanStyle::default(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RelatedLink;

    /// A page titled "T" with no meta line, related links or media.
    fn doc(html: &str, images: Option<ImageSlots>) -> ReaderDoc {
        ReaderDoc {
            title: "T".into(),
            meta: String::new(),
            html: html.into(),
            related: vec![],
            note: None,
            enclosures: vec![],
            images,
        }
    }

    /// The text of each laid-out line.
    fn texts(page: &ReaderLayout) -> Vec<String> {
        page.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn lists_related_links_numbered_under_a_heading() {
        let doc = ReaderDoc {
            title: "A title".into(),
            meta: "Feed · 2026-01-01 00:00".into(),
            related: vec![RelatedLink {
                label: "À lire".into(),
                title: "Other".into(),
                url: "https://e.org/o".into(),
            }],
            ..doc("", None)
        };
        let page = layout_page(&doc, 40);
        let texts = texts(&page);
        let at = texts.iter().position(|t| t == "Related").unwrap();
        assert_eq!(texts[at + 1], "1. À lire: Other");
        assert_eq!(page.lines[0].kind, LineKind::Title);
    }

    #[test]
    fn media_files_are_listed_under_the_meta_line() {
        let doc = ReaderDoc {
            title: "Episode 12".into(),
            meta: "Podcast · 2026-11-20 06:00".into(),
            enclosures: vec![crate::model::Enclosure {
                url: "https://cdn.example/ep12.mp3".into(),
                mime_type: Some("audio/mpeg".into()),
                length: Some(28_800_000),
                duration: Some(1805),
            }],
            ..doc("<p>Show notes.</p>", None)
        };
        let page = layout_page(&doc, 60);
        let texts = texts(&page);
        assert_eq!(
            texts[2], "▶ audio/mpeg · 29 MB · 30:05 · ep12.mp3",
            "{texts:?}"
        );
        assert_eq!(page.lines[2].kind, LineKind::Note);
        let narrow = layout_page(&doc, 12);
        assert!(narrow.lines.iter().all(|l| {
            crate::text::display_width(&l.spans.iter().map(|s| s.text.as_str()).collect::<String>())
                <= 12
        }));
    }

    #[test]
    fn a_long_page_is_previewed_from_its_beginning() {
        let mut doc = ReaderDoc {
            title: "Long".into(),
            ..doc("<p>short</p>", None)
        };
        assert!(
            preview_doc(&doc).is_none(),
            "a short page is laid out at once"
        );
        doc.html = format!("<p>début é</p>{}", "<p>é suite</p>".repeat(40_000));
        let preview = preview_doc(&doc).unwrap();
        assert!(preview.html.len() <= PREVIEW_HTML_BYTES);
        assert!(doc.html.starts_with(&preview.html));
        let texts = texts(&layout_page(&preview, 40));
        assert!(
            texts.iter().any(|t| t.contains("laying out the rest")),
            "{texts:?}"
        );
        assert!(texts.iter().any(|t| t.contains("début é")));
    }

    const HTML: &str = "<p>Before.</p><figure><img src=\"https://img.example/a.png\" alt=\"A cat\">\
        <figcaption>The cat, asleep.</figcaption></figure><p>Middle.</p>\
        <p><img src=\"data:image/png;base64,AAAA\" alt=\"inline data\"></p>\
        <p><img src=\"https://img.example/b.jpg\" alt=\"A dog\"></p><p>After.</p>";

    #[test]
    fn images_get_rows_above_their_placeholder_once_ready() {
        let mut rows = std::collections::HashMap::new();
        rows.insert("https://img.example/a.png".to_string(), 3u16);
        let slots = ImageSlots { max_rows: 10, rows };
        let page = layout_page(&doc(HTML, Some(slots)), 40);
        let keys: Vec<(&str, u16)> = page
            .images
            .iter()
            .map(|p| (p.key.url.as_str(), p.rows))
            .collect();
        // The data: URL is never fetched; b.jpg is not loaded yet (no rows).
        assert_eq!(
            keys,
            vec![
                ("https://img.example/a.png", 3),
                ("https://img.example/b.jpg", 0)
            ]
        );
        let t = texts(&page);
        let first = &page.images[0];
        for row in 0..3 {
            assert_eq!(t[first.line + row], "", "row {row} kept blank");
        }
        assert_eq!(t[first.line + 3], "[image: A cat]");
        let next_text = t[first.line + 4..].iter().find(|l| !l.is_empty());
        assert_eq!(
            next_text.map(String::as_str),
            Some("The cat, asleep."),
            "the caption under it"
        );
        assert_eq!(t[page.images[1].line], "[image: A dog]");
        assert_eq!(page.images[0].key.width, 40);
        assert_eq!(page.images[0].key.max_rows, 10);
    }

    #[test]
    fn no_slots_means_no_placements_and_the_same_text() {
        let off = layout_page(&doc(HTML, None), 40);
        assert!(off.images.is_empty());
        let waiting = layout_page(&doc(HTML, Some(ImageSlots::default())), 40);
        assert_eq!(
            texts(&off),
            texts(&waiting),
            "nothing moves before images arrive"
        );
    }
}
