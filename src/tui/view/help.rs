//! The help overlay, generated from the keymap (so it never drifts from the bindings).
//! Laid out in as many columns as the screen's height needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::text::{display_width, truncate_to_width};
use crate::tui::state::State;

pub fn render(frame: &mut Frame, screen: Rect, state: &State) {
    let rows = state.help.len().max(1);
    let room_rows = usize::from(screen.height.saturating_sub(3)).max(1);
    let columns = rows.div_ceil(room_rows).max(1);
    let per_column = rows.div_ceil(columns);
    let key_width = state
        .help
        .iter()
        .map(|r| display_width(&r.keys))
        .max()
        .unwrap_or(0)
        .min(14);
    let desc_width = state
        .help
        .iter()
        .map(|r| display_width(&r.description))
        .max()
        .unwrap_or(0);
    let column_width = key_width + 1 + desc_width + 2;
    let width = ((column_width * columns + 2) as u16).min(screen.width);
    let height = ((per_column + 2) as u16).min(screen.height.saturating_sub(1));
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height.saturating_sub(1) - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(" Keys (any key closes) ")
        .border_style(state.settings.theme.border(true));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let column_width = usize::from(inner.width) / columns;
    let desc_room = column_width.saturating_sub(key_width + 2);
    for (c, chunk) in state.help.chunks(per_column).enumerate() {
        let lines: Vec<Line> = chunk
            .iter()
            .map(|row| {
                let keys = truncate_to_width(&row.keys, key_width);
                let pad = " ".repeat(key_width - display_width(&keys) + 1);
                Line::from(vec![
                    Span::styled(keys, state.settings.theme.unread()),
                    Span::raw(pad),
                    Span::raw(truncate_to_width(&row.description, desc_room)),
                ])
            })
            .collect();
        let column = Rect {
            x: inner.x + (c * column_width) as u16,
            y: inner.y,
            width: column_width as u16,
            height: inner.height,
        };
        frame.render_widget(Paragraph::new(lines), column);
    }
}
