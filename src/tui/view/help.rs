//! The help overlay, generated from the keymap (so it never drifts from the bindings).
//! Laid out in as many columns as the screen's height needs and its width allows; when the
//! rows do not fit (a small terminal) it is one column, descriptions wrapped, that scrolls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::text::{display_width, truncate_to_width};
use crate::tui::geometry::{HELP_GAP, help_layout as layout};
use crate::tui::keymap::HelpRow;
use crate::tui::reader_layout::wrap;
use crate::tui::state::State;
use crate::tui::view::clear_popup;
use crate::tui::view::theme::Theme;

/// One help row as lines: keys, then the description wrapped under itself.
fn row_lines(
    row: &HelpRow,
    key_width: usize,
    desc_width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let keys = truncate_to_width(&row.keys, key_width);
    let pad = " ".repeat(key_width - display_width(&keys) + 1);
    wrap(&row.description, desc_width)
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let text = truncate_to_width(&text, desc_width);
            if i == 0 {
                Line::from(vec![
                    Span::styled(keys.clone(), theme.unread()),
                    Span::raw(pad.clone()),
                    Span::raw(text),
                ])
            } else {
                Line::from(format!("{}{text}", " ".repeat(key_width + 1)))
            }
        })
        .collect()
}

pub fn render(frame: &mut Frame, screen: Rect, state: &State) {
    let layout = layout(screen, &state.help);
    let scroll = state.help_scroll.min(layout.max_scroll());
    let area = layout.area;
    clear_popup(frame, area);
    let title = if layout.max_scroll() > 0 {
        " Keys (j/k scroll, other keys close) "
    } else {
        " Keys (any key closes) "
    };
    let mut block = Block::bordered()
        .title(truncate_to_width(
            title,
            usize::from(area.width.saturating_sub(2)),
        ))
        .border_style(state.settings.theme.border(true));
    if layout.max_scroll() > 0 {
        block = block.title_bottom(format!(
            " {}-{} of {} ",
            scroll + 1,
            scroll + layout.visible,
            layout.lines
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let column_width = layout.key_width + 1 + layout.desc_width;
    for (c, chunk) in state.help.chunks(layout.rows_per_column).enumerate() {
        let lines: Vec<Line> = chunk
            .iter()
            .flat_map(|row| {
                row_lines(
                    row,
                    layout.key_width,
                    layout.desc_width,
                    &state.settings.theme,
                )
            })
            .skip(scroll)
            .take(layout.visible)
            .collect();
        let x = inner.x + u16::try_from(c * (column_width + HELP_GAP)).unwrap_or(u16::MAX);
        let column = Rect {
            x,
            y: inner.y,
            width: u16::try_from(column_width)
                .unwrap_or(u16::MAX)
                .min(inner.right().saturating_sub(x)),
            height: inner.height,
        };
        frame.render_widget(Paragraph::new(lines), column);
    }
}
