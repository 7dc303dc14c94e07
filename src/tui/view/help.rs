//! The help overlay, generated from the keymap (so it never drifts from the bindings).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::text::{display_width, truncate_to_width};
use crate::tui::state::State;
use crate::tui::view::theme;

pub fn render(frame: &mut Frame, screen: Rect, state: &State) {
    let key_width = state.help.iter().map(|r| display_width(&r.keys)).max().unwrap_or(0).min(16);
    let desc_width = state.help.iter().map(|r| display_width(&r.description)).max().unwrap_or(0);
    let want_width = (key_width + desc_width + 5) as u16;
    let width = want_width.min(screen.width);
    let height = (state.help.len() as u16 + 2).min(screen.height.saturating_sub(1));
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height.saturating_sub(1) - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(" Keys (any key closes) ").border_style(theme::border(true));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let room = usize::from(inner.width).saturating_sub(key_width + 1);
    let lines: Vec<Line> = state
        .help
        .iter()
        .map(|row| {
            let keys = truncate_to_width(&row.keys, key_width);
            let pad = " ".repeat(key_width - display_width(&keys) + 1);
            Line::from(vec![
                Span::styled(keys, theme::unread()),
                Span::raw(pad),
                Span::raw(truncate_to_width(&row.description, room)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
