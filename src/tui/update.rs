//! `update`: the only writer of [`State`]. Pure: no IO, no clock; it returns the
//! [`Effect`]s the worker must run. Changes the user asks to be saved (read marks, stars)
//! are shown once the worker confirms them, never before.

use crate::refresh::RefreshTrigger;
use crate::text::sanitize_line;
use crate::tui::action::Action;
use crate::tui::effect::{Anchor, Effect, ImageSlots, ListRequest, ListWindow, ReaderDoc};
use crate::tui::feed_admin;
use crate::tui::geometry;
use crate::tui::images::{ImageKey, ImageStatus, SharedImage};
use crate::tui::sidebar::SidebarRow;
use crate::tui::state::{
    Focus, ListSource, Mode, PromptKind, ReaderPage, State, WINDOW, WINDOW_MARGIN,
};
use ratatui::layout::Position;

/// Say `text` in the status line, with nothing else to do.
pub(crate) fn notice(state: &mut State, text: impl Into<String>) -> Vec<Effect> {
    state.status.notice = Some(text.into());
    vec![]
}

/// The effects to run when the TUI starts: feeds, the first window, maybe a refresh.
pub fn init(state: &mut State) -> Vec<Effect> {
    // The headlines first: the store thread answers in order, and feed counts cost more.
    let mut effects = vec![load_list(state, Anchor::Position(0)), Effect::LoadFeeds];
    if state.settings.refresh_on_start {
        effects.extend(start_refresh(state, None, RefreshTrigger::Automatic));
    } else {
        schedule_refresh(state);
    }
    effects
}

/// Apply one action; return the work it asks for.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    if !matches!(action, Action::Tick(_)) {
        state.dirty = true;
    }
    // A new key press replaces the passing message.
    if is_user_intent(&action) {
        state.status.notice = None;
    }
    if state.mode == Mode::Help
        && let Some(effects) = scroll_help(state, &action)
    {
        return effects;
    }
    match action {
        Action::MoveDown => move_by(state, 1),
        Action::MoveUp => move_by(state, -1),
        Action::Top => match (state.mode, state.focus) {
            (Mode::Links, _) => set_link_cursor(state, 0),
            (_, Focus::Feeds) => {
                state.feed_cursor = 0;
                vec![]
            }
            (_, Focus::Reader) if state.page().is_some() => scroll_page(state, isize::MIN / 2),
            _ => select(state, 0),
        },
        Action::Bottom => match (state.mode, state.focus) {
            (Mode::Links, _) => set_link_cursor(state, usize::MAX),
            (_, Focus::Feeds) => {
                state.feed_cursor = state.sidebar_len().saturating_sub(1);
                vec![]
            }
            (_, Focus::Reader) if state.page().is_some() => scroll_page(state, isize::MAX / 2),
            _ => select(state, state.list.total.saturating_sub(1)),
        },
        Action::Open => open(state),
        Action::ToggleReadFeeds => toggle_read_feeds(state),
        Action::ToggleFeedSort => toggle_feed_sort(state),
        Action::AddFeed => feed_admin::ask(state, PromptKind::AddFeed),
        Action::ToggleFeedExtract => feed_admin::toggle_extract(state),
        Action::RemoveFeed | Action::RenameFeed | Action::EditFeedTags => {
            feed_admin::ask_about_target(state, &action)
        }
        Action::PromptInput(c) => feed_admin::input(state, c),
        Action::PromptDeleteChar => {
            if let Some(prompt) = &mut state.prompt {
                prompt.input.pop();
            }
            vec![]
        }
        Action::PromptSubmit => feed_admin::submit(state),
        Action::FeedsChanged {
            notice,
            show,
            removed,
        } => feed_admin::changed(state, notice, show, removed),
        Action::SwitchPane => {
            state.focus = next_focus(state);
            vec![]
        }
        Action::PageDown | Action::PageUp => {
            let down = action == Action::PageDown;
            if state.page().is_some() {
                let page = reader_height(state).saturating_sub(2).max(1) as isize;
                scroll_page(state, if down { page } else { -page })
            } else {
                let page = list_height(state).saturating_sub(1).max(1) as isize;
                move_list(state, if down { page } else { -page })
            }
        }
        Action::ScrollDown => scroll_page(state, 1),
        Action::ScrollUp => scroll_page(state, -1),
        Action::NextUnread | Action::PrevUnread => {
            let forward = action == Action::NextUnread;
            // The unread item under the cursor is the first one `n` goes to, unless the user
            // is already on it (reading it, or `n` brought them there).
            if forward
                && let Some(row) = state.list.selected_row()
                && !row.read
                && !on_unread_item(state, row.id)
            {
                let id = row.id;
                state.unread_landed = Some(id);
                state.unread_generation += 1; // an older lookup must not move the cursor now
                return if state.pages.is_empty() {
                    vec![]
                } else {
                    open_item(state)
                };
            }
            state.unread_generation += 1;
            state.unread_forward = forward;
            vec![Effect::FindUnread {
                generation: state.unread_generation,
                query: state.list.query.clone(),
                from: state.list.selected_row().map(|r| r.id),
                forward,
            }]
        }
        Action::ToggleRead => match state.list.selected_row() {
            Some(row) => vec![Effect::SetRead {
                ids: vec![row.id],
                read: !row.read,
            }],
            None => vec![],
        },
        Action::ToggleStar => match state.list.selected_row() {
            Some(row) => vec![Effect::SetStarred {
                ids: vec![row.id],
                starred: !row.starred,
            }],
            None => vec![],
        },
        Action::MarkAllRead => vec![Effect::MarkAllRead {
            query: state.list.query.clone(),
        }],
        Action::Undo => match &state.undo {
            Some(ids) => vec![Effect::UndoMarkAllRead { ids: ids.clone() }],
            None => notice(state, "nothing to undo"),
        },
        Action::RefreshAll => start_refresh(state, None, RefreshTrigger::Manual),
        // The server has no per-feed pull: with [sync], one feed is a whole sync.
        Action::RefreshFeed if state.settings.sync => {
            start_refresh(state, None, RefreshTrigger::Manual)
        }
        Action::RefreshFeed => {
            let feed = match state.list.query.source {
                ListSource::Feed(id) => Some(id),
                _ => state.list.selected_row().map(|r| r.feed_id),
            };
            match feed {
                Some(id) => start_refresh(state, Some(id), RefreshTrigger::Manual),
                None => vec![],
            }
        }
        Action::Search => {
            state.mode = Mode::Search;
            // The results are what the user looks at next: arrows and `j` move through them,
            // not through the open article.
            state.focus = Focus::Headlines;
            state.search_input = state.list.query.search.clone().unwrap_or_default();
            vec![]
        }
        Action::SearchInput(c) => {
            if c.is_control() {
                return vec![];
            }
            state.search_input.push(c);
            apply_search(state)
        }
        Action::SearchDeleteChar => {
            state.search_input.pop();
            apply_search(state)
        }
        Action::SearchSubmit => {
            // A query that does not parse stays in the field with its error shown.
            if let Err(e) = crate::query::Query::parse(&state.search_input) {
                state.status.last_error = Some(format!("{QUERY_ERROR}{e}"));
                return vec![];
            }
            state.mode = Mode::Normal;
            state.focus = Focus::Headlines;
            vec![]
        }
        Action::SaveSearch => save_search(state),
        Action::SmartFeedsLoaded { smart_feeds } => {
            // The saved search shown keeps its place when the list around it changes; when it
            // is gone (deleted), the list shows everything again.
            let mut effects = vec![];
            if let ListSource::Smart(_) = state.list.query.source {
                let shown = state.list.query.smart.as_deref();
                match smart_feeds
                    .iter()
                    .position(|s| Some(s.query.as_str()) == shown)
                {
                    Some(j) => state.list.query.source = ListSource::Smart(j),
                    None => {
                        state.list.query.source = ListSource::All;
                        state.list.query.smart = None;
                        state.list.selected = 0;
                        state.list.top = 0;
                        effects.push(load_list(state, Anchor::Position(0)));
                    }
                }
            }
            state.smart_feeds = smart_feeds;
            state.feed_cursor = state.feed_cursor.min(state.sidebar_len().saturating_sub(1));
            effects
        }
        Action::SearchSaved { name } => {
            state.status.notice = Some(format!("saved search \"{}\"", sanitize_line(&name)));
            vec![Effect::LoadFeeds]
        }
        Action::SearchDeleted { name } => {
            state.status.notice =
                Some(format!("deleted saved search \"{}\"", sanitize_line(&name)));
            vec![Effect::LoadFeeds]
        }
        Action::Clear => clear(state),
        Action::OpenInBrowser => match target_url(state) {
            Some(url) if is_web_url(&url) => vec![Effect::OpenUrl(url)],
            Some(url) => {
                state.status.last_error = Some(format!(
                    "not opening a non-web link: {}",
                    sanitize_line(&url)
                ));
                vec![]
            }
            None => vec![],
        },
        Action::PlayMedia => play_media(state),
        Action::CopyUrl => match target_url(state) {
            Some(url) => {
                state.status.notice = Some(format!("copied {}", sanitize_line(&url)));
                vec![Effect::CopyToClipboard(url)]
            }
            None => vec![],
        },
        Action::FollowRelated(n) => {
            let Some(page) = state.page() else {
                return vec![];
            };
            match page.related.get(usize::from(n).saturating_sub(1)) {
                Some(link) => {
                    let (url, title) = (link.url.clone(), link.title.clone());
                    follow(state, url, title)
                }
                None => notice(state, format!("no related link {n}")),
            }
        }
        Action::ListLinks => {
            if state.mode == Mode::Links {
                state.mode = Mode::Normal;
            } else if state.page().is_some_and(|p| p.link_count() > 0) {
                state.mode = Mode::Links;
                if let Some(page) = state.page_mut() {
                    page.link_cursor = 0;
                }
            } else {
                state.status.notice = Some("no links in this article".into());
            }
            vec![]
        }
        Action::Back => back(state),
        Action::ToggleFeeds => {
            state.show_feeds = !state.show_feeds;
            state.focus = if state.show_feeds {
                Focus::Feeds
            } else if state.focus == Focus::Feeds {
                Focus::Headlines
            } else {
                state.focus
            };
            request_render(state)
        }
        Action::ToggleHelp => {
            state.help_scroll = 0;
            state.mode = if state.mode == Mode::Help {
                Mode::Normal
            } else {
                Mode::Help
            };
            vec![]
        }
        Action::Quit => match state.mode {
            Mode::Prompt => {
                state.prompt = None;
                state.mode = Mode::Normal;
                vec![]
            }
            Mode::Help | Mode::Links | Mode::Search => {
                state.mode = Mode::Normal;
                vec![]
            }
            Mode::Normal => {
                if state.pages.is_empty() {
                    state.quit = true;
                } else {
                    close_reader(state);
                }
                vec![]
            }
        },
        Action::Exit => {
            state.quit = true;
            vec![]
        }
        Action::Click { column, row } => click(state, column, row),
        Action::Wheel { column, row, down } => {
            let areas = geometry::layout(geometry::screen(state), state);
            let step = if down { 3 } else { -3 };
            let at = Position::new(column, row);
            if areas.reader.is_some_and(|r| r.contains(at)) {
                scroll_page(state, step)
            } else if areas.headlines.contains(at) {
                move_list(state, step)
            } else if areas.feeds.is_some_and(|r| r.contains(at)) {
                let last = state.sidebar_len().saturating_sub(1);
                state.feed_cursor = state.feed_cursor.saturating_add_signed(step).min(last);
                vec![]
            } else {
                vec![]
            }
        }
        Action::Resize { width, height } => {
            state.size = (width, height);
            // A taller reader shows more lines: never scroll past the last screenful.
            clamp_scroll(state);
            let mut effects = select(state, state.list.selected);
            effects.extend(request_render(state));
            effects
        }
        Action::Tick(now) => tick(state, now),
        Action::FeedsLoaded {
            feeds,
            unread_total,
        } => {
            state.feed_qualifiers = crate::tui::state::feed_qualifiers(&feeds, false);
            state.feeds = feeds;
            state.feeds_loaded = true;
            state.status.unread_total = unread_total;
            state.feed_cursor = state.feed_cursor.min(state.sidebar_len().saturating_sub(1));
            // A feed's own refresh_minutes may want the timer sooner.
            if !state.refreshing {
                let before = state.next_refresh;
                schedule_refresh(state);
                state.next_refresh = match (before, state.next_refresh) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            vec![]
        }
        Action::ListLoaded(window) => list_loaded(state, window),
        Action::UnreadFound {
            generation,
            found,
            switched_to_all,
        } => {
            if generation != state.unread_generation {
                return vec![];
            }
            match found {
                None => notice(
                    state,
                    if state.unread_forward {
                        "no more unread items"
                    } else {
                        "no earlier unread"
                    },
                ),
                Some((position, id)) => {
                    state.unread_landed = Some(id);
                    if !state.pages.is_empty() {
                        state.pending_open = Some(id);
                    }
                    if switched_to_all {
                        state.list.query.source = ListSource::All;
                        state.list.query.search = None;
                        state.list.query.smart = None;
                        state.feed_cursor = 0;
                        vec![load_list(state, Anchor::Item(id))]
                    } else {
                        let mut effects = select(state, position);
                        effects.extend(open_pending(state));
                        effects
                    }
                }
            }
        }
        Action::ItemLoaded { page, item } => {
            let Some(p) = state.pages.iter_mut().find(|p| p.id == page) else {
                return vec![];
            };
            p.item_loading = false;
            p.title = item.summary.title.clone();
            p.feed_title = Some(feed_and_copies(&item.summary));
            p.author = item.author.clone();
            p.published = Some(item.summary.published);
            p.url = item.summary.url.clone();
            p.html = item
                .content_html
                .clone()
                .or_else(|| item.summary_html.clone());
            p.enclosures = item.enclosures.clone();
            p.requested_width = 0;
            let mut effects = Vec::new();
            if let Some(url) = item.summary.url.clone() {
                p.article_loading = true;
                effects.push(Effect::LoadArticle {
                    page,
                    url,
                    fallback: Some(item),
                });
            }
            effects.extend(request_render(state));
            effects
        }
        Action::ArticleReady {
            page,
            article,
            note,
        } => {
            let Some(p) = state.pages.iter_mut().find(|p| p.id == page) else {
                return vec![];
            };
            p.article_loading = false;
            p.extracted = article.source == crate::article::Source::Extracted;
            // A followed link has no feed item behind it: not extracted means not loaded.
            p.unavailable = !p.extracted && p.item_id.is_none();
            if let Some(title) = article.title.as_ref().filter(|t| !t.trim().is_empty()) {
                p.title = title.clone();
            }
            if article.byline.is_some() {
                p.author = article.byline.clone();
            }
            if p.url.is_none() && !article.url.is_empty() {
                p.url = Some(article.url.clone());
            }
            p.note = note;
            p.html = Some(article.content_html.clone());
            p.related = article.related.clone();
            // The text is swapped in place: the scroll position stays where the reader is.
            p.requested_width = 0;
            request_render(state)
        }
        Action::PageRendered { page, width, lines } => {
            let Some(p) = state.pages.iter_mut().find(|p| p.id == page) else {
                return vec![];
            };
            if width != p.requested_width {
                return vec![]; // superseded by a newer layout request
            }
            if let Some(old) = &p.lines
                && p.rendered_width != width
                && !old.lines.is_empty()
            {
                // Re-wrapped: keep the same part of the text in view.
                p.scroll = p.scroll * lines.lines.len() / old.lines.len();
            } else if let Some(old) = &p.lines
                && p.rendered_width == width
            {
                // Images made room above the view: keep the same text in view.
                p.scroll = crate::tui::images::scroll_after_images(old, &lines, p.scroll);
            }
            p.rendered_width = width;
            p.scroll = p.scroll.min(lines.lines.len().saturating_sub(1));
            p.lines = Some(lines);
            p.link_cursor = p.link_cursor.min(p.link_count().saturating_sub(1));
            clamp_scroll(state);
            request_images(state)
        }
        Action::ImageLoaded { key, image } => image_loaded(state, key, image),
        Action::ReadSaved { ids, read } => {
            for id in &ids {
                if let Some(row) = state.list.row_by_id_mut(*id) {
                    row.read = read;
                }
            }
            vec![Effect::LoadFeeds]
        }
        Action::StarSaved { ids, starred } => {
            for id in &ids {
                if let Some(row) = state.list.row_by_id_mut(*id) {
                    row.starred = starred;
                }
            }
            vec![Effect::LoadFeeds]
        }
        Action::AllMarkedRead { ids } => {
            state.status.notice = Some(format!("marked {} read (u to undo)", ids.len()));
            state.undo = (!ids.is_empty()).then_some(ids);
            reload_keeping_selection(state)
        }
        Action::UndoSaved { ids } => {
            state.status.notice = Some(format!("{} marked unread again", ids.len()));
            state.undo = None;
            reload_keeping_selection(state)
        }
        Action::RefreshStarted { total } => {
            state.status.refresh = Some((0, total));
            vec![]
        }
        Action::RefreshProgress { feed_title, error } => {
            if let Some((done, _)) = &mut state.status.refresh {
                *done += 1;
            }
            if let Some(error) = error {
                state.status.last_error = Some(sanitize_line(&format!("{feed_title}: {error}")));
            }
            vec![]
        }
        Action::RefreshFinished { new_items, failed } => {
            state.refreshing = false;
            state.status.refresh = None;
            state.status.notice = Some(match failed {
                0 => format!("{new_items} new"),
                n => format!("{new_items} new, {n} feeds failed"),
            });
            schedule_refresh(state);
            reload_keeping_selection(state)
        }
        Action::SyncStatusLoaded {
            pending,
            last_error,
        } => {
            state.status.sync_pending = pending;
            state.status.sync_error = last_error.map(|e| sanitize_line(&e));
            vec![]
        }
        Action::SyncFinished {
            new_items,
            pushed,
            pending,
            error,
        } => {
            state.refreshing = false;
            state.status.syncing = false;
            state.status.sync_pending = pending;
            state.status.sync_error = error.map(|e| sanitize_line(&e));
            if state.status.sync_error.is_none() {
                state.status.notice = Some(match pushed {
                    0 => format!("synced: {new_items} new"),
                    n => format!("synced: {new_items} new, {n} changes sent"),
                });
            }
            schedule_refresh(state);
            reload_keeping_selection(state)
        }
        Action::Failed { doing, error } => {
            state.status.last_error = Some(sanitize_line(&format!("{doing}: {error}")));
            // "adding URL…" is over: the reason must not share the line with it (on a narrow
            // terminal the stale note pushed the reason out of sight).
            if doing == "adding a feed" {
                state.status.notice = None;
            }
            // No newer list is coming: Enter acts on the rows shown again.
            if doing == "loading headlines" {
                state.list.open_on_arrival = false;
                state.list.shown_query = Some(state.list.query.clone());
            }
            // A failed refresh must not block the next one.
            if doing.starts_with("refresh") {
                state.refreshing = false;
                state.status.refresh = None;
                schedule_refresh(state);
            }
            vec![]
        }
    }
}

/// The moving keys scroll the help overlay while it is shown; `None` for other actions.
fn scroll_help(state: &mut State, action: &Action) -> Option<Vec<Effect>> {
    let layout = geometry::help_layout(geometry::screen(state), &state.help);
    let page = layout.visible.saturating_sub(1).max(1) as isize;
    let delta = match action {
        Action::MoveDown | Action::ScrollDown => 1,
        Action::MoveUp | Action::ScrollUp => -1,
        Action::PageDown => page,
        Action::PageUp => -page,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    };
    state.help_scroll = state
        .help_scroll
        .saturating_add_signed(delta)
        .min(layout.max_scroll());
    Some(vec![])
}

fn is_user_intent(action: &Action) -> bool {
    !matches!(
        action,
        Action::Tick(_)
            | Action::FeedsLoaded { .. }
            | Action::ListLoaded(_)
            | Action::ItemLoaded { .. }
            | Action::ArticleReady { .. }
            | Action::PageRendered { .. }
            | Action::ReadSaved { .. }
            | Action::StarSaved { .. }
            | Action::AllMarkedRead { .. }
            | Action::UndoSaved { .. }
            | Action::RefreshStarted { .. }
            | Action::RefreshProgress { .. }
            | Action::RefreshFinished { .. }
            | Action::SyncStatusLoaded { .. }
            | Action::SyncFinished { .. }
            | Action::UnreadFound { .. }
            | Action::FeedsChanged { .. }
            | Action::Failed { .. }
            | Action::Resize { .. }
            | Action::ImageLoaded { .. }
            | Action::SmartFeedsLoaded { .. }
            | Action::SearchSaved { .. }
            | Action::SearchDeleted { .. }
    )
}

/// Only web links are ever handed to the browser (never `javascript:`, `data:`, `file:`).
use crate::url_safety::is_web_url;

/// Visible headline rows.
pub fn list_height(state: &State) -> usize {
    let areas = geometry::layout(geometry::screen(state), state);
    usize::from(geometry::inner(areas.headlines).height).max(1)
}

/// Visible reader lines.
fn reader_height(state: &State) -> usize {
    let areas = geometry::layout(geometry::screen(state), state);
    areas
        .reader
        .map(|r| usize::from(geometry::inner(r).height))
        .unwrap_or(1)
        .max(1)
}

/// The width reader pages are laid out at.
pub fn reader_width(state: &State) -> u16 {
    // Laid out as if the reader were shown: opening an article must not need a second layout.
    let areas = geometry::layout_for(geometry::screen(state), state.show_feeds, true);
    areas
        .reader
        .map(|r| geometry::inner(r).width.saturating_sub(1))
        .unwrap_or(20)
        .max(10)
}

/// The user is already on this item: it is open in the reader, or `n`/`N` brought them to it.
fn on_unread_item(state: &State, id: crate::model::ItemId) -> bool {
    state.unread_landed == Some(id) || state.pages.first().and_then(|p| p.item_id) == Some(id)
}

fn next_focus(state: &State) -> Focus {
    let order: Vec<Focus> = [
        state.show_feeds.then_some(Focus::Feeds),
        Some(Focus::Headlines),
        (!state.pages.is_empty()).then_some(Focus::Reader),
    ]
    .into_iter()
    .flatten()
    .collect();
    let i = order.iter().position(|f| *f == state.focus).unwrap_or(0);
    order[(i + 1) % order.len()]
}

fn move_by(state: &mut State, delta: isize) -> Vec<Effect> {
    if state.mode == Mode::Links {
        let cursor = state.page().map(|p| p.link_cursor).unwrap_or(0);
        return set_link_cursor(state, cursor.saturating_add_signed(delta));
    }
    match state.focus {
        Focus::Feeds => {
            let last = state.sidebar_len().saturating_sub(1);
            state.feed_cursor = state.feed_cursor.saturating_add_signed(delta).min(last);
            vec![]
        }
        Focus::Reader if state.page().is_some() => scroll_page(state, delta),
        _ => move_list(state, delta),
    }
}

fn set_link_cursor(state: &mut State, to: usize) -> Vec<Effect> {
    if let Some(page) = state.page_mut() {
        page.link_cursor = to.min(page.link_count().saturating_sub(1));
    }
    vec![]
}

fn move_list(state: &mut State, delta: isize) -> Vec<Effect> {
    let to = state.list.selected.saturating_add_signed(delta);
    select(state, to)
}

/// Put the selection at `position` (clamped), keep it visible, page rows in when needed.
fn select(state: &mut State, position: usize) -> Vec<Effect> {
    let total = state.list.total;
    state.list.selected = position.min(total.saturating_sub(1));
    let height = list_height(state);
    let list = &mut state.list;
    if list.selected < list.top {
        list.top = list.selected;
    } else if list.selected >= list.top + height {
        list.top = list.selected + 1 - height;
    }
    list.top = list.top.min(total.saturating_sub(height));
    ensure_window(state).into_iter().collect()
}

/// Ask for the next window when the viewport nears the edge of the loaded rows.
fn ensure_window(state: &mut State) -> Option<Effect> {
    let list = &state.list;
    if !list.loaded || list.total == 0 {
        return None;
    }
    let height = list_height(state);
    let start = list.top.saturating_sub(WINDOW_MARGIN);
    let end = (list.top + height + WINDOW_MARGIN).min(list.total);
    let loaded_end = list.offset + list.rows.len();
    let covered = list.offset <= start && end <= loaded_end;
    if covered {
        return None;
    }
    let offset = (list.top + height / 2).saturating_sub(WINDOW / 2);
    if let Some(requested) = list.requested_offset {
        // The window already asked for covers the viewport: wait for it.
        if requested <= start && end <= requested + WINDOW {
            return None;
        }
    }
    state.list.generation += 1;
    state.list.requested_offset = Some(offset);
    Some(Effect::LoadList(ListRequest {
        generation: state.list.generation,
        query: state.list.query.clone(),
        anchor: Anchor::None,
        around: offset + WINDOW / 2,
        limit: WINDOW,
    }))
}

/// A new list request (filter change, reload): supersedes every older one.
pub(crate) fn load_list(state: &mut State, anchor: Anchor) -> Effect {
    state.list.generation += 1;
    let around = match anchor {
        Anchor::Position(p) => p,
        _ => state.list.selected,
    };
    state.list.requested_offset = Some(around.saturating_sub(WINDOW / 2));
    Effect::LoadList(ListRequest {
        generation: state.list.generation,
        query: state.list.query.clone(),
        anchor,
        around,
        limit: WINDOW,
    })
}

fn reload_keeping_selection(state: &mut State) -> Vec<Effect> {
    let anchor = match state.list.selected_row() {
        Some(row) => Anchor::Item(row.id),
        None => Anchor::Position(state.list.selected),
    };
    vec![load_list(state, anchor), Effect::LoadFeeds]
}

fn list_loaded(state: &mut State, window: ListWindow) -> Vec<Effect> {
    let ListWindow {
        generation,
        total,
        offset,
        rows,
        selected,
    } = window;
    if generation != state.list.generation {
        return vec![]; // an older request: a newer one is on its way
    }
    let list = &mut state.list;
    list.loaded = true;
    list.shown_query = Some(list.query.clone());
    list.requested_offset = None;
    list.total = total;
    list.offset = offset;
    list.rows = rows;
    let position = selected.unwrap_or(list.selected);
    if selected.is_some() {
        // Keep the selected item on the same screen row when it moved (new items above it).
        let row_on_screen = list.selected.saturating_sub(list.top);
        list.top = position.saturating_sub(row_on_screen);
    }
    let mut effects = select(state, position);
    effects.extend(open_pending(state));
    if std::mem::take(&mut state.list.open_on_arrival) {
        effects.extend(open_item(state));
    }
    effects.extend(prefetch(state));
    effects
}

/// When a feed's list first arrives, hand its first unread articles to the prefetcher.
fn prefetch(state: &mut State) -> Option<Effect> {
    let ListSource::Feed(feed) = state.list.query.source else {
        state.prefetched_feed = None;
        return None;
    };
    if state.settings.prefetch == 0 || state.prefetched_feed == Some(feed) {
        return None;
    }
    state.prefetched_feed = Some(feed);
    let urls: Vec<String> = state
        .list
        .rows
        .iter()
        .filter(|row| !row.read)
        .filter_map(|row| row.url.clone())
        .take(state.settings.prefetch)
        .collect();
    (!urls.is_empty()).then_some(Effect::Prefetch { urls })
}

fn open_pending(state: &mut State) -> Vec<Effect> {
    match (state.pending_open, state.list.selected_row()) {
        (Some(id), Some(row)) if row.id == id => {
            state.pending_open = None;
            open_item(state)
        }
        _ => vec![],
    }
}

fn open(state: &mut State) -> Vec<Effect> {
    if state.mode == Mode::Links {
        state.mode = Mode::Normal;
        let Some(page) = state.page() else {
            return vec![];
        };
        let Some(link) = page.link_entry(page.link_cursor) else {
            return vec![];
        };
        if link.media {
            return play_url(state, link.url, &link.text);
        }
        return follow(state, link.url, link.text);
    }
    match state.focus {
        Focus::Feeds => {
            state.list.query.source = match state.sidebar_row() {
                Some(SidebarRow::List(source)) => source,
                Some(SidebarRow::Feed { index, .. }) => state
                    .feeds
                    .get(index)
                    .map_or(ListSource::All, |feed| ListSource::Feed(feed.id)),
                Some(SidebarRow::Folder { key, .. }) => {
                    return toggle_folder(state, key);
                }
                None => ListSource::All,
            };
            state.list.query.smart = match state.list.query.source {
                ListSource::Smart(i) => state.smart_feeds.get(i).map(|s| s.query.clone()),
                _ => None,
            };
            state.focus = Focus::Headlines;
            state.list.selected = 0;
            state.list.top = 0;
            vec![load_list(state, Anchor::Position(0))]
        }
        _ => open_item(state),
    }
}

/// Open the selected item in the reader: shown at once from the list row, the stored item
/// and then the extracted article arrive as messages.
fn open_item(state: &mut State) -> Vec<Effect> {
    // Enter typed right after a search: the rows on screen are the old query's; open what the
    // user searched for when it arrives, not the old selection.
    if state.list.shown_query.as_ref() != Some(&state.list.query) {
        state.list.open_on_arrival = true;
        return vec![];
    }
    let Some(row) = state.list.selected_row().cloned() else {
        return vec![];
    };
    let id = state.next_page_id;
    state.next_page_id += 1;
    state.pages = vec![ReaderPage {
        id,
        item_id: Some(row.id),
        url: row.url.clone(),
        title: row.title.clone(),
        feed_title: Some(feed_and_copies(&row)),
        published: Some(row.published),
        item_loading: true,
        ..ReaderPage::default()
    }];
    state.focus = Focus::Reader;
    if state.mode == Mode::Links {
        state.mode = Mode::Normal;
    }
    let mut effects = vec![Effect::LoadItem {
        page: id,
        id: row.id,
    }];
    if state.settings.mark_read_on_open && !row.read {
        effects.push(Effect::SetRead {
            ids: vec![row.id],
            read: true,
        });
    }
    effects.extend(request_render(state));
    effects
}

/// Load a linked article as a new page on the reader's stack.
fn follow(state: &mut State, url: String, title: String) -> Vec<Effect> {
    if !is_web_url(&url) {
        state.status.last_error = Some(format!(
            "not following a non-web link: {}",
            sanitize_line(&url)
        ));
        return vec![];
    }
    let id = state.next_page_id;
    state.next_page_id += 1;
    state.mode = Mode::Normal;
    state.pages.push(ReaderPage {
        id,
        url: Some(url.clone()),
        title: if title.trim().is_empty() {
            url.clone()
        } else {
            title
        },
        article_loading: true,
        ..ReaderPage::default()
    });
    state.focus = Focus::Reader;
    let mut effects = vec![Effect::LoadArticle {
        page: id,
        url,
        fallback: None,
    }];
    effects.extend(request_render(state));
    effects
}

fn back(state: &mut State) -> Vec<Effect> {
    if state.mode == Mode::Links {
        state.mode = Mode::Normal;
        return vec![];
    }
    match state.pages.len() {
        0 => vec![],
        1 => {
            close_reader(state);
            vec![]
        }
        _ => {
            state.pages.pop();
            // Its last layout may have been superseded while the other page was shown.
            if let Some(page) = state.page_mut() {
                page.requested_width = 0;
            }
            request_render(state)
        }
    }
}

fn close_reader(state: &mut State) {
    state.pages.clear();
    state.mode = Mode::Normal;
    if state.focus == Focus::Reader {
        state.focus = Focus::Headlines;
    }
    // The headline pane grows back: keep the selection in view.
    let _ = select(state, state.list.selected);
}

fn clear(state: &mut State) -> Vec<Effect> {
    match state.mode {
        Mode::Prompt => {
            state.prompt = None;
            state.mode = Mode::Normal;
            vec![]
        }
        Mode::Help | Mode::Links => {
            state.mode = Mode::Normal;
            vec![]
        }
        // With an article open, Esc closes it, like `q`; the next Esc clears the search.
        Mode::Normal if !state.pages.is_empty() => {
            close_reader(state);
            vec![]
        }
        Mode::Search | Mode::Normal => {
            state.mode = Mode::Normal;
            state.search_input.clear();
            state.status.last_error = None;
            if state.list.query.search.is_some() {
                state.list.query.search = None;
                reload_keeping_selection(state)
            } else {
                vec![]
            }
        }
    }
}

/// The status line's prefix for a query that does not parse.
const QUERY_ERROR: &str = "query: ";

fn apply_search(state: &mut State) -> Vec<Effect> {
    // The list follows the typing while the query parses; else it stays and the status line
    // says what is wrong and where.
    let parsed = match crate::query::Query::parse(&state.search_input) {
        Ok(parsed) => parsed,
        Err(e) => {
            state.status.last_error = Some(format!("{QUERY_ERROR}{e}"));
            return vec![];
        }
    };
    if state
        .status
        .last_error
        .as_deref()
        .is_some_and(|e| e.starts_with(QUERY_ERROR))
    {
        state.status.last_error = None;
    }
    let search = Some(state.search_input.clone()).filter(|s| !s.trim().is_empty());
    // A space typed, or a word's case changed in a field name: the same query, no reload.
    let shown = state
        .list
        .query
        .search
        .as_deref()
        .and_then(|s| crate::query::Query::parse(s).ok())
        .unwrap_or_default();
    if parsed.without_positions() == shown.without_positions() {
        return vec![];
    }
    state.list.query.search = search;
    state.list.selected = 0;
    state.list.top = 0;
    vec![load_list(state, Anchor::Position(0))]
}

/// Save the search being typed (or the one applied) as a smart feed named by its query.
fn save_search(state: &mut State) -> Vec<Effect> {
    let text = if state.mode == Mode::Search {
        state.search_input.trim().to_string()
    } else {
        state.list.query.search.clone().unwrap_or_default()
    };
    if text.trim().is_empty() {
        return notice(state, "type a search first (/), then save it");
    }
    match crate::query::Query::parse(&text) {
        Err(e) => {
            state.status.last_error = Some(format!("{QUERY_ERROR}{e}"));
            vec![]
        }
        Ok(query) => {
            let canonical = query.to_string();
            vec![Effect::SaveSearch {
                name: canonical.clone(),
                query: canonical,
            }]
        }
    }
}

/// The URL `o` and `y` act on: the selected link in the link list, else the open page's,
/// else the selected headline's.
fn target_url(state: &State) -> Option<String> {
    if state.mode == Mode::Links
        && let Some(page) = state.page()
        && let Some(link) = page.link_entry(page.link_cursor)
    {
        return Some(link.url);
    }
    if (state.focus == Focus::Reader || state.list.selected_row().is_none())
        && let Some(url) = state.page().and_then(|p| p.url.clone())
    {
        return Some(url);
    }
    state
        .list
        .selected_row()
        .and_then(|r| r.url.clone())
        .or_else(|| state.page().and_then(|p| p.url.clone()))
}

/// `p`: in the link list, the selected entry (a media file, or any link: a video page, say);
/// else the open item's first media file. To the player (the worker falls back on the
/// browser when none is configured).
fn play_media(state: &mut State) -> Vec<Effect> {
    if state.mode == Mode::Links
        && let Some(page) = state.page()
        && let Some(link) = page.link_entry(page.link_cursor)
    {
        return play_url(state, link.url, &link.text);
    }
    let Some(enclosure) = state.page().and_then(|p| p.enclosures.first()).cloned() else {
        return notice(state, "no podcast or video in this item");
    };
    let what = crate::media::describe(&enclosure);
    play_url(state, enclosure.url, &what)
}

/// Hand one web URL to the player; `what` names it in the status line.
fn play_url(state: &mut State, url: String, what: &str) -> Vec<Effect> {
    if !is_web_url(&url) {
        state.status.last_error = Some(format!(
            "not playing a non-web link: {}",
            sanitize_line(&url)
        ));
        return vec![];
    }
    state.status.notice = Some(format!("playing {}", sanitize_line(what)));
    vec![Effect::PlayMedia(url)]
}

/// Keep the reader's scroll within its text: the last line at the bottom at most.
fn clamp_scroll(state: &mut State) {
    let _ = scroll_page(state, 0);
}

fn scroll_page(state: &mut State, delta: isize) -> Vec<Effect> {
    let height = reader_height(state);
    let Some(page) = state.page_mut() else {
        return vec![];
    };
    let len = page.lines.as_ref().map(|l| l.lines.len()).unwrap_or(0);
    let max = len.saturating_sub(height);
    page.scroll = page.scroll.saturating_add_signed(delta).min(max);
    vec![]
}

/// Ask the worker to lay out the open page at the reader's width, unless it already was.
fn request_render(state: &mut State) -> Vec<Effect> {
    let width = reader_width(state);
    let image_slots = image_slots(state, width);
    let Some(page) = state.page_mut() else {
        return vec![];
    };
    if page.requested_width == width {
        return vec![];
    }
    page.requested_width = width;
    let meta = meta_line(page);
    let images = image_slots.filter(|_| page.html.is_some());
    vec![Effect::RenderPage {
        page: page.id,
        width,
        doc: Box::new(ReaderDoc {
            title: page.title.clone(),
            meta,
            html: page.html.clone().unwrap_or_default(),
            related: page.related.clone(),
            note: page.note.clone(),
            enclosures: page.enclosures.clone(),
            images,
        }),
    }]
}

/// The rows each ready image takes at this width (`None` when images are off).
fn image_slots(state: &State, width: u16) -> Option<ImageSlots> {
    if !state.settings.images {
        return None;
    }
    let max_rows = crate::tui::images::max_rows_for(reader_height(state));
    let rows = state
        .images
        .iter()
        .filter(|(key, _)| key.width == width && key.max_rows == max_rows)
        .filter_map(|(key, status)| match status {
            ImageStatus::Ready(image) => Some((key.url.clone(), image.0.rows)),
            _ => None,
        })
        .collect();
    Some(ImageSlots { max_rows, rows })
}

/// Ask for the open page's images not asked for yet; forget those no open page shows.
fn request_images(state: &mut State) -> Vec<Effect> {
    if !state.settings.images {
        return vec![];
    }
    let shown: std::collections::HashSet<&ImageKey> = state
        .pages
        .iter()
        .filter_map(|p| p.lines.as_ref())
        .flat_map(|l| &l.images)
        .map(|placement| &placement.key)
        .collect();
    let wanted: Vec<ImageKey> = state
        .page()
        .and_then(|p| p.lines.as_ref())
        .map(|l| l.images.iter().map(|p| p.key.clone()).collect())
        .unwrap_or_default();
    let images = std::mem::take(&mut state.images);
    state.images = images
        .into_iter()
        .filter(|(key, _)| shown.contains(key))
        .collect();
    let mut effects = Vec::new();
    for key in wanted {
        if !state.images.contains_key(&key) {
            state.images.insert(key.clone(), ImageStatus::Loading);
            effects.push(Effect::LoadImage(key));
        }
    }
    effects
}

/// An image arrived (or was refused): lay the open page out again when it shows it.
fn image_loaded(
    state: &mut State,
    key: ImageKey,
    image: Result<SharedImage, String>,
) -> Vec<Effect> {
    let Some(status) = state.images.get_mut(&key) else {
        return vec![]; // no open page shows it any more
    };
    let ready = image.is_ok();
    *status = match image {
        Ok(image) => ImageStatus::Ready(image),
        Err(reason) => {
            tracing::debug!(url = %key.url, %reason, "image not shown");
            ImageStatus::Refused(reason)
        }
    };
    let on_open_page = state
        .page()
        .and_then(|p| p.lines.as_ref())
        .is_some_and(|l| l.images.iter().any(|p| p.key == key));
    if !(ready && on_open_page) {
        return vec![];
    }
    if let Some(page) = state.page_mut() {
        page.requested_width = 0;
    }
    request_render(state)
}

/// Open or close a folder of the sidebar (the cursor stays on it).
fn toggle_folder(state: &mut State, key: String) -> Vec<Effect> {
    if !state.sidebar.collapsed.remove(&key) {
        state.sidebar.collapsed.insert(key);
    }
    vec![]
}

/// Hide feeds with nothing unread from the sidebar, or list them again.
fn toggle_read_feeds(state: &mut State) -> Vec<Effect> {
    state.sidebar.hide_read = !state.sidebar.hide_read;
    state.feed_cursor = state.feed_cursor.min(state.sidebar_len().saturating_sub(1));
    state.status.notice = Some(if state.sidebar.hide_read {
        "feeds with nothing unread hidden".into()
    } else {
        "every feed listed".into()
    });
    vec![]
}

/// Sort the sidebar's feeds by name, or by unread count.
fn toggle_feed_sort(state: &mut State) -> Vec<Effect> {
    use crate::config::FeedSort;
    state.sidebar.sort = match state.sidebar.sort {
        FeedSort::Name => FeedSort::Unread,
        FeedSort::Unread => FeedSort::Name,
    };
    state.status.notice = Some(match state.sidebar.sort {
        FeedSort::Name => "feeds sorted by name".into(),
        FeedSort::Unread => "feeds sorted by unread count".into(),
    });
    vec![]
}

/// The item's feed, and the other feeds that carry the same story: "Octet (also in: Ars)".
fn feed_and_copies(row: &crate::model::ItemSummary) -> String {
    if row.also_in.is_empty() {
        row.feed_title.clone()
    } else {
        format!("{} (also in: {})", row.feed_title, row.also_in.join(", "))
    }
}

/// `feed · author · date · link` (the date is absolute: no clock needed).
fn meta_line(page: &ReaderPage) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(feed) = &page.feed_title {
        parts.push(feed.clone());
    }
    if let Some(author) = page.author.as_deref().map(without_dates)
        && !author.is_empty()
    {
        parts.push(author);
    }
    if let Some(date) = page.published {
        parts.push(date.format("%Y-%m-%d %H:%M").to_string());
    }
    if let Some(url) = &page.url {
        parts.push(url.clone());
    }
    sanitize_line(&parts.join(" · "))
}

/// A byline without the dates some pages put in it ("Ann · 2026-11-22"): the meta line shows
/// the date once, in its own place.
fn without_dates(byline: &str) -> String {
    let looks_like_a_date = |part: &str| {
        let digits = part.chars().filter(char::is_ascii_digit).count();
        digits >= 6
            && part
                .chars()
                .all(|c| c.is_ascii_digit() || "-/.:+ TZ".contains(c))
    };
    byline
        .split(['·', '|'])
        .map(str::trim)
        .filter(|part| !part.is_empty() && !looks_like_a_date(part))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn click(state: &mut State, column: u16, row: u16) -> Vec<Effect> {
    let areas = geometry::layout(geometry::screen(state), state);
    let at = Position::new(column, row);
    if let Some(feeds) = areas.feeds
        && feeds.contains(at)
    {
        state.focus = Focus::Feeds;
        let inner = geometry::inner(feeds);
        if row >= inner.y && row < inner.y + inner.height {
            // The sidebar scrolls to keep its cursor visible (as `view::feeds` draws it).
            let top = state
                .feed_cursor
                .saturating_sub(usize::from(inner.height).saturating_sub(1));
            let index = top + usize::from(row - inner.y);
            if index < state.sidebar_len() {
                state.feed_cursor = index;
            }
        }
        return vec![];
    }
    if areas.headlines.contains(at) {
        state.focus = Focus::Headlines;
        let inner = geometry::inner(areas.headlines);
        if row >= inner.y && row < inner.y + inner.height {
            let position = state.list.top + usize::from(row - inner.y);
            if position < state.list.total {
                return select(state, position);
            }
        }
        return vec![];
    }
    if areas.reader.is_some_and(|r| r.contains(at)) && !state.pages.is_empty() {
        state.focus = Focus::Reader;
    }
    vec![]
}

fn tick(state: &mut State, now: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
    let minute_changed = now.timestamp() / 60 != state.now.timestamp() / 60;
    state.now = now;
    state.spinner = state.spinner.wrapping_add(1);
    let busy = state.refreshing
        || state
            .pages
            .iter()
            .any(|p| p.article_loading || p.item_loading);
    if busy || minute_changed {
        state.dirty = true;
    }
    match state.next_refresh {
        Some(due) if now >= due && !state.refreshing => {
            start_refresh(state, None, RefreshTrigger::Scheduled)
        }
        _ => vec![],
    }
}

fn start_refresh(
    state: &mut State,
    feed: Option<crate::model::FeedId>,
    trigger: RefreshTrigger,
) -> Vec<Effect> {
    if state.refreshing {
        return notice(
            state,
            if state.status.syncing {
                "a sync is already running"
            } else {
                "a refresh is already running"
            },
        );
    }
    state.refreshing = true;
    state.next_refresh = None;
    // With [sync] the server polls the feeds: every refresh (one feed too) is a sync.
    if state.settings.sync {
        state.status.syncing = true;
        return vec![Effect::Sync];
    }
    vec![Effect::Refresh { feed, trigger }]
}

fn schedule_refresh(state: &mut State) {
    // The timer runs as often as the feed that wants it most (its own refresh_minutes); each
    // feed is fetched only once its own interval has passed.
    let own = state
        .feeds
        .iter()
        .filter_map(|f| f.settings.refresh_minutes)
        .filter(|m| *m > 0)
        .map(u64::from)
        .min();
    let minutes = match (state.settings.refresh_minutes, own) {
        (0, Some(m)) => m,
        (global, Some(m)) => global.min(m),
        (global, None) => global,
    };
    state.next_refresh = match minutes {
        0 => None,
        m => {
            Some(state.now + chrono::Duration::minutes(i64::try_from(m).unwrap_or(i64::MAX / 120)))
        }
    };
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
