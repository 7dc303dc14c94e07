//! The headline list: marks, feed name (in mixed lists), title, relative age. Only the
//! visible rows are drawn, from the window the worker paged in.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::text::{display_width, sanitize_line, truncate_to_width};
use crate::tui::state::{Focus, ListSource, State};

/// "now", "5m", "3h", "2d", "4mo", "2y".
pub fn relative_age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        s if s < 60 => "now".into(),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 86_400 * 60 => format!("{}d", s / 86_400),
        s if s < 86_400 * 365 => format!("{}mo", s / (86_400 * 30)),
        s => format!("{}y", s / (86_400 * 365)),
    }
}

/// The pane's title: which list, the search, the count.
pub fn title(state: &State) -> String {
    let source = match state.list.query.source {
        ListSource::All => "All".to_string(),
        ListSource::Unread => "Unread".to_string(),
        ListSource::Starred => "Starred".to_string(),
        ListSource::Feed(id) => state.feed_label(id, state.feed_title(id).unwrap_or("feed")),
        ListSource::Smart(i) => state
            .smart_feeds
            .get(i)
            .map_or_else(|| "saved search".to_string(), |s| s.name.clone()),
    };
    let mut title = format!(" {} ({})", sanitize_line(&source), state.list.total);
    if let Some(search) = &state.list.query.search {
        title.push_str(&format!(" /{}", sanitize_line(search)));
    }
    title.push(' ');
    title
}

/// Cut or pad to exactly `width` columns. Sanitised again here: stored text was cleaned at
/// ingest, but nothing unclean may ever reach the terminal.
fn pad_to(s: &str, width: usize) -> String {
    let s = truncate_to_width(&sanitize_line(s), width);
    let w = display_width(&s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let focused = state.focus == Focus::Headlines;
    let block = Block::bordered()
        .title(truncate_to_width(
            &title(state),
            usize::from(area.width.saturating_sub(2)),
        ))
        .border_style(state.settings.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let list = &state.list;
    if list.loaded && list.total == 0 {
        let text: &[&str] = if list.query.search.is_some() || list.query.smart.is_some() {
            &["no match"]
        } else if state.feeds_loaded && state.feeds.is_empty() {
            &[
                "No subscriptions yet. Quit (q) and subscribe:",
                "  kiosque add URL",
                "  kiosque import FILE.opml",
                "then start kiosque again.",
            ]
        } else {
            &["no items (R refreshes)"]
        };
        let lines: Vec<Line> = text
            .iter()
            .map(|t| Line::styled(truncate_to_width(t, width), state.settings.theme.dim()))
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let show_feed = !matches!(list.query.source, ListSource::Feed(_));
    let feed_width = if show_feed {
        (width / 5).clamp(6, 18)
    } else {
        0
    };
    let mut lines = Vec::with_capacity(usize::from(inner.height));
    for position in list.top..(list.top + usize::from(inner.height)).min(list.total) {
        let selected = position == list.selected;
        let Some(row) = list.row(position) else {
            lines.push(Line::styled("…", state.settings.theme.dim()));
            continue;
        };
        // An undated item's time is when kiosque first saw it: marked "~".
        let age = if row.dated {
            relative_age(state.now, row.published)
        } else {
            format!("~{}", relative_age(state.now, row.published))
        };
        let mark = if row.read { " " } else { "●" };
        let star = if row.starred { "★" } else { " " };
        let fixed = 2 + 1 + if show_feed { feed_width + 1 } else { 0 } + 1 + age.len().max(4);
        let title_width = width.saturating_sub(fixed);
        let mut spans = vec![
            Span::raw(mark),
            Span::styled(star, state.settings.theme.star()),
            Span::raw(" "),
        ];
        if show_feed {
            let label = crate::tui::view::feeds::fit_feed_label(
                &row.feed_title,
                state.feed_qualifiers.get(&row.feed_id).map(String::as_str),
                feed_width,
            );
            spans.push(Span::styled(
                pad_to(&label, feed_width),
                state.settings.theme.dim(),
            ));
            spans.push(Span::raw(" "));
        }
        let title_style = if row.read {
            ratatui::style::Style::new()
        } else {
            state.settings.theme.unread()
        };
        if row.also_in.is_empty() {
            spans.push(Span::styled(pad_to(&row.title, title_width), title_style));
        } else {
            // The story other feeds carry too: "also in: …" after the title, dimmed, never
            // taking more than half of the title's room.
            let also_in = format!(" also in: {}", sanitize_line(&row.also_in.join(", ")));
            let also_in = truncate_to_width(&also_in, title_width / 2);
            let title = truncate_to_width(
                &sanitize_line(&row.title),
                title_width - display_width(&also_in),
            );
            let rest = title_width.saturating_sub(display_width(&title) + display_width(&also_in));
            spans.push(Span::styled(title, title_style));
            spans.push(Span::styled(
                format!("{also_in}{}", " ".repeat(rest)),
                state.settings.theme.dim(),
            ));
        }
        spans.push(Span::styled(
            format!(" {age:>4}"),
            state.settings.theme.dim(),
        ));
        let mut line = Line::from(spans);
        if selected {
            line = line.style(state.settings.theme.selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ages_read_like_a_person_says_them() {
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap();
        assert_eq!(relative_age(now, now), "now");
        assert_eq!(relative_age(now, now - chrono::Duration::minutes(5)), "5m");
        assert_eq!(relative_age(now, now - chrono::Duration::hours(3)), "3h");
        assert_eq!(relative_age(now, now - chrono::Duration::days(2)), "2d");
        assert_eq!(relative_age(now, now - chrono::Duration::days(400)), "1y");
        // An item dated in the future (clock skew) is "now", not negative.
        assert_eq!(relative_age(now, now + chrono::Duration::hours(1)), "now");
    }

    #[test]
    fn an_undated_items_first_seen_age_is_marked() {
        use crate::tui::action::Action;
        use crate::tui::effect::Effect;
        use crate::tui::fixtures;
        let mut state = fixtures::empty_state((80, 10));
        let effects = crate::tui::update::init(&mut state);
        let generation = effects
            .iter()
            .find_map(|e| match e {
                Effect::LoadList(request) => Some(request.generation),
                _ => None,
            })
            .unwrap();
        let mut rows = fixtures::rows(0, 2);
        rows[1].dated = false;
        crate::tui::update::update(
            &mut state,
            Action::ListLoaded(crate::tui::effect::ListWindow {
                generation,
                total: 2,
                offset: 0,
                rows,
                selected: Some(0),
            }),
        );
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 10)).unwrap();
        terminal
            .draw(|frame| render(frame, Rect::new(0, 0, 80, 4), &state))
            .unwrap();
        let row = |y: u16| -> String {
            (0..80)
                .map(|x| terminal.backend().buffer()[(x, y)].symbol().to_string())
                .collect()
        };
        assert!(row(1).trim_end().ends_with(" 7m│"), "{}", row(1));
        assert!(row(2).trim_end().ends_with(" ~5h│"), "{}", row(2));
    }
}
