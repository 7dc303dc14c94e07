//! Snapshots of each TUI screen on a `TestBackend` with a fixed clock and fixture data:
//! empty, headlines, reader, help, narrow, error in the status line, feeds sidebar.

#[path = "common/testbackend.rs"]
mod testbackend;

use insta::assert_snapshot;
use kiosque::article::render::{SpanStyle, StyledSpan};
use kiosque::model::{Link, RelatedLink};
use kiosque::tui::action::Action;
use kiosque::tui::effect::Effect;
use kiosque::tui::fixtures::{self, answer_list, list_generation, loaded, rows, start_and_load};
use kiosque::tui::reader_layout::wrap;
use kiosque::tui::state::{LineKind, ReaderLayout, ReaderLine, State};
use kiosque::tui::update::{init, update};
use kiosque::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use testbackend::{draw, lay_out};

fn text_line(kind: LineKind, text: &str) -> ReaderLine {
    ReaderLine {
        kind,
        spans: vec![StyledSpan {
            text: text.into(),
            style: SpanStyle::default(),
        }],
    }
}

/// A laid-out article as the worker would deliver it.
fn article_lines(width: u16) -> ReaderLayout {
    let mut lines = vec![
        text_line(
            LineKind::Title,
            "Télévision : la réforme de l'audiovisuel public adoptée",
        ),
        text_line(
            LineKind::Meta,
            "Le Monde · Ann Dupont · 2026-03-10 11:53 · https://example.org/article/0",
        ),
        text_line(LineKind::Body, ""),
    ];
    let body = "Le Parlement a adopté mardi la réforme de l'audiovisuel public, après des mois de débats. \
                Le texte crée une holding commune [1] pour France Télévisions et Radio France. 東京でも報道された。";
    for line in wrap(body, usize::from(width)) {
        lines.push(text_line(LineKind::Body, &line));
    }
    lines.push(ReaderLine {
        kind: LineKind::Body,
        spans: vec![
            StyledSpan {
                text: "Bold ".into(),
                style: SpanStyle {
                    bold: true,
                    ..SpanStyle::default()
                },
            },
            StyledSpan {
                text: "and a link[2]".into(),
                style: SpanStyle {
                    link: Some(2),
                    ..SpanStyle::default()
                },
            },
        ],
    });
    for (kind, text) in [
        (LineKind::Body, ""),
        (LineKind::Section, "Links"),
        (LineKind::LinkEntry, "[1] https://example.org/holding"),
        (LineKind::LinkEntry, "[2] https://example.org/link"),
        (LineKind::Body, ""),
        (LineKind::Section, "Related"),
        (
            LineKind::LinkEntry,
            "1. À lire: Le budget de France Télévisions",
        ),
    ] {
        lines.push(text_line(kind, text));
    }
    ReaderLayout {
        lines,
        links: vec![
            Link {
                n: 1,
                text: "holding commune".into(),
                url: "https://example.org/holding".into(),
            },
            Link {
                n: 2,
                text: "a link".into(),
                url: "https://example.org/link".into(),
            },
        ],
        images: vec![],
    }
}

/// Open the selected item and deliver its laid-out article.
fn reading(size: (u16, u16)) -> State {
    let mut state = loaded(size, 12);
    let effects = update(&mut state, Action::Open);
    let (page, width) = effects
        .iter()
        .find_map(|e| match e {
            Effect::RenderPage { page, width, .. } => Some((*page, *width)),
            _ => None,
        })
        .unwrap();
    update(
        &mut state,
        Action::PageRendered {
            page,
            width,
            lines: article_lines(width),
        },
    );
    let p = state.page_mut().unwrap();
    p.item_loading = false;
    p.article_loading = false;
    p.extracted = true;
    p.related = vec![RelatedLink {
        label: "À lire".into(),
        title: "Le budget de France Télévisions".into(),
        url: "https://example.org/budget".into(),
    }];
    state
}

#[test]
fn empty_80x24() {
    let mut state = fixtures::empty_state((80, 24));
    init(&mut state);
    assert_snapshot!(draw(&state).backend());
}

/// Screens drawn straight from a state, by snapshot name: headlines, reader and help at each
/// size.
#[test]
fn headlines_reader_and_help_at_each_size() {
    let help = |size| {
        let mut state = loaded(size, 40);
        update(&mut state, Action::ToggleHelp);
        state
    };
    for (name, state) in [
        ("empty_list_loaded_80x24", loaded((80, 24), 0)),
        ("headlines_80x24", loaded((80, 24), 40)),
        ("headlines_140x40", loaded((140, 40), 40)),
        ("narrow_60x20", loaded((60, 20), 40)),
        ("reader_80x24", reading((80, 24))),
        ("reader_140x40", reading((140, 40))),
        ("narrow_reader_60x20", reading((60, 20))),
        ("help_80x24", help((80, 24))),
        ("help_140x40", help((140, 40))),
    ] {
        assert_snapshot!(name, draw(&state).backend());
    }
}

#[test]
fn reader_loading_article_140x40() {
    let mut state = reading((140, 40));
    state.page_mut().unwrap().article_loading = true;
    state.page_mut().unwrap().extracted = false;
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn error_and_refresh_in_status_80x24() {
    let mut state = loaded((80, 24), 40);
    update(&mut state, Action::RefreshAll);
    update(&mut state, Action::RefreshStarted { total: 40 });
    for _ in 0..12 {
        update(
            &mut state,
            Action::RefreshProgress {
                feed_title: "ok".into(),
                error: None,
            },
        );
    }
    update(
        &mut state,
        Action::RefreshProgress {
            feed_title: "日本のニュース".into(),
            error: Some("HTTP 503 Service\x1b]0;pwned\x07 Unavailable".into()),
        },
    );
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn sync_pending_and_error_in_status_80x24() {
    // [sync] set, the server unreachable: the last sync's error and the queued changes show,
    // and the next sync (R) runs.
    let mut state = loaded((80, 24), 40);
    state.settings.sync = true;
    update(&mut state, Action::RefreshAll);
    update(
        &mut state,
        Action::SyncFinished {
            new_items: 0,
            pushed: 0,
            pending: 3,
            error: Some(
                "cannot reach the sync server (reader/api/0/token): connection refused".into(),
            ),
        },
    );
    update(&mut state, Action::RefreshAll);
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn feeds_sidebar_80x24() {
    let mut state = loaded((80, 24), 40);
    update(&mut state, Action::ToggleFeeds);
    update(&mut state, Action::MoveDown);
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn feeds_sidebar_140x40() {
    let mut state = reading((140, 40));
    update(&mut state, Action::ToggleFeeds);
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn search_typing_80x24() {
    let mut state = loaded((80, 24), 3);
    update(&mut state, Action::Search);
    for c in "télé".chars() {
        update(&mut state, Action::SearchInput(c));
    }
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn link_list_80x24() {
    let mut state = reading((80, 24));
    update(&mut state, Action::ListLinks);
    update(&mut state, Action::MoveDown);
    assert_snapshot!(draw(&state).backend());
}

// ---- issue 14 ----

/// The text of the screen, one string per row (wide chars once, their spill cells skipped).
fn screen_rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect()
}

#[test]
fn no_subscriptions_says_how_to_subscribe_80x24() {
    let mut state = fixtures::empty_state((80, 24));
    start_and_load(&mut state, vec![], 0, 0, Some(0));
    let terminal = draw(&state);
    let text = screen_rows(&terminal).join("\n");
    assert!(text.contains("kiosque add URL"), "{text}");
    assert!(text.contains("kiosque import FILE.opml"), "{text}");
    assert!(!text.contains("R refreshes"), "{text}");
    assert_snapshot!(terminal.backend());
}

#[test]
fn a_followed_link_that_cannot_load_says_so_80x24() {
    let mut state = reading((80, 24));
    update(&mut state, Action::FollowRelated(1));
    let page = state.page().unwrap().id;
    let effects = update(
        &mut state,
        Action::ArticleReady {
            page,
            article: Box::new(kiosque::article::Article::from_feed(
                None,
                "https://example.org/budget".into(),
                None,
                None,
                String::new(),
            )),
            note: Some(
                "could not load this page: could not connect (Connection refused (os error 111))"
                    .into(),
            ),
        },
    );
    lay_out(&mut state, page, &effects);
    let terminal = draw(&state);
    let text = screen_rows(&terminal).join("\n");
    assert!(text.contains("could not load"), "{text}");
    assert!(!text.contains("feed text"), "{text}");
    assert!(!text.contains("feed's content"), "{text}");
    assert_snapshot!(terminal.backend());
}

#[test]
fn link_list_with_related_links_80x24() {
    let mut state = reading((80, 24));
    update(&mut state, Action::ListLinks);
    let terminal = draw(&state);
    let text = screen_rows(&terminal).join("\n");
    assert!(
        text.contains("1. À lire: Le budget de France Télévisions — https://example.org/budget"),
        "{text}"
    );
    assert_snapshot!(terminal.backend());
}

/// Headlines whose every cell is a wide character, so that whatever the width one of them
/// crosses the column where a popup's left border goes.
fn wide_list(size: (u16, u16)) -> State {
    let mut state = loaded(size, 0);
    let generation = state.list.generation;
    let wide: Vec<_> = rows(0, 40)
        .into_iter()
        .map(|mut r| {
            r.title = "東京で桜が開花、平年より早く".repeat(8);
            r.feed_title = "日本のニュース".into();
            r
        })
        .collect();
    answer_list(&mut state, generation, wide, Some(0));
    state
}

#[test]
fn popups_keep_their_left_border_over_wide_characters() {
    for width in 60..=130u16 {
        let mut state = wide_list((width, 30));
        update(&mut state, Action::ToggleHelp);
        let terminal = draw(&state);
        let area = kiosque::tui::geometry::help_layout(view::screen(&state), &state.help).area;
        let buffer = terminal.backend().buffer();
        for y in area.top()..area.bottom() {
            let symbol = buffer[(area.x, y)].symbol();
            assert!(
                ["│", "┌", "└"].contains(&symbol),
                "width {width}, row {y}: the border is {symbol:?}:\n{}",
                screen_rows(&terminal).join("\n")
            );
        }
    }
}

#[test]
fn help_40x24_is_one_column_that_scrolls() {
    let mut state = loaded((40, 24), 40);
    update(&mut state, Action::ToggleHelp);
    let terminal = draw(&state);
    let text = screen_rows(&terminal).join("\n");
    for whole in [
        "next headline",
        "previous headline",
        "open item / feed / link",
    ] {
        assert!(text.contains(whole), "{whole} cut:\n{text}");
    }
    assert!(!text.contains("nex…"), "{text}");
    assert_snapshot!("help_40x24_top", terminal.backend());
    update(&mut state, Action::Bottom);
    let terminal = draw(&state);
    let text = screen_rows(&terminal).join("\n");
    assert!(text.contains("quit at once"), "the last row:\n{text}");
    assert_snapshot!("help_40x24_bottom", terminal.backend());
}

#[test]
fn feeds_with_one_title_show_their_host_140x40() {
    let mut state = loaded((140, 40), 0);
    let feeds = fixtures::feeds_sharing_a_title(false);
    update(
        &mut state,
        Action::FeedsLoaded {
            feeds,
            unread_total: 3,
        },
    );
    let generation = state.list.generation;
    let df: Vec<_> = rows(0, 3)
        .into_iter()
        .zip(10..)
        .map(|(mut r, id)| {
            r.feed_id = kiosque::model::FeedId(id);
            r.feed_title = "Daring Fireball".into();
            r
        })
        .collect();
    answer_list(&mut state, generation, df, Some(0));
    update(&mut state, Action::ToggleFeeds);
    let terminal = draw(&state);
    let text = screen_rows(&terminal).join("\n");
    assert!(text.contains("df.example.org"), "{text}");
    assert!(
        text.contains("feeds/main") && text.contains("feeds/json"),
        "{text}"
    );
    assert_snapshot!(terminal.backend());
}

/// A podcast item: its media file listed under the meta line (type, size, duration, file),
/// laid out by the real `layout_page` from what `update` asks the worker to lay out.
#[test]
fn reader_with_a_podcast_80x24() {
    let mut state = loaded((80, 24), 12);
    let (row, page) = fixtures::open_selected(&mut state);
    let html =
        "<p>Cette semaine, nous revenons sur trois semaines passées avec un ultraportable ARM.</p>";
    let mut item = fixtures::item(row, html);
    item.author = Some("Camille Martin".into());
    item.enclosures = vec![kiosque::model::Enclosure {
        url: "https://example.org/media/podcast-episode-12.mp3".into(),
        mime_type: Some("audio/mpeg".into()),
        length: Some(28_800_000),
        duration: Some(2_465),
    }];
    let effects = update(
        &mut state,
        Action::ItemLoaded {
            page,
            item: Box::new(item),
        },
    );
    lay_out(&mut state, page, &effects);
    let p = state.page_mut().unwrap();
    p.article_loading = false;
    assert_snapshot!(draw(&state).backend());
}

// ---- issue 13: folders and duplicates folded ----

/// The fixture feeds with tags: one feed in two folders, one in none.
fn tagged_feeds() -> Vec<kiosque::model::Feed> {
    let mut feeds = fixtures::feeds();
    feeds[0].tags = vec!["Actualités".into(), "fr".into()];
    feeds[1].tags = vec!["Tech".into(), "Actualités".into()];
    feeds
}

/// An 80x24 state loaded with `feeds` (`unread_total` in all), the sidebar shown.
fn sidebar_of(feeds: Vec<kiosque::model::Feed>, unread_total: i64) -> State {
    let mut state = fixtures::empty_state((80, 24));
    start_and_load(&mut state, feeds, unread_total, 40, Some(0));
    update(&mut state, Action::ToggleFeeds);
    state
}

#[test]
fn feeds_in_folders_by_tag_one_collapsed_80x24() {
    let mut state = sidebar_of(tagged_feeds(), 55);
    // All, Unread, Starred, ▾ Actualités, Le Monde, Hacker News, ▾ fr: close "fr".
    for _ in 0..6 {
        update(&mut state, Action::MoveDown);
    }
    update(&mut state, Action::Open);
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn feeds_in_folders_sorted_by_unread_without_read_feeds_80x24() {
    let mut feeds = tagged_feeds();
    feeds[2].unread = 0;
    let mut state = sidebar_of(feeds, 52);
    update(&mut state, Action::ToggleFeedSort);
    update(&mut state, Action::ToggleReadFeeds);
    assert_snapshot!(draw(&state).backend());
}

#[test]
fn a_story_other_feeds_carry_says_where_else_80x24() {
    let mut state = fixtures::empty_state((80, 24));
    let generation = list_generation(&init(&mut state));
    let mut rows = rows(0, 3);
    rows[0].also_in = vec!["Hacker News".into()];
    answer_list(&mut state, generation, rows, Some(0));
    let text = screen_rows(&draw(&state)).join("\n");
    assert!(text.contains(" also in: Hacker News"), "{text}");
}
