//! The feeds sidebar: "All", "Unread", "Starred", then each feed with its unread count and
//! a mark when its last fetch failed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::text::{display_width, sanitize_line, truncate_to_width};
use crate::tui::state::{Focus, ListSource, State};

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let block = Block::bordered()
        .title(" Feeds ")
        .border_style(state.settings.theme.border(state.focus == Focus::Feeds));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let mut entries: Vec<(String, Option<i64>, bool, bool)> = vec![
        (
            "All".into(),
            Some(state.status.unread_total),
            false,
            state.list.query.source == ListSource::All,
        ),
        (
            "Unread".into(),
            Some(state.status.unread_total),
            false,
            state.list.query.source == ListSource::Unread,
        ),
        (
            "Starred".into(),
            None,
            false,
            state.list.query.source == ListSource::Starred,
        ),
    ];
    for feed in &state.feeds {
        let current = state.list.query.source == ListSource::Feed(feed.id);
        entries.push((
            feed.title.clone(),
            Some(feed.unread),
            feed.error.is_some(),
            current,
        ));
    }
    // Keep the cursor visible on long feed lists.
    let top = state.feed_cursor.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = entries
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, (name, unread, failed, current))| {
            let count = match unread {
                Some(n) if *n > 0 => n.to_string(),
                _ => String::new(),
            };
            let mark = if *failed { "!" } else { " " };
            let name_width = width.saturating_sub(display_width(&count) + 2);
            let name = truncate_to_width(&sanitize_line(name), name_width);
            let gap = width.saturating_sub(1 + display_width(&name) + display_width(&count));
            let name_style = if *current {
                state.settings.theme.unread()
            } else {
                ratatui::style::Style::new()
            };
            let mut line = Line::from(vec![
                Span::styled(mark, state.settings.theme.error()),
                Span::styled(name, name_style),
                Span::raw(" ".repeat(gap)),
                Span::styled(count, state.settings.theme.dim()),
            ]);
            if i == state.feed_cursor && state.focus == Focus::Feeds {
                line = line.style(state.settings.theme.selected());
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
