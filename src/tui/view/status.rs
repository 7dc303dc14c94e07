//! The status line: unread total, refresh or sync progress, changes pending for the sync
//! server, a passing notice, the last error and the last sync error; the search field while
//! typing, with the query's error beside it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::text::{display_width, sanitize_line, truncate_to_width};
use crate::tui::state::{Mode, State};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for a tick count.
pub fn spinner(tick: usize) -> &'static str {
    SPINNER[tick % SPINNER.len()]
}

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let width = usize::from(area.width);
    if state.mode == Mode::Prompt
        && let Some(prompt) = &state.prompt
    {
        use crate::tui::state::PromptKind;
        let title = sanitize_line(&prompt.feed_title);
        let text = match prompt.kind {
            PromptKind::AddFeed => format!(
                "Add feed (URL of a feed or a page), Enter adds, Esc cancels: {}█",
                sanitize_line(&prompt.input)
            ),
            PromptKind::RenameFeed(_) => {
                format!("Rename {title}: {}█", sanitize_line(&prompt.input))
            }
            PromptKind::EditTags(_) => format!(
                "Tags of {title} (comma-separated): {}█",
                sanitize_line(&prompt.input)
            ),
            PromptKind::ConfirmRemove(_) => {
                format!("Remove {title} and its items (starred ones stay)? y/N")
            }
            PromptKind::ConfirmDeleteSearch(_) => {
                format!("Delete the saved search {title}? y/N")
            }
        };
        // The end of a long answer stays in view, where the cursor is.
        let text = if display_width(&text) > width {
            let skip = display_width(&text) - width;
            text.chars().skip(skip).collect()
        } else {
            text
        };
        let line =
            Line::from(truncate_to_width(&text, width)).style(state.settings.theme.status_bar());
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if state.mode == Mode::Search {
        let text = format!("/{}█", sanitize_line(&state.search_input));
        let mut spans = vec![Span::raw(truncate_to_width(&text, width))];
        // A query that does not parse says what and where beside the field.
        if let Some(error) = state
            .status
            .last_error
            .as_deref()
            .filter(|e| e.starts_with("query: "))
        {
            let room = width.saturating_sub(display_width(&text) + 2);
            spans.push(Span::styled(
                format!("  {}", truncate_to_width(&sanitize_line(error), room)),
                state.settings.theme.error(),
            ));
        }
        let line = Line::from(spans).style(state.settings.theme.status_bar());
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let mut left = format!(" {} unread", state.status.unread_total);
    if let Some((done, total)) = state.status.refresh {
        left.push_str(&format!(
            " · {} refreshing {done}/{total}",
            spinner(state.spinner)
        ));
    }
    if state.status.syncing {
        left.push_str(&format!(" · {} syncing", spinner(state.spinner)));
    }
    if state.status.sync_pending > 0 {
        left.push_str(&format!(" · {} pending", state.status.sync_pending));
    }
    if let Some(notice) = &state.status.notice {
        left.push_str(&format!(" · {}", sanitize_line(notice)));
    }
    let right = " ? help ";
    let mut spans = vec![Span::raw(left.clone())];
    let mut used = display_width(&left);
    let sync_error = state
        .status
        .sync_error
        .as_ref()
        .map(|e| format!("sync: {e}"));
    let errors: Vec<&str> = [state.status.last_error.as_deref(), sync_error.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !errors.is_empty() {
        let error = errors.join(" · ");
        let room = width.saturating_sub(used + display_width(right) + 3);
        let text = format!(" · {}", truncate_to_width(&sanitize_line(&error), room));
        used += display_width(&text);
        spans.push(Span::styled(text, state.settings.theme.error()));
    }
    let gap = width.saturating_sub(used + display_width(right));
    spans.push(Span::raw(" ".repeat(gap)));
    spans.push(Span::raw(right));
    frame.render_widget(
        Paragraph::new(Line::from(spans).style(state.settings.theme.status_bar())),
        area,
    );
}
