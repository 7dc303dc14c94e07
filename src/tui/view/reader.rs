//! The reading pane: the page's laid-out lines (done by the worker once per width), sliced
//! to the viewport, and the overlay listing every link of the article.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::text::{sanitize_line, truncate_to_width};
use crate::tui::state::{Focus, State};
use crate::tui::view::{clear_popup, hyperlink, status};

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let mut block =
        Block::bordered().border_style(state.settings.theme.border(state.focus == Focus::Reader));
    let Some(page) = state.page() else {
        let block = block.title(" Reader ");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let hint = Line::styled(
            "Enter opens the selected headline",
            state.settings.theme.dim(),
        );
        frame.render_widget(Paragraph::new(hint), inner);
        return;
    };
    let depth = if state.pages.len() > 1 {
        format!(" [{}]", state.pages.len())
    } else {
        String::new()
    };
    let loading = if page.item_loading || page.article_loading {
        format!(" {} loading article", status::spinner(state.spinner))
    } else if page.extracted {
        " article".to_string()
    } else if page.unavailable {
        " could not load".to_string()
    } else {
        " feed text".to_string()
    };
    let inner_height = usize::from(area.height.saturating_sub(2));
    let total = page.lines.as_ref().map(|l| l.lines.len()).unwrap_or(0);
    let position = if total > inner_height {
        format!(
            " {}% ",
            (page.scroll + inner_height).min(total) * 100 / total.max(1)
        )
    } else {
        " ".to_string()
    };
    block = block.title(format!("{depth}{loading}{position}"));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = match &page.lines {
        Some(laid_out) => laid_out
            .lines
            .iter()
            .skip(page.scroll)
            .take(usize::from(inner.height))
            .map(|line| {
                let base = state.settings.theme.line_kind(line.kind);
                Line::from(
                    line.spans
                        .iter()
                        .map(|s| {
                            Span::styled(
                                s.text.as_str(),
                                base.patch(state.settings.theme.span(s.style)),
                            )
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
        // Not laid out yet (a moment after opening): the title alone, cut to the width.
        None => vec![Line::styled(
            truncate_to_width(&sanitize_line(&page.title), width),
            state
                .settings
                .theme
                .line_kind(crate::tui::state::LineKind::Title),
        )],
    };
    frame.render_widget(Paragraph::new(lines), inner);
    if state.settings.hyperlinks
        && let Some(laid_out) = &page.lines
    {
        link_visible_text(frame, inner, laid_out, page.scroll);
    }
    if let Some(laid_out) = &page.lines {
        render_images(frame, inner, page.scroll, &laid_out.images, state);
    }
}

/// Make the visible text of each numbered link an OSC 8 hyperlink to its URL (only called
/// when the terminal supports them; see `view::hyperlink`).
fn link_visible_text(
    frame: &mut Frame,
    inner: Rect,
    laid_out: &crate::tui::state::ReaderLayout,
    scroll: usize,
) {
    let buffer = frame.buffer_mut();
    for (row, line) in laid_out
        .lines
        .iter()
        .skip(scroll)
        .take(usize::from(inner.height))
        .enumerate()
    {
        let y = inner.y + row as u16;
        let mut x = inner.x;
        for span in &line.spans {
            let width = u16::try_from(crate::text::display_width(&span.text)).unwrap_or(u16::MAX);
            if let Some(n) = span.style.link
                // Links are numbered 1, 2, … in order: link N is at N - 1.
                && let Some(link) = n
                    .checked_sub(1)
                    .and_then(|i| laid_out.links.get(i))
                    .filter(|l| l.n == n)
                && let Some(url) = hyperlink::safe_url(&link.url)
            {
                let visible = width.min(inner.right().saturating_sub(x));
                hyperlink::link_cells(buffer, x, y, visible, &url);
            }
            x = x.saturating_add(width);
            if x >= inner.right() {
                break;
            }
        }
    }
}

/// Draw the page's ready images over the rows kept for them, centred: whole when they are
/// wholly in view; with their bottom cut off at the foot of the pane where the protocol can
/// draw part of a picture (half-blocks, kitty); not at all once their top is scrolled past.
fn render_images(
    frame: &mut Frame,
    inner: Rect,
    scroll: usize,
    placements: &[crate::tui::state::ImagePlacement],
    state: &State,
) {
    let bottom = scroll + usize::from(inner.height);
    for placement in placements {
        if placement.rows == 0 || placement.line < scroll || placement.line >= bottom {
            continue;
        }
        let Some(crate::tui::images::ImageStatus::Ready(image)) = state.images.get(&placement.key)
        else {
            continue;
        };
        let Ok(offset) = u16::try_from(placement.line - scroll) else {
            continue;
        };
        let cols = image.0.cols.min(inner.width);
        let rows = image
            .0
            .rows
            .min(placement.rows)
            .min(inner.height.saturating_sub(offset));
        let area = Rect {
            x: inner.x + (inner.width - cols) / 2,
            y: inner.y + offset,
            width: cols,
            height: rows,
        };
        let whole = rows >= image.0.rows;
        let can_clip = matches!(
            image.0.protocol,
            ratatui_image::protocol::Protocol::Halfblocks(_)
                | ratatui_image::protocol::Protocol::Kitty(_)
        );
        if !(whole || can_clip) {
            continue; // cut off, and this protocol cannot draw part of a picture
        }
        frame.render_widget(
            ratatui_image::Image::new(&image.0.protocol).allow_clipping(true),
            area,
        );
    }
}

/// The `l` overlay: every link of the article, numbered, with a cursor.
pub fn render_link_list(frame: &mut Frame, screen: Rect, state: &State) {
    let Some(page) = state.page() else { return };
    let links = page.link_entries();
    let width = screen.width.saturating_sub(4).max(10).min(screen.width);
    let height = (u16::try_from(links.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2))
    .min(screen.height.saturating_sub(2))
    .max(3);
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    clear_popup(frame, area);
    let block = Block::bordered()
        .title(" Links (Enter follows, o opens, Esc closes) ")
        .border_style(state.settings.theme.border(true));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = usize::from(inner.height);
    let top = page.link_cursor.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = links
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, link)| {
            let text = format!(
                "{} {} — {}",
                link.label,
                sanitize_line(&link.text),
                sanitize_line(&link.url)
            );
            let line = Line::from(truncate_to_width(&text, usize::from(inner.width)));
            if i == page.link_cursor {
                line.style(state.settings.theme.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
