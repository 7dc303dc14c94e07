//! Headless flows: key events go through the real loop (`app::run_loop_from`: keymap → update →
//! effects → worker → actions → update → draw) with a fake worker answering from memory.

use std::sync::{Arc, Mutex};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use kiosque::clock::FixedClock;
use kiosque::model::ItemSummary;
use kiosque::tui::action::Action;
use kiosque::tui::app::{LoopParts, run_loop_from};
use kiosque::tui::effect::{Anchor, Effect, ListRequest, ListWindow};
use kiosque::tui::fixtures;
use kiosque::tui::keymap::Keymap;
use kiosque::tui::reader_layout::layout_page;
use kiosque::tui::state::{ListSource, State};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::UnboundedSender;

/// Answers every effect at once from an in-memory list, and records what it was asked.
struct FakeWorker {
    rows: Arc<Mutex<Vec<ItemSummary>>>,
    actions: UnboundedSender<Action>,
    asked: Arc<Mutex<Vec<Effect>>>,
    /// Never answer list loads (a store slow to give the first headlines).
    hold_lists: bool,
}

impl kiosque::tui::worker::Worker for FakeWorker {
    fn submit(&mut self, effect: Effect) {
        self.asked.lock().unwrap().push(effect.clone());
        let mut rows = self.rows.lock().unwrap();
        let send = |a: Action| self.actions.send(a).unwrap();
        match effect {
            Effect::LoadFeeds => {
                let unread = rows.iter().filter(|r| !r.read).count() as i64;
                send(Action::FeedsLoaded {
                    feeds: fixtures::feeds(),
                    unread_total: unread,
                });
            }
            Effect::LoadList(_) if self.hold_lists => {}
            Effect::LoadList(ListRequest {
                generation,
                query,
                anchor,
                around,
                limit,
            }) => {
                let list: Vec<ItemSummary> = rows
                    .iter()
                    .filter(|r| match query.source {
                        ListSource::Unread => !r.read,
                        ListSource::Starred => r.starred,
                        ListSource::Feed(id) => r.feed_id == id,
                        // The fake worker has no query evaluator: a saved search lists all.
                        ListSource::All | ListSource::Smart(_) => true,
                    })
                    .filter(|r| {
                        query
                            .search
                            .as_ref()
                            .is_none_or(|s| r.title.to_lowercase().contains(&s.to_lowercase()))
                    })
                    .cloned()
                    .collect();
                let position = match anchor {
                    Anchor::Item(id) => list.iter().position(|r| r.id == id).unwrap_or(around),
                    Anchor::Position(p) => p,
                    Anchor::None => around,
                }
                .min(list.len().saturating_sub(1));
                let offset = position.saturating_sub(limit / 2);
                let window = list.iter().skip(offset).take(limit).cloned().collect();
                let selected = (anchor != Anchor::None).then_some(position);
                send(Action::ListLoaded(ListWindow {
                    generation,
                    total: list.len(),
                    offset,
                    rows: window,
                    selected,
                }));
            }
            Effect::LoadItem { page, id } => {
                let summary = rows.iter().find(|r| r.id == id).unwrap().clone();
                let item = fixtures::item(summary, "<p>The feed's own text.</p>");
                send(Action::ItemLoaded {
                    page,
                    item: Box::new(item),
                });
            }
            Effect::LoadArticle { page, url, .. } => {
                let title = "The extracted headline";
                let html = "<p>The whole article text.</p>";
                let article = fixtures::article(&url, title, html, vec![]);
                send(Action::ArticleReady {
                    page,
                    article: Box::new(article),
                    note: None,
                });
            }
            Effect::RenderPage { page, width, doc } => {
                send(Action::PageRendered {
                    page,
                    width,
                    lines: layout_page(&doc, width),
                });
            }
            Effect::SetRead { ids, read } => {
                for r in rows.iter_mut().filter(|r| ids.contains(&r.id)) {
                    r.read = read;
                }
                send(Action::ReadSaved { ids, read });
            }
            Effect::SetStarred { ids, starred } => {
                for r in rows.iter_mut().filter(|r| ids.contains(&r.id)) {
                    r.starred = starred;
                }
                send(Action::StarSaved { ids, starred });
            }
            Effect::Refresh { .. } => {
                send(Action::RefreshStarted { total: 3 });
                send(Action::RefreshFinished {
                    new_items: 0,
                    failed: 0,
                });
            }
            _ => {}
        }
    }
}

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent {
        code: if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        },
        modifiers: if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        },
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }))
}

struct Run {
    state: State,
    screen: String,
    asked: Vec<Effect>,
    rows: Vec<ItemSummary>,
    clipboard: Vec<u8>,
}

/// What the real loop left after `keys`: the state, the terminal as it last drew it, and the
/// fake worker (which holds back list answers when `hold_lists`) with its pending answers.
struct Looped {
    state: State,
    terminal: Terminal<TestBackend>,
    worker: FakeWorker,
    actions: tokio::sync::mpsc::UnboundedReceiver<Action>,
    clipboard: Vec<u8>,
}

/// Run the loop over `keys` on a `size` screen; `prepare` sets the state up first.
async fn run_keys(
    keys: &str,
    size: (u16, u16),
    hold_lists: bool,
    prepare: impl FnOnce(&mut State),
) -> Looped {
    let (tx, mut actions) = tokio::sync::mpsc::unbounded_channel();
    let mut worker = FakeWorker {
        rows: Arc::new(Mutex::new(fixtures::rows(0, 40))),
        actions: tx,
        asked: Arc::new(Mutex::new(Vec::new())),
        hold_lists,
    };
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    let mut state = fixtures::empty_state(size);
    prepare(&mut state);
    let keymap = Keymap::default();
    let clock = FixedClock(fixtures::now());
    let mut clipboard = Vec::new();
    let events = futures_util::stream::iter(keys.chars().map(key).collect::<Vec<_>>());
    let parts = LoopParts {
        keymap: &keymap,
        worker: &mut worker,
        actions: &mut actions,
        clock: &clock,
        clipboard: &mut clipboard,
    };
    let effects = kiosque::tui::update::init(&mut state);
    run_loop_from(&mut terminal, &mut state, events, parts, effects, false)
        .await
        .unwrap();
    Looped {
        state,
        terminal,
        worker,
        actions,
        clipboard,
    }
}

async fn drive(keys: &str, size: (u16, u16)) -> Run {
    let Looped {
        mut state,
        mut terminal,
        mut worker,
        mut actions,
        clipboard,
    } = run_keys(keys, size, false, |_| {}).await;
    // Let the last answers in and draw them, as the loop would on its next turn.
    while let Ok(action) = actions.try_recv() {
        for effect in kiosque::tui::update::update(&mut state, action) {
            kiosque::tui::worker::Worker::submit(&mut worker, effect);
        }
    }
    terminal
        .draw(|f| kiosque::tui::view::render(f, &state))
        .unwrap();
    let screen = format!("{}", terminal.backend());
    let asked = worker.asked.lock().unwrap().clone();
    let rows = worker.rows.lock().unwrap().clone();
    Run {
        state,
        screen,
        asked,
        rows,
        clipboard,
    }
}

#[tokio::test]
async fn starts_on_the_newest_item_and_opens_it_marking_it_read() {
    let run = drive("jj\n", (140, 40)).await;
    assert_eq!(run.state.list.selected, 2);
    let third = fixtures::row(2);
    // The store was asked to mark it read, and the list shows it read after it confirmed.
    assert!(run.asked.contains(&Effect::SetRead {
        ids: vec![third.id],
        read: true
    }));
    assert!(run.rows.iter().find(|r| r.id == third.id).unwrap().read);
    assert!(run.state.list.selected_row().unwrap().read);
    // The extracted article replaced the feed text.
    assert!(
        run.screen.contains("The extracted headline"),
        "{}",
        run.screen
    );
    assert!(
        !run.screen.contains("The feed's own text"),
        "{}",
        run.screen
    );
}

#[tokio::test]
async fn q_closes_the_article_then_quits() {
    let run = drive("\nq", (80, 24)).await;
    assert!(run.state.pages.is_empty());
    assert!(!run.state.quit);
    let run = drive("\nqq", (80, 24)).await;
    assert!(run.state.quit);
}

#[tokio::test]
async fn star_and_copy_go_through_the_worker_and_osc52() {
    let run = drive("sy", (80, 24)).await;
    assert!(run.state.list.selected_row().unwrap().starred);
    let clip = String::from_utf8(run.clipboard).unwrap();
    assert!(
        clip.starts_with("\x1b]52;c;") && clip.ends_with('\x07'),
        "{clip:?}"
    );
}

#[tokio::test]
async fn search_narrows_the_list() {
    let run = drive("/rust\n", (80, 24)).await;
    assert!(run.state.list.total > 0 && run.state.list.total < 40);
    assert!(run.screen.contains("/rust"), "{}", run.screen);
    assert!(
        run.state
            .list
            .rows
            .iter()
            .all(|r| r.title.to_lowercase().contains("rust"))
    );
}

#[tokio::test]
async fn the_first_headlines_are_drawn_before_the_rest_waiting_is_handled() {
    // The fake worker answers at once: the headlines, the feed counts and the key `q` are all
    // waiting when the loop first wakes. The headlines must reach the screen before the rest
    // is handled (feed counts grow with the number of feeds; here `q` even ends the loop).
    let Looped {
        state, terminal, ..
    } = run_keys("q", (140, 40), false, |_| {}).await;
    assert!(state.quit);
    // What the loop itself last drew (no extra draw here).
    let screen = format!("{}", terminal.backend());
    let newest: String = fixtures::row(0).title.chars().take(20).collect();
    assert!(
        screen.contains(&newest),
        "the newest headline was never drawn:\n{screen}"
    );
}

#[tokio::test]
async fn nothing_but_the_headlines_is_asked_for_before_they_arrive() {
    // Feed counts (and a refresh on start) grow with the number of feeds: they wait until the
    // loop first wakes, so they never compete with the first headlines.
    // The loop is still waiting for the headlines when the user quits.
    let looped = run_keys("q", (100, 30), true, |state| {
        state.settings.refresh_on_start = true;
    })
    .await;
    let asked = looped.worker.asked.lock().unwrap().clone();
    assert!(
        asked.iter().all(|e| matches!(e, Effect::LoadList(_))),
        "asked before the headlines: {asked:?}"
    );
    assert!(!asked.is_empty());
}

#[tokio::test]
async fn feed_counts_and_the_refresh_on_start_follow_the_first_headlines() {
    let run = drive("j", (100, 30)).await;
    assert!(matches!(run.asked[0], Effect::LoadList(_)));
    assert!(run.asked.contains(&Effect::LoadFeeds), "{:?}", run.asked);
    let unread = fixtures::rows(0, 40).iter().filter(|r| !r.read).count() as i64;
    assert_eq!(run.state.status.unread_total, unread);
}
