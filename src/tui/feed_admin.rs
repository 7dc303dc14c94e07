//! Managing feeds from the TUI (pure update helpers): the add, rename and tags prompts and
//! the removal question in the status line, and what their answers ask of the worker. The
//! network and the database are the worker's (`Effect::AddFeed`, `RemoveFeed`, `UpdateFeed`).

use crate::model::{Feed, FeedId};
use crate::store::FeedChange;
use crate::text::sanitize_line;
use crate::tui::action::Action;
use crate::tui::effect::{Anchor, Effect};
use crate::tui::sidebar::SidebarRow;
use crate::tui::state::{FeedPrompt, Focus, ListSource, Mode, PromptKind, State};
use crate::tui::update::notice;

/// The feed an action is about: the one under the cursor in the sidebar, else the one the list
/// shows, else the selected item's.
pub fn target_feed(state: &State) -> Option<&Feed> {
    let id = if state.focus == Focus::Feeds {
        match state.sidebar_row() {
            Some(SidebarRow::Feed { index, .. }) => state.feeds.get(index).map(|f| f.id),
            _ => None,
        }
    } else {
        None
    };
    let id = id.or(match state.list.query.source {
        ListSource::Feed(id) => Some(id),
        _ => state.list.selected_row().map(|r| r.feed_id),
    })?;
    state.feeds.iter().find(|f| f.id == id)
}

/// The saved search under the sidebar's cursor, when the sidebar has the focus.
fn search_under_cursor(state: &State) -> Option<&crate::tui::state::SmartFeed> {
    if state.focus != Focus::Feeds {
        return None;
    }
    match state.sidebar_row() {
        Some(SidebarRow::List(ListSource::Smart(i))) => state.smart_feeds.get(i),
        _ => None,
    }
}

/// Open a prompt.
pub fn ask(state: &mut State, kind: PromptKind) -> Vec<Effect> {
    let (feed_title, input) = match &kind {
        PromptKind::AddFeed => (String::new(), String::new()),
        PromptKind::ConfirmDeleteSearch(_) => return vec![],
        PromptKind::RenameFeed(id) | PromptKind::EditTags(id) | PromptKind::ConfirmRemove(id) => {
            let Some(feed) = state.feeds.iter().find(|f| f.id == *id) else {
                return vec![];
            };
            let input = match kind {
                // Prefilled with what is there: Enter keeps it, Esc leaves it.
                PromptKind::RenameFeed(_) => feed.title.clone(),
                PromptKind::EditTags(_) => feed.tags.join(", "),
                _ => String::new(),
            };
            (feed.title.clone(), input)
        }
    };
    state.prompt = Some(FeedPrompt {
        kind,
        feed_title,
        input,
    });
    state.mode = Mode::Prompt;
    vec![]
}

/// `d`, `e`, `t`: ask about the target feed, or say there is none. `d` on a saved search in
/// the sidebar asks to delete that search.
pub fn ask_about_target(state: &mut State, action: &Action) -> Vec<Effect> {
    if *action == Action::RemoveFeed
        && let Some(search) = search_under_cursor(state)
    {
        let name = sanitize_line(&search.name);
        let Some(id) = search.saved_id else {
            return notice(
                state,
                format!("\"{name}\" is in the config file ([[smart_feeds]]): remove it there"),
            );
        };
        state.prompt = Some(FeedPrompt {
            kind: PromptKind::ConfirmDeleteSearch(id),
            feed_title: search.name.clone(),
            input: String::new(),
        });
        state.mode = Mode::Prompt;
        return vec![];
    }
    let Some(id) = target_feed(state).map(|f| f.id) else {
        return notice(state, "no feed here: choose one in the sidebar (f)");
    };
    let kind = match action {
        Action::RemoveFeed => PromptKind::ConfirmRemove(id),
        Action::RenameFeed => PromptKind::RenameFeed(id),
        _ => PromptKind::EditTags(id),
    };
    ask(state, kind)
}

/// `X`: extract the target feed's article pages, or show its own content (undone by `X`).
pub fn toggle_extract(state: &mut State) -> Vec<Effect> {
    let Some(feed) = target_feed(state) else {
        return notice(state, "no feed here: choose one in the sidebar (f)");
    };
    vec![Effect::UpdateFeed {
        id: feed.id,
        change: FeedChange {
            extract: Some(!feed.settings.extract),
            ..Default::default()
        },
    }]
}

/// A key typed into the prompt; the removal question takes `y` as yes, any other key as no.
pub fn input(state: &mut State, c: char) -> Vec<Effect> {
    let Some(prompt) = &mut state.prompt else {
        return vec![];
    };
    if let PromptKind::ConfirmDeleteSearch(id) = prompt.kind {
        let name = prompt.feed_title.clone();
        close(state);
        if c.eq_ignore_ascii_case(&'y') {
            return vec![Effect::DeleteSavedSearch { id, name }];
        }
        return notice(state, "kept");
    }
    if let PromptKind::ConfirmRemove(id) = prompt.kind {
        let title = prompt.feed_title.clone();
        close(state);
        if c.eq_ignore_ascii_case(&'y') {
            state.status.notice = Some(format!("removing {}…", sanitize_line(&title)));
            return vec![Effect::RemoveFeed { id }];
        }
        return notice(state, "kept");
    }
    if !c.is_control() && prompt.input.chars().count() < 2048 {
        prompt.input.push(c);
    }
    vec![]
}

fn close(state: &mut State) {
    state.prompt = None;
    state.mode = Mode::Normal;
}

/// Enter: act on the answer (an empty answer asks nothing).
pub fn submit(state: &mut State) -> Vec<Effect> {
    let Some(prompt) = state.prompt.clone() else {
        return vec![];
    };
    close(state);
    let answer = prompt.input.trim().to_string();
    match prompt.kind {
        PromptKind::AddFeed if answer.is_empty() => vec![],
        PromptKind::AddFeed => {
            state.status.notice = Some(format!("adding {}…", sanitize_line(&answer)));
            vec![Effect::AddFeed { url: answer }]
        }
        PromptKind::RenameFeed(_) if sanitize_line(&answer).is_empty() => {
            notice(state, "a title cannot be empty: kept the old one")
        }
        PromptKind::RenameFeed(id) => vec![Effect::UpdateFeed {
            id,
            change: FeedChange {
                title: Some(sanitize_line(&answer)),
                ..Default::default()
            },
        }],
        PromptKind::EditTags(id) => {
            let tags: Vec<String> = answer.split(',').map(str::to_string).collect();
            vec![Effect::UpdateFeed {
                id,
                change: FeedChange {
                    tags: Some(crate::cli::clean_tags(&tags)),
                    ..Default::default()
                },
            }]
        }
        // Enter is "no": only `y` removes.
        PromptKind::ConfirmRemove(_) | PromptKind::ConfirmDeleteSearch(_) => notice(state, "kept"),
    }
}

/// The worker added, removed or changed a feed: reload the feeds and the list; show a new
/// feed's items; leave a removed feed's list.
pub fn changed(
    state: &mut State,
    notice: String,
    show: Option<FeedId>,
    removed: Option<FeedId>,
) -> Vec<Effect> {
    state.status.notice = Some(sanitize_line(&notice));
    let mut effects = vec![Effect::LoadFeeds];
    let gone = removed.is_some_and(|id| state.list.query.source == ListSource::Feed(id));
    let anchor = if let Some(id) = show {
        state.list.query.source = ListSource::Feed(id);
        state.list.query.search = None;
        state.list.selected = 0;
        state.list.top = 0;
        Anchor::Position(0)
    } else if gone {
        state.list.query.source = ListSource::All;
        Anchor::Position(0)
    } else {
        match state.list.selected_row() {
            Some(row) => Anchor::Item(row.id),
            None => Anchor::Position(state.list.selected),
        }
    };
    effects.push(crate::tui::update::load_list(state, anchor));
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures;
    use crate::tui::update::update;

    fn loaded() -> State {
        let mut state = fixtures::empty_state((80, 24));
        let _ = crate::tui::update::init(&mut state);
        update(
            &mut state,
            Action::FeedsLoaded {
                feeds: fixtures::feeds(),
                unread_total: 55,
            },
        );
        state
    }

    fn type_in(state: &mut State, text: &str) {
        for c in text.chars() {
            update(state, Action::PromptInput(c));
        }
    }

    /// The one effect that saves `change` to the first feed.
    fn first_feed_changed(change: FeedChange) -> Vec<Effect> {
        vec![Effect::UpdateFeed {
            id: FeedId(1),
            change,
        }]
    }

    /// The sidebar's cursor on the first feed.
    fn on_first_feed(state: &mut State) {
        update(state, Action::ToggleFeeds);
        state.focus = Focus::Feeds;
        state.feed_cursor = 3;
    }

    #[test]
    fn adding_asks_for_a_url_and_hands_it_to_the_worker() {
        let mut state = loaded();
        update(&mut state, Action::AddFeed);
        assert_eq!(state.mode, Mode::Prompt);
        type_in(&mut state, " https://example.org/ ");
        assert_eq!(
            update(&mut state, Action::PromptSubmit),
            vec![Effect::AddFeed {
                url: "https://example.org/".into()
            }]
        );
        assert_eq!(state.mode, Mode::Normal);
        // Esc leaves without asking anything.
        update(&mut state, Action::AddFeed);
        type_in(&mut state, "x");
        assert!(update(&mut state, Action::Clear).is_empty());
        assert_eq!((state.mode, state.prompt.is_none()), (Mode::Normal, true));
    }

    #[test]
    fn a_refused_url_replaces_the_adding_note_with_the_reason() {
        let mut state = loaded();
        update(&mut state, Action::AddFeed);
        type_in(&mut state, "not a url");
        update(&mut state, Action::PromptSubmit);
        assert!(
            state.status.notice.is_some(),
            "the add shows what it is doing"
        );
        update(
            &mut state,
            Action::Failed {
                doing: "adding a feed".into(),
                error: "not a web address".into(),
            },
        );
        assert_eq!(state.status.notice, None);
        assert_eq!(
            state.status.last_error.as_deref(),
            Some("adding a feed: not a web address")
        );
    }

    #[test]
    fn removing_asks_first_and_only_y_removes() {
        let mut state = loaded();
        on_first_feed(&mut state);
        update(&mut state, Action::RemoveFeed);
        assert!(update(&mut state, Action::PromptInput('n')).is_empty());
        update(&mut state, Action::RemoveFeed);
        assert!(update(&mut state, Action::PromptSubmit).is_empty());
        update(&mut state, Action::RemoveFeed);
        assert_eq!(
            update(&mut state, Action::PromptInput('y')),
            vec![Effect::RemoveFeed { id: FeedId(1) }]
        );
    }

    #[test]
    fn rename_and_tags_start_from_what_is_there() {
        let mut state = loaded();
        on_first_feed(&mut state);
        update(&mut state, Action::RenameFeed);
        assert_eq!(state.prompt.as_ref().unwrap().input, "Le Monde");
        for _ in 0.."Monde".len() {
            update(&mut state, Action::PromptDeleteChar);
        }
        type_in(&mut state, "Figaro");
        assert_eq!(
            update(&mut state, Action::PromptSubmit),
            first_feed_changed(FeedChange {
                title: Some("Le Figaro".into()),
                ..Default::default()
            })
        );
        update(&mut state, Action::EditFeedTags);
        type_in(&mut state, "news, fr ,news,,");
        assert_eq!(
            update(&mut state, Action::PromptSubmit),
            first_feed_changed(FeedChange {
                tags: Some(vec!["news".into(), "fr".into()]),
                ..Default::default()
            })
        );
    }

    #[test]
    fn x_flips_the_feeds_extraction() {
        let mut state = loaded();
        on_first_feed(&mut state);
        assert_eq!(
            update(&mut state, Action::ToggleFeedExtract),
            first_feed_changed(FeedChange {
                extract: Some(false),
                ..Default::default()
            })
        );
    }

    #[test]
    fn a_removed_feed_shown_in_the_list_gives_way_to_all() {
        let mut state = loaded();
        state.list.query.source = ListSource::Feed(FeedId(2));
        let effects = update(
            &mut state,
            Action::FeedsChanged {
                notice: "removed Hacker News".into(),
                show: None,
                removed: Some(FeedId(2)),
            },
        );
        assert_eq!(state.list.query.source, ListSource::All);
        assert!(effects.contains(&Effect::LoadFeeds));
        assert_eq!(state.status.notice.as_deref(), Some("removed Hacker News"));
    }

    #[test]
    fn d_on_a_saved_search_asks_then_deletes_it_and_the_list_leaves_it() {
        use crate::tui::state::SmartFeed;
        let mut state = loaded();
        let search = |name: &str, saved_id| SmartFeed {
            name: name.into(),
            query: format!("title:{name}"),
            unread: 1,
            saved_id,
        };
        update(
            &mut state,
            Action::SmartFeedsLoaded {
                smart_feeds: vec![search("config", None), search("rust", Some(7))],
            },
        );
        update(&mut state, Action::ToggleFeeds);
        state.focus = Focus::Feeds;
        // All, Unread, Starred, then the saved searches.
        state.feed_cursor = 3;
        assert!(update(&mut state, Action::RemoveFeed).is_empty());
        assert_eq!(state.mode, Mode::Normal);
        assert!(
            state
                .status
                .notice
                .as_deref()
                .unwrap()
                .contains("config file"),
            "{:?}",
            state.status.notice
        );
        // The one saved from the prompt: shown, then asked about; `n` keeps it.
        state.feed_cursor = 4;
        update(&mut state, Action::Open);
        assert_eq!(state.list.query.source, ListSource::Smart(1));
        update(&mut state, Action::ToggleFeeds);
        state.focus = Focus::Feeds;
        state.feed_cursor = 4;
        update(&mut state, Action::RemoveFeed);
        assert_eq!(state.mode, Mode::Prompt);
        assert!(update(&mut state, Action::PromptInput('n')).is_empty());
        update(&mut state, Action::RemoveFeed);
        assert_eq!(
            update(&mut state, Action::PromptInput('y')),
            [Effect::DeleteSavedSearch {
                id: 7,
                name: "rust".into()
            }]
        );
        assert_eq!(
            update(
                &mut state,
                Action::SearchDeleted {
                    name: "rust".into()
                }
            ),
            [Effect::LoadFeeds]
        );
        // Its list was on screen: the list shows everything again.
        let effects = update(
            &mut state,
            Action::SmartFeedsLoaded {
                smart_feeds: vec![search("config", None)],
            },
        );
        assert_eq!(state.list.query.source, ListSource::All);
        assert_eq!(state.list.query.smart, None);
        assert!(effects.iter().any(|e| matches!(e, Effect::LoadList(_))));
    }
}
