//! `update` unit tests: state + action → state + effects.

use super::*;
use crate::article::Article;
use crate::model::{ItemId, RelatedLink};
use crate::tui::fixtures::{self, answer_list, loaded, rows};
use crate::tui::state::ReaderLayout;

/// The error the status line shows (there must be one).
fn status_error(state: &State) -> &str {
    let error = state.status.last_error.as_deref();
    error.expect("an error in the status line")
}

/// The notice the status line shows (there must be one).
fn status_notice(state: &State) -> &str {
    let notice = state.status.notice.as_deref();
    notice.expect("a notice in the status line")
}

/// What the sidebar row at `index` lists (a folder row: nothing of its own, `None`).
fn sidebar_source(state: &State, index: usize) -> Option<ListSource> {
    use crate::tui::sidebar::{SidebarRow, rows};
    match rows(state).into_iter().nth(index)? {
        SidebarRow::List(source) => Some(source),
        SidebarRow::Feed { index, .. } => {
            state.feeds.get(index).map(|feed| ListSource::Feed(feed.id))
        }
        SidebarRow::Folder { .. } => None,
    }
}

/// The item the effects load into the reader, if they load one.
fn item_loaded(effects: &[Effect]) -> Option<ItemId> {
    effects.iter().find_map(|e| match e {
        Effect::LoadItem { id, .. } => Some(*id),
        _ => None,
    })
}

/// The layout the effects ask for (there must be one): its width and document.
fn render_request(effects: &[Effect]) -> (u16, &crate::tui::effect::ReaderDoc) {
    let found = effects.iter().find_map(|e| match e {
        Effect::RenderPage { width, doc, .. } => Some((*width, &**doc)),
        _ => None,
    });
    found.unwrap_or_else(|| panic!("no layout asked for in {effects:?}"))
}

/// The terminal resized to `width` × `height`.
fn resize(state: &mut State, width: u16, height: u16) -> Vec<Effect> {
    update(state, Action::Resize { width, height })
}

fn list_load(effects: &[Effect]) -> Option<(u64, Anchor, usize)> {
    effects.iter().find_map(|e| match e {
        Effect::LoadList(r) => Some((r.generation, r.anchor.clone(), r.around)),
        _ => None,
    })
}

#[test]
fn start_up_loads_feeds_and_the_newest_items_and_selects_the_newest() {
    let mut state = fixtures::empty_state((80, 24));
    let effects = init(&mut state);
    assert!(effects.contains(&Effect::LoadFeeds));
    let (_, anchor, around) = list_load(&effects).unwrap();
    assert_eq!((anchor, around), (Anchor::Position(0), 0));
    let state = loaded((80, 24), 10);
    assert_eq!(state.list.selected, 0);
    assert_eq!(state.list.selected_row().unwrap().id, fixtures::row(0).id);
}

#[test]
fn refresh_on_start_is_asked_for_when_configured() {
    let mut state = fixtures::empty_state((80, 24));
    state.settings.refresh_on_start = true;
    assert!(init(&mut state).contains(&Effect::Refresh {
        feed: None,
        trigger: RefreshTrigger::Automatic
    }));
    assert!(state.refreshing);
}

#[test]
fn moving_clamps_to_the_list() {
    let mut state = loaded((80, 24), 3);
    update(&mut state, Action::MoveUp);
    assert_eq!(state.list.selected, 0);
    for _ in 0..5 {
        update(&mut state, Action::MoveDown);
    }
    assert_eq!(state.list.selected, 2);
    update(&mut state, Action::Top);
    assert_eq!(state.list.selected, 0);
}

#[test]
fn the_window_is_paged_in_near_its_edge_and_stale_answers_are_dropped() {
    let mut state = loaded((80, 24), 100_000);
    assert_eq!(state.list.rows.len(), WINDOW);
    // Moving inside the window asks nothing.
    assert!(update(&mut state, Action::MoveDown).is_empty());
    // Jumping to the bottom needs the last window.
    let effects = update(&mut state, Action::Bottom);
    assert_eq!(state.list.selected, 99_999);
    let (generation, anchor, around) = list_load(&effects).expect("a window load");
    assert_eq!(anchor, Anchor::None);
    assert!(around > 99_000);
    // An older answer (the first generation) must not replace the newer request's rows.
    update(
        &mut state,
        Action::ListLoaded(ListWindow {
            generation: generation - 1,
            total: 100_000,
            offset: 0,
            rows: rows(0, 10),
            selected: None,
        }),
    );
    assert_eq!(state.list.rows.len(), WINDOW);
    let offset = around - WINDOW / 2;
    update(
        &mut state,
        Action::ListLoaded(ListWindow {
            generation,
            total: 100_000,
            offset,
            rows: rows(offset, 100_000 - offset),
            selected: None,
        }),
    );
    assert_eq!(
        state.list.selected_row().unwrap().id,
        fixtures::row(99_999).id
    );
    // Holding the key while a window is on its way does not ask twice.
    let mut state = loaded((80, 24), 100_000);
    let mut asked = 0;
    for _ in 0..250 {
        asked += update(&mut state, Action::MoveDown)
            .iter()
            .filter(|e| matches!(e, Effect::LoadList(_)))
            .count();
    }
    assert_eq!(asked, 1);
}

#[test]
fn new_items_above_keep_the_selection_on_the_same_item() {
    let mut state = loaded((80, 24), 50);
    update(&mut state, Action::MoveDown);
    update(&mut state, Action::MoveDown);
    let selected = state.list.selected_row().unwrap().id;
    update(&mut state, Action::RefreshAll);
    let effects = update(
        &mut state,
        Action::RefreshFinished {
            new_items: 5,
            failed: 0,
        },
    );
    let (generation, anchor, _) = list_load(&effects).unwrap();
    assert_eq!(anchor, Anchor::Item(selected));
    assert!(effects.contains(&Effect::LoadFeeds));
    // Five new items on top: the worker found the item at position 7.
    let mut new_rows = rows(0, 55);
    new_rows.rotate_right(5);
    answer_list(&mut state, generation, new_rows, Some(7));
    assert_eq!(state.list.selected_row().unwrap().id, selected);
    assert!(!state.refreshing);
}

#[test]
fn opening_shows_the_item_at_once_and_marks_it_read_through_the_worker() {
    let mut state = loaded((140, 40), 10);
    let row = state.list.selected_row().unwrap().clone();
    assert!(!row.read);
    let effects = update(&mut state, Action::Open);
    let page = state.page().unwrap().clone();
    assert_eq!(page.title, row.title);
    assert!(effects.contains(&Effect::LoadItem {
        page: page.id,
        id: row.id
    }));
    assert!(effects.contains(&Effect::SetRead {
        ids: vec![row.id],
        read: true
    }));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::RenderPage { .. }))
    );
    // Not shown read until the store confirms.
    assert!(!state.list.selected_row().unwrap().read);
    update(
        &mut state,
        Action::ReadSaved {
            ids: vec![row.id],
            read: true,
        },
    );
    assert!(state.list.selected_row().unwrap().read);
}

#[test]
fn mark_read_on_open_can_be_turned_off() {
    let mut state = loaded((140, 40), 10);
    state.settings.mark_read_on_open = false;
    let effects = update(&mut state, Action::Open);
    assert!(!effects.iter().any(|e| matches!(e, Effect::SetRead { .. })));
}

fn item_for(row: &crate::model::ItemSummary) -> crate::model::Item {
    fixtures::item(row.clone(), "<p>feed text</p>")
}

fn article(url: &str) -> Article {
    let next = RelatedLink {
        label: "À lire".into(),
        title: "Next".into(),
        url: "https://example.org/next".into(),
    };
    let html = "<p>the whole article</p>";
    fixtures::article(url, "Extracted title", html, vec![next])
}

/// The worker's answer to a layout of `page` at `width`: `lines` lines.
fn laid_out(state: &mut State, page: u64, width: u16, lines: usize) -> Vec<Effect> {
    update(
        state,
        Action::PageRendered {
            page,
            width,
            lines: rendered(lines),
        },
    )
}

/// The worker's answer to an article load for `page`: [`article`] at `url`.
fn article_ready(state: &mut State, page: u64, url: &str) -> Vec<Effect> {
    update(
        state,
        Action::ArticleReady {
            page,
            article: Box::new(article(url)),
            note: None,
        },
    )
}

fn rendered(lines: usize) -> ReaderLayout {
    ReaderLayout {
        lines: (0..lines)
            .map(|i| crate::tui::state::ReaderLine {
                kind: crate::tui::state::LineKind::Body,
                spans: vec![crate::article::render::StyledSpan {
                    text: format!("line {i}"),
                    style: Default::default(),
                }],
            })
            .collect(),
        links: vec![crate::model::Link {
            n: 1,
            text: "a link".into(),
            url: "https://example.org/l".into(),
        }],
        images: vec![],
    }
}

#[test]
fn the_extracted_article_replaces_the_feed_text_keeping_the_scroll() {
    let mut state = loaded((140, 40), 10);
    let (row, page) = fixtures::open_selected(&mut state);
    let effects = update(
        &mut state,
        Action::ItemLoaded {
            page,
            item: Box::new(item_for(&row)),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadArticle { url, .. } if Some(url) == row.url.as_ref()))
    );
    let (width, doc) = render_request(&effects);
    assert_eq!(doc.html, "<p>feed text</p>");
    assert!(doc.meta.contains("Ann"));
    laid_out(&mut state, page, width, 200);
    update(&mut state, Action::PageDown);
    let scroll = state.page().unwrap().scroll;
    assert!(scroll > 0);
    assert!(state.page().unwrap().article_loading);
    let effects = article_ready(&mut state, page, "https://example.org/a");
    let Some(Effect::RenderPage { doc, width, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(doc.html, "<p>the whole article</p>");
    assert_eq!(doc.title, "Extracted title");
    let width = *width;
    laid_out(&mut state, page, width, 300);
    let page_now = state.page().unwrap();
    assert!(!page_now.article_loading && page_now.extracted);
    assert_eq!(page_now.scroll, scroll);
}

#[test]
fn answers_for_a_closed_page_are_ignored() {
    let mut state = loaded((140, 40), 10);
    let (_, page) = fixtures::open_selected(&mut state);
    update(&mut state, Action::Quit);
    assert!(state.pages.is_empty());
    assert!(article_ready(&mut state, page, "https://x.org/").is_empty());
    assert!(!state.quit);
    update(&mut state, Action::Quit);
    assert!(state.quit);
}

#[test]
fn a_resize_rewraps_keeping_the_position() {
    let mut state = loaded((140, 40), 10);
    let page = open_with_lines(&mut state, 100);
    for _ in 0..50 {
        update(&mut state, Action::ScrollDown);
    }
    assert_eq!(state.page().unwrap().scroll, 50);
    let effects = resize(&mut state, 100, 40);
    laid_out(&mut state, page, render_request(&effects).0, 200);
    assert_eq!(state.page().unwrap().scroll, 100);
}

#[test]
fn related_links_are_followed_inside_the_reader_and_backspace_returns() {
    let mut state = loaded((140, 40), 10);
    let (_, page) = fixtures::open_selected(&mut state);
    article_ready(&mut state, page, "https://example.org/a");
    let effects = update(&mut state, Action::FollowRelated(1));
    assert_eq!(state.pages.len(), 2);
    let next = state.page().unwrap().id;
    assert!(effects.contains(&Effect::LoadArticle {
        page: next,
        url: "https://example.org/next".into(),
        fallback: None
    }));
    update(&mut state, Action::FollowRelated(7));
    assert_eq!(state.pages.len(), 2);
    assert_eq!(state.status.notice.as_deref(), Some("no related link 7"));
    update(&mut state, Action::Back);
    assert_eq!(state.page().unwrap().id, page);
}

#[test]
fn the_link_list_follows_the_chosen_link() {
    let mut state = loaded((140, 40), 10);
    open_with_lines(&mut state, 10);
    update(&mut state, Action::ListLinks);
    assert_eq!(state.mode, Mode::Links);
    let effects = update(&mut state, Action::Open);
    assert_eq!(state.mode, Mode::Normal);
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::LoadArticle { url, .. } if url == "https://example.org/l")
        )
    );
}

#[test]
fn only_web_urls_are_opened() {
    let mut state = loaded((80, 24), 3);
    state.list.rows[0].url = Some("javascript:alert(1)".into());
    assert!(update(&mut state, Action::OpenInBrowser).is_empty());
    assert!(status_error(&state).contains("non-web"));
    state.list.rows[0].url = Some("https://example.org/x".into());
    assert_eq!(
        update(&mut state, Action::OpenInBrowser),
        vec![Effect::OpenUrl("https://example.org/x".into())]
    );
    assert_eq!(
        update(&mut state, Action::CopyUrl),
        vec![Effect::CopyToClipboard("https://example.org/x".into())]
    );
}

#[test]
fn toggles_go_through_the_worker() {
    let mut state = loaded((80, 24), 3);
    let id = state.list.selected_row().unwrap().id;
    assert_eq!(
        update(&mut state, Action::ToggleRead),
        vec![Effect::SetRead {
            ids: vec![id],
            read: true
        }]
    );
    assert_eq!(
        update(&mut state, Action::ToggleStar),
        vec![Effect::SetStarred {
            ids: vec![id],
            starred: true
        }]
    );
    update(
        &mut state,
        Action::StarSaved {
            ids: vec![id],
            starred: true,
        },
    );
    assert!(state.list.selected_row().unwrap().starred);
}

#[test]
fn mark_all_read_can_be_undone() {
    let mut state = loaded((80, 24), 3);
    assert_eq!(update(&mut state, Action::Undo), vec![]);
    assert_eq!(
        update(&mut state, Action::MarkAllRead),
        vec![Effect::MarkAllRead {
            query: state.list.query.clone()
        }]
    );
    let ids = vec![ItemId(1), ItemId(2)];
    let effects = update(&mut state, Action::AllMarkedRead { ids: ids.clone() });
    assert!(list_load(&effects).is_some());
    assert_eq!(
        update(&mut state, Action::Undo),
        vec![Effect::UndoMarkAllRead { ids: ids.clone() }]
    );
    update(&mut state, Action::UndoSaved { ids });
    assert_eq!(state.undo, None);
}

#[test]
fn search_filters_live_and_escape_clears() {
    let mut state = loaded((80, 24), 30);
    update(&mut state, Action::Search);
    assert_eq!(state.mode, Mode::Search);
    update(&mut state, Action::SearchInput('t'));
    let effects = update(&mut state, Action::SearchInput('é'));
    assert_eq!(state.list.query.search.as_deref(), Some("té"));
    assert_eq!(list_load(&effects).unwrap().1, Anchor::Position(0));
    update(&mut state, Action::SearchSubmit);
    assert_eq!(state.mode, Mode::Normal);
    let effects = update(&mut state, Action::Clear);
    assert_eq!(state.list.query.search, None);
    assert!(list_load(&effects).is_some());
}

/// `n` or `N` (`key`): the search it asks for (forward for `n`), answered with row `found`.
fn find_unread(state: &mut State, key: Action, found: Option<usize>) -> Vec<Effect> {
    let forward_key = key == Action::NextUnread;
    let effects = update(state, key);
    let Some(Effect::FindUnread {
        generation,
        forward,
        ..
    }) = effects.first()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*forward, forward_key, "{effects:?}");
    let answer = Action::UnreadFound {
        generation: *generation,
        found: found.map(|i| (i, fixtures::row(i).id)),
        switched_to_all: false,
    };
    update(state, answer)
}

#[test]
fn next_unread_jumps_and_opens_when_reading() {
    let mut state = loaded((80, 24), 30);
    // Row 1 is read: `n` looks further down.
    update(&mut state, Action::MoveDown);
    find_unread(&mut state, Action::NextUnread, Some(5));
    assert_eq!(state.list.selected, 5);
    // While reading, the unread item found is opened.
    update(&mut state, Action::Open);
    let effects = find_unread(&mut state, Action::NextUnread, Some(6));
    assert_eq!(
        item_loaded(&effects),
        Some(fixtures::row(6).id),
        "{effects:?}"
    );
}

#[test]
fn feeds_sidebar_selects_the_list() {
    let mut state = loaded((80, 24), 30);
    update(&mut state, Action::ToggleFeeds);
    assert_eq!(state.focus, Focus::Feeds);
    for _ in 0..3 {
        update(&mut state, Action::MoveDown);
    }
    let effects = update(&mut state, Action::Open);
    assert_eq!(
        state.list.query.source,
        ListSource::Feed(crate::model::FeedId(1))
    );
    assert_eq!(list_load(&effects).unwrap().1, Anchor::Position(0));
    assert_eq!(state.focus, Focus::Headlines);
}

#[test]
fn refresh_progress_and_errors_reach_the_status_line_sanitised() {
    let mut state = loaded((80, 24), 3);
    update(&mut state, Action::RefreshAll);
    assert!(
        update(&mut state, Action::RefreshAll).is_empty(),
        "no second refresh while one runs"
    );
    update(&mut state, Action::RefreshStarted { total: 40 });
    update(
        &mut state,
        Action::RefreshProgress {
            feed_title: "A".into(),
            error: None,
        },
    );
    update(
        &mut state,
        Action::RefreshProgress {
            feed_title: "B".into(),
            error: Some("bad\x1b[31m thing".into()),
        },
    );
    assert_eq!(state.status.refresh, Some((2, 40)));
    let error = state.status.last_error.clone().unwrap();
    assert!(!error.contains('\x1b'), "{error:?}");
}

#[test]
fn the_timer_refreshes_every_refresh_minutes() {
    let mut state = loaded((80, 24), 3);
    let due = state.next_refresh.unwrap();
    assert!(update(&mut state, Action::Tick(due - chrono::Duration::seconds(1))).is_empty());
    assert_eq!(
        update(&mut state, Action::Tick(due)),
        vec![Effect::Refresh {
            feed: None,
            trigger: RefreshTrigger::Scheduled
        }]
    );
}

#[test]
fn clicks_select_rows_and_the_wheel_scrolls() {
    let mut state = loaded((80, 24), 30);
    // Row 0 is the border; row 4 is the fourth headline.
    update(&mut state, Action::Click { column: 10, row: 4 });
    assert_eq!(state.list.selected, 3);
    update(
        &mut state,
        Action::Wheel {
            column: 10,
            row: 4,
            down: true,
        },
    );
    assert_eq!(state.list.selected, 6);
}

#[test]
fn opening_a_feed_prefetches_its_unread_articles_once() {
    let mut state = loaded((80, 24), 30);
    state.settings.prefetch = 3;
    update(&mut state, Action::ToggleFeeds);
    for _ in 0..3 {
        update(&mut state, Action::MoveDown);
    }
    let effects = update(&mut state, Action::Open);
    let (generation, _, _) = list_load(&effects).unwrap();
    let mut window = rows(0, 10);
    window[0].read = true;
    let arrived = |state: &mut State, window| answer_list(state, generation, window, Some(0));
    let effects = arrived(&mut state, window.clone());
    let urls = effects
        .iter()
        .find_map(|e| match e {
            Effect::Prefetch { urls } => Some(urls.clone()),
            _ => None,
        })
        .expect("a prefetch");
    let expected: Vec<String> = window
        .iter()
        .filter(|r| !r.read)
        .filter_map(|r| r.url.clone())
        .take(3)
        .collect();
    assert!(!expected.contains(&window[0].url.clone().unwrap()));
    assert_eq!(urls, expected, "the first three unread, in list order");
    let again = arrived(&mut state, window);
    assert!(
        !again.iter().any(|e| matches!(e, Effect::Prefetch { .. })),
        "not twice for the same feed"
    );
}

#[test]
fn refresh_keys_ask_for_a_manual_refresh() {
    // R and Ctrl-R are the user asking: failing feeds are fetched too (only Retry-After waits).
    let mut state = loaded((80, 24), 3);
    assert_eq!(
        update(&mut state, Action::RefreshAll),
        vec![Effect::Refresh {
            feed: None,
            trigger: RefreshTrigger::Manual
        }]
    );
}

// ---- issue 10: sync ----

/// The worker's report of a sync: (new items, pushed, pending) and its error.
fn sync_finished(
    state: &mut State,
    (new_items, pushed, pending): (usize, usize, usize),
    error: Option<&str>,
) -> Vec<Effect> {
    update(
        state,
        Action::SyncFinished {
            new_items,
            pushed,
            pending,
            error: error.map(str::to_string),
        },
    )
}

/// A loaded state with `[sync]` set.
fn synced() -> State {
    let mut state = fixtures::empty_state((80, 24));
    state.settings.sync = true;
    state.settings.refresh_on_start = true;
    let effects = init(&mut state);
    assert!(effects.contains(&Effect::Sync), "{effects:?}");
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Refresh { .. })),
        "the server polls the feeds: {effects:?}"
    );
    assert!(state.refreshing && state.status.syncing);
    state
}

#[test]
fn with_sync_the_start_up_the_keys_and_the_timer_run_a_sync() {
    let mut state = synced();
    assert!(
        update(&mut state, Action::RefreshAll).is_empty(),
        "no second sync while one runs"
    );
    assert_eq!(status_notice(&state), "a sync is already running");
    let effects = sync_finished(&mut state, (7, 2, 0), None);
    assert!(effects.contains(&Effect::LoadFeeds), "{effects:?}");
    assert!(list_load(&effects).is_some(), "the list shows what arrived");
    assert!(!state.refreshing && !state.status.syncing);
    assert_eq!(status_notice(&state), "synced: 7 new, 2 changes sent");
    // R and Ctrl-R (one feed: the server has no per-feed pull) sync.
    assert_eq!(update(&mut state, Action::RefreshAll), vec![Effect::Sync]);
    sync_finished(&mut state, (0, 0, 0), None);
    assert_eq!(update(&mut state, Action::RefreshFeed), vec![Effect::Sync]);
    sync_finished(&mut state, (0, 0, 0), None);
    let due = state.next_refresh.unwrap();
    assert_eq!(update(&mut state, Action::Tick(due)), vec![Effect::Sync]);
}

#[test]
fn a_failed_sync_shows_its_error_and_the_pending_changes_and_the_next_one_still_runs() {
    let mut state = synced();
    sync_finished(
        &mut state,
        (0, 0, 3),
        Some("cannot reach the sync server\x1b[31m (reader/api/0/token)"),
    );
    assert!(!state.refreshing && !state.status.syncing);
    assert_eq!(state.status.sync_pending, 3);
    let error = state.status.sync_error.clone().unwrap();
    assert!(
        error.contains("cannot reach") && !error.contains('\x1b'),
        "{error:?}"
    );
    assert!(state.next_refresh.is_some(), "the timer tries again");
    // Marks made meanwhile grow the queue; the store says so with every feeds load.
    update(
        &mut state,
        Action::SyncStatusLoaded {
            pending: 4,
            last_error: Some("cannot reach the sync server".into()),
        },
    );
    assert_eq!(state.status.sync_pending, 4);
    assert_eq!(update(&mut state, Action::RefreshAll), vec![Effect::Sync]);
    sync_finished(&mut state, (1, 4, 0), None);
    assert_eq!(
        (
            state.status.sync_pending,
            state.status.sync_error.as_deref()
        ),
        (0, None)
    );
}

// ---- issue 14: what a new user tripped on ----

/// Open the selected item and lay it out with `lines` lines.
fn open_with_lines(state: &mut State, lines: usize) -> u64 {
    let (_, page) = fixtures::open_selected(state);
    let width = state.page().unwrap().requested_width;
    laid_out(state, page, width, lines);
    page
}

#[test]
fn exit_quits_at_once_even_with_an_article_open() {
    let mut state = loaded((140, 40), 10);
    open_with_lines(&mut state, 10);
    update(&mut state, Action::FollowRelated(1));
    update(&mut state, Action::Exit);
    assert!(state.quit);
}

#[test]
fn the_link_list_includes_the_related_links_numbered_as_the_pane_does() {
    let mut state = loaded((140, 40), 10);
    let (_, page) = fixtures::open_selected(&mut state);
    // The article has related links but no link in its text.
    article_ready(&mut state, page, "https://example.org/a");
    let width = state.page().unwrap().requested_width;
    update(
        &mut state,
        Action::PageRendered {
            page,
            width,
            lines: ReaderLayout {
                links: vec![],
                ..rendered(10)
            },
        },
    );
    update(&mut state, Action::ListLinks);
    assert_eq!(state.mode, Mode::Links, "{:?}", state.status.notice);
    let entries = state.page().unwrap().link_entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].label, "1.");
    assert_eq!(entries[0].text, "À lire: Next");
    let effects = update(&mut state, Action::Open);
    assert!(effects.contains(&Effect::LoadArticle {
        page: state.page().unwrap().id,
        url: "https://example.org/next".into(),
        fallback: None,
    }));
    // With links in the text too, those come first, then the related ones.
    update(&mut state, Action::Back);
    let width = state.page().unwrap().requested_width;
    let page = state.page().unwrap().id;
    laid_out(&mut state, page, width, 10);
    let labels: Vec<String> = state
        .page()
        .unwrap()
        .link_entries()
        .into_iter()
        .map(|e| e.label)
        .collect();
    assert_eq!(labels, ["[1]", "1."]);
    update(&mut state, Action::ListLinks);
    update(&mut state, Action::Bottom);
    assert_eq!(state.page().unwrap().link_cursor, 1);
}

#[test]
fn a_followed_link_that_cannot_load_is_marked_so_not_as_feed_text() {
    let mut state = loaded((140, 40), 10);
    let item_page = open_with_lines(&mut state, 10);
    article_ready(&mut state, item_page, "https://example.org/a");
    update(&mut state, Action::FollowRelated(1));
    let page = state.page().unwrap().id;
    update(
        &mut state,
        Action::ArticleReady {
            page,
            article: Box::new(Article::from_feed(
                None,
                "https://example.org/next".into(),
                None,
                None,
                String::new(),
            )),
            note: Some("could not load this page: could not connect (Connection refused)".into()),
        },
    );
    let p = state.page().unwrap();
    assert!(p.unavailable && !p.extracted);
    // The item's own page falling back to its feed text is not "unavailable".
    update(&mut state, Action::Back);
    assert!(!state.page().unwrap().unavailable);
}

#[test]
fn a_taller_terminal_never_leaves_the_reader_scrolled_past_its_text() {
    let mut state = loaded((100, 30), 10);
    let page = open_with_lines(&mut state, 60);
    update(&mut state, Action::Bottom);
    let scroll = state.page().unwrap().scroll;
    assert!(scroll > 0);
    // Taller, same width: no new layout, but more lines fit.
    resize(&mut state, 100, 80);
    let height = reader_height(&state);
    assert_eq!(
        state.page().unwrap().scroll,
        60 - height,
        "the last line at the bottom"
    );
    // Wider and the text re-wrapped shorter: still no blank screen below the text.
    let effects = resize(&mut state, 200, 80);
    laid_out(&mut state, page, render_request(&effects).0, 30);
    let height = reader_height(&state);
    assert_eq!(state.page().unwrap().scroll, 30usize.saturating_sub(height));
}

#[test]
fn the_byline_date_is_not_repeated_in_the_meta_line() {
    let page = ReaderPage {
        feed_title: Some("Asia".into()),
        author: Some("佐藤 花子 · 2026-11-22".into()),
        published: Some(
            chrono::DateTime::parse_from_rfc3339("2026-11-22T00:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
        ),
        url: Some("https://example.org/a".into()),
        ..ReaderPage::default()
    };
    assert_eq!(
        meta_line(&page),
        "Asia · 佐藤 花子 · 2026-11-22 00:00 · https://example.org/a"
    );
    let only_a_date = ReaderPage {
        author: Some("2026-11-22".into()),
        ..page.clone()
    };
    assert_eq!(
        meta_line(&only_a_date),
        "Asia · 2026-11-22 00:00 · https://example.org/a"
    );
    assert_eq!(without_dates("Ann | 22/11/2026 | Bob"), "Ann · Bob");
    assert_eq!(without_dates("Agent 007"), "Agent 007");
}

#[test]
fn after_a_search_the_results_have_the_focus() {
    let mut state = loaded((140, 40), 30);
    open_with_lines(&mut state, 100);
    assert_eq!(state.focus, Focus::Reader);
    update(&mut state, Action::Search);
    update(&mut state, Action::SearchInput('a'));
    update(&mut state, Action::SearchSubmit);
    assert_eq!(state.focus, Focus::Headlines);
    let before = state.list.selected;
    update(&mut state, Action::MoveDown);
    assert_eq!(
        state.list.selected,
        before + 1,
        "j moves through the results"
    );
    assert_eq!(state.page().unwrap().scroll, 0, "not the article");
}

#[test]
fn the_first_n_goes_to_the_unread_item_under_the_cursor() {
    // Nothing open: the selected unread item is the first unread; the next `n` moves on.
    let mut state = loaded((140, 40), 30);
    let first = state.list.selected_row().unwrap().clone();
    assert!(!first.read);
    let effects = update(&mut state, Action::NextUnread);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(state.list.selected, 0);
    let effects = update(&mut state, Action::NextUnread);
    assert!(
        matches!(effects.first(), Some(Effect::FindUnread { from: Some(id), forward: true, .. }) if *id == first.id),
        "{effects:?}"
    );
    // An article open (another one) and the cursor on an unread item: `n` opens that item.
    let mut state = loaded((140, 40), 30);
    update(&mut state, Action::MoveDown);
    update(&mut state, Action::MoveDown);
    open_with_lines(&mut state, 10);
    update(&mut state, Action::SwitchPane);
    update(&mut state, Action::Top);
    assert_eq!(state.focus, Focus::Headlines);
    let effects = update(&mut state, Action::NextUnread);
    assert_eq!(item_loaded(&effects), Some(first.id), "{effects:?}");
    // On the open item, `n` looks past it.
    let effects = update(&mut state, Action::NextUnread);
    assert!(matches!(
        effects.first(),
        Some(Effect::FindUnread { from: Some(id), .. }) if *id == first.id
    ));
}

#[test]
fn n_and_capital_n_say_when_there_is_nothing_further() {
    let mut state = loaded((80, 24), 30);
    find_unread(&mut state, Action::PrevUnread, None);
    assert_eq!(state.status.notice.as_deref(), Some("no earlier unread"));
    update(&mut state, Action::NextUnread); // lands on the selected unread item
    find_unread(&mut state, Action::NextUnread, None);
    assert_eq!(state.status.notice.as_deref(), Some("no more unread items"));
}

#[test]
fn escape_closes_the_open_article_like_q() {
    let mut state = loaded((140, 40), 30);
    open_with_lines(&mut state, 10);
    update(&mut state, Action::Clear);
    assert!(state.pages.is_empty());
    assert_eq!(state.focus, Focus::Headlines);
    assert!(!state.quit);
    // With the search kept, a first Esc closes the article, the second clears the search.
    update(&mut state, Action::Search);
    let effects = update(&mut state, Action::SearchInput('a'));
    update(&mut state, Action::SearchSubmit);
    let (generation, _, _) = list_load(&effects).unwrap();
    answer_list(&mut state, generation, rows(0, 3), Some(0));
    open_with_lines(&mut state, 10);
    update(&mut state, Action::Clear);
    assert!(state.pages.is_empty());
    assert!(state.list.query.search.is_some());
    update(&mut state, Action::Clear);
    assert_eq!(state.list.query.search, None);
}

#[test]
fn the_help_scrolls_when_it_does_not_fit() {
    let mut state = loaded((40, 24), 30);
    update(&mut state, Action::ToggleHelp);
    let layout = geometry::help_layout(geometry::screen(&state), &state.help);
    assert_eq!(layout.columns, 1);
    assert!(layout.max_scroll() > 0);
    update(&mut state, Action::MoveDown);
    assert_eq!(state.help_scroll, 1);
    assert_eq!(state.mode, Mode::Help, "moving keys do not close it");
    update(&mut state, Action::Bottom);
    assert_eq!(state.help_scroll, layout.max_scroll());
    assert_eq!(state.list.selected, 0, "the list did not move");
    update(&mut state, Action::ToggleHelp);
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn feeds_with_the_same_title_are_told_apart_by_host() {
    let feeds = fixtures::feeds_sharing_a_title(true);
    let mut state = loaded((140, 40), 3);
    update(
        &mut state,
        Action::FeedsLoaded {
            feeds,
            unread_total: 3,
        },
    );
    use crate::model::FeedId;
    assert_eq!(
        state.feed_label(FeedId(12), "Daring Fireball"),
        "Daring Fireball (df.example.org)"
    );
    assert_eq!(
        state.feed_label(FeedId(10), "Daring Fireball"),
        "Daring Fireball (feeds/main)"
    );
    assert_eq!(
        state.feed_label(FeedId(11), "Daring Fireball"),
        "Daring Fireball (feeds/json)"
    );
    assert_eq!(state.feed_label(FeedId(1), "Le Monde"), "Le Monde");
}

#[test]
fn the_play_key_plays_the_first_enclosure_and_lays_it_out() {
    let mut state = loaded((140, 40), 10);
    // Nothing open: nothing to play, said in the status line.
    assert!(update(&mut state, Action::PlayMedia).is_empty());
    assert!(status_notice(&state).contains("no podcast"));
    let (row, page) = fixtures::open_selected(&mut state);
    let mut item = item_for(&row);
    item.enclosures = vec![
        crate::model::Enclosure {
            url: "https://cdn.example/ep12.mp3".into(),
            mime_type: Some("audio/mpeg".into()),
            length: Some(28_800_000),
            duration: Some(1805),
        },
        crate::model::Enclosure {
            url: "https://cdn.example/ep12.ogg".into(),
            mime_type: None,
            length: None,
            duration: None,
        },
    ];
    let effects = update(
        &mut state,
        Action::ItemLoaded {
            page,
            item: Box::new(item),
        },
    );
    let (_, doc) = render_request(&effects);
    assert_eq!(doc.enclosures.len(), 2, "the layout lists the media files");
    assert_eq!(
        update(&mut state, Action::PlayMedia),
        vec![Effect::PlayMedia("https://cdn.example/ep12.mp3".into())]
    );
    let notice = status_notice(&state);
    assert!(notice.contains("ep12.mp3"), "{notice:?}");
    // The link list holds the media files after the links: p plays the selected entry,
    // Enter on a media file plays it too (rather than loading it as a page).
    update(&mut state, Action::ListLinks);
    let count = state.page().unwrap().link_count();
    let last = state.page().unwrap().link_entry(count - 1).unwrap();
    assert_eq!((last.label.as_str(), last.media), ("▶2", true));
    update(&mut state, Action::Bottom);
    assert_eq!(
        update(&mut state, Action::PlayMedia),
        vec![Effect::PlayMedia("https://cdn.example/ep12.ogg".into())]
    );
    assert_eq!(
        update(&mut state, Action::Open),
        vec![Effect::PlayMedia("https://cdn.example/ep12.ogg".into())]
    );
    assert_eq!(state.mode, crate::tui::state::Mode::Normal);
    // A feed naming a local file as its enclosure gets no player.
    state.page_mut().unwrap().enclosures[0].url = "file:///etc/passwd".into();
    assert!(update(&mut state, Action::PlayMedia).is_empty());
    assert!(status_error(&state).contains("non-web"));
}

fn type_search(state: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects = update(state, Action::SearchInput(c));
    }
    effects
}

#[test]
fn a_search_that_does_not_parse_keeps_the_list_and_says_where() {
    let mut state = loaded((80, 24), 30);
    update(&mut state, Action::Search);
    let effects = type_search(&mut state, "title:emul");
    assert!(list_load(&effects).is_some());
    assert_eq!(state.list.query.search.as_deref(), Some("title:emul"));
    // An open quote: the list stays on the last query that parsed, the status says why.
    let effects = type_search(&mut state, " \"sat");
    assert!(list_load(&effects).is_none(), "{effects:?}");
    assert_eq!(state.list.query.search.as_deref(), Some("title:emul"));
    assert_eq!(
        state.status.last_error.as_deref(),
        Some("query: unclosed quote at 12")
    );
    // Enter does not leave the field while the query is wrong.
    update(&mut state, Action::SearchSubmit);
    assert_eq!(state.mode, Mode::Search);
    // Closing the quote applies it and clears the error.
    let effects = type_search(&mut state, "\"");
    assert!(list_load(&effects).is_some());
    assert_eq!(state.status.last_error, None);
    assert_eq!(
        state.list.query.search.as_deref(),
        Some("title:emul \"sat\"")
    );
    update(&mut state, Action::SearchSubmit);
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn a_search_is_saved_as_a_smart_feed_listed_in_the_sidebar() {
    let mut state = loaded((80, 24), 30);
    update(&mut state, Action::Search);
    type_search(&mut state, "Title:rust  is:unread");
    let effects = update(&mut state, Action::SaveSearch);
    assert_eq!(
        effects,
        [Effect::SaveSearch {
            name: "title:rust is:unread".into(),
            query: "title:rust is:unread".into()
        }]
    );
    let effects = update(
        &mut state,
        Action::SearchSaved {
            name: "title:rust is:unread".into(),
        },
    );
    assert_eq!(effects, [Effect::LoadFeeds]);
    update(&mut state, Action::Clear);
    let smart = |unread| crate::tui::state::SmartFeed {
        name: "Rust".into(),
        query: "title:rust".into(),
        unread,
        saved_id: None,
    };
    update(
        &mut state,
        Action::SmartFeedsLoaded {
            smart_feeds: vec![smart(4)],
        },
    );
    assert_eq!(state.sidebar_len(), 3 + 1 + fixtures::feeds().len());
    // The saved search sits after Starred: open it.
    update(&mut state, Action::ToggleFeeds);
    state.feed_cursor = 3;
    let effects = update(&mut state, Action::Open);
    assert_eq!(state.list.query.source, ListSource::Smart(0));
    let Some(Effect::LoadList(ListRequest { query, .. })) =
        effects.iter().find(|e| matches!(e, Effect::LoadList(_)))
    else {
        panic!("no list load in {effects:?}")
    };
    assert_eq!(query.smart.as_deref(), Some("title:rust"));
    // `A` and `n` act inside it: the worker gets the saved search's query.
    let effects = update(&mut state, Action::MarkAllRead);
    assert!(
        matches!(&effects[..], [Effect::MarkAllRead { query }] if query.smart.as_deref() == Some("title:rust"))
    );
    let effects = update(&mut state, Action::PrevUnread);
    assert!(effects.iter().any(|e| matches!(e, Effect::FindUnread { query, .. } if query.smart.as_deref() == Some("title:rust"))));
    // The entry after the saved searches is the first feed.
    assert_eq!(
        sidebar_source(&state, 4),
        Some(ListSource::Feed(fixtures::feeds()[0].id))
    );
    // Counts update in place.
    update(
        &mut state,
        Action::SmartFeedsLoaded {
            smart_feeds: vec![smart(0)],
        },
    );
    assert_eq!(state.smart_feeds[0].unread, 0);
    assert_eq!(state.list.query.source, ListSource::Smart(0));
}

/// Issue 13, item 6: a feed with its own, shorter refresh_minutes brings the timer forward.
#[test]
fn a_feeds_own_refresh_minutes_brings_the_timer_forward() {
    // (config's minutes, timer at start, feed, its own minutes): with no timer in the config
    // (0), a feed's own interval still runs one.
    for (configured, at_start, feed, own) in [(30, Some(30), 1, 5), (0, None, 0, 15)] {
        let mut state = fixtures::empty_state((80, 24));
        state.settings.refresh_minutes = configured;
        let _ = init(&mut state);
        let now = state.now;
        let after = |minutes: u32| now + chrono::Duration::minutes(minutes.into());
        assert_eq!(state.next_refresh, at_start.map(after), "{configured}");
        let mut feeds = fixtures::feeds();
        feeds[feed].settings.refresh_minutes = Some(own);
        update(
            &mut state,
            Action::FeedsLoaded {
                feeds,
                unread_total: 0,
            },
        );
        assert_eq!(state.next_refresh, Some(after(own)), "{configured}");
    }
}

#[test]
fn enter_typed_ahead_of_a_search_opens_its_result_not_the_old_selection() {
    let mut state = loaded((80, 24), 30);
    update(&mut state, Action::Search);
    let effects = update(&mut state, Action::SearchInput('z'));
    let (generation, _, _) = list_load(&effects).unwrap();
    update(&mut state, Action::SearchSubmit);
    // The old list is still on screen: Enter waits for the search's answer.
    let effects = update(&mut state, Action::Open);
    assert_eq!(item_loaded(&effects), None, "{effects:?}");
    let found = fixtures::row(7);
    let effects = answer_list(&mut state, generation, vec![found.clone()], Some(0));
    assert_eq!(item_loaded(&effects), Some(found.id), "{effects:?}");
    // Once the answer is shown, Enter opens at once again.
    let effects = update(&mut state, Action::Open);
    assert!(item_loaded(&effects).is_some(), "{effects:?}");
}

#[test]
fn a_failed_list_load_lets_enter_act_on_the_rows_shown() {
    let mut state = loaded((80, 24), 30);
    update(&mut state, Action::Search);
    update(&mut state, Action::SearchInput('z'));
    update(&mut state, Action::SearchSubmit);
    update(&mut state, Action::Open);
    update(
        &mut state,
        Action::Failed {
            doing: "loading headlines".into(),
            error: "disk I/O error".into(),
        },
    );
    let effects = update(&mut state, Action::Open);
    assert!(item_loaded(&effects).is_some(), "{effects:?}");
}
