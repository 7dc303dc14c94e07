//! Fixed sample data for tests, snapshots and benchmarks (no IO).

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::article::{Article, Source};
use crate::model::{Feed, FeedId, Item, ItemId, ItemSummary, RelatedLink};
use crate::tui::action::Action;
use crate::tui::effect::{Effect, ListWindow};
use crate::tui::state::{Settings, State, WINDOW};
use crate::tui::update::{init, update};

/// The instant every fixture is relative to.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A feed with counts.
pub fn feed(id: i64, title: &str, unread: i64, error: Option<&str>) -> Feed {
    Feed {
        id: FeedId(id),
        url: format!("https://example.org/{id}/feed.xml"),
        title: title.into(),
        status: error.map(|_| 503),
        error: error.map(str::to_string),
        unread,
        total: unread + 3,
        ..Default::default()
    }
}

/// Three feeds, one failing.
pub fn feeds() -> Vec<Feed> {
    vec![
        feed(1, "Le Monde", 12, None),
        feed(2, "Hacker News", 40, None),
        feed(3, "日本のニュース", 3, Some("HTTP 503 Service Unavailable")),
    ]
}

/// [`feeds`] and three "Daring Fireball" feeds (ids 10 to 12): two on one host, one on
/// another, a `www.` before one of the first two when `www` is set.
pub fn feeds_sharing_a_title(www: bool) -> Vec<Feed> {
    let mut feeds = feeds();
    let host = if www {
        "www.daringfireball.net"
    } else {
        "daringfireball.net"
    };
    for (id, url) in [
        (10, "https://daringfireball.net/feeds/main".to_string()),
        (11, format!("https://{host}/feeds/json")),
        (12, "https://df.example.org/rss".to_string()),
    ] {
        feeds.push(Feed {
            url,
            ..feed(id, "Daring Fireball", 1, None)
        });
    }
    feeds
}

const TITLES: &[&str] = &[
    "Télévision : la réforme de l'audiovisuel public adoptée",
    "Show HN: A terminal news reader in Rust",
    "東京で桜が開花、平年より早く",
    "Why SQLite is so fast for small databases",
    "Le gouvernement annonce un plan pour le rail",
    "Ask HN: What are you reading this week?",
    "A very long headline that goes on and on well past the width of any reasonable pane in a terminal",
];

/// Row `i` of a synthetic list, newest first (item `i` is `i` hours old).
pub fn row(i: usize) -> ItemSummary {
    let feed = (i % 3) as i64 + 1;
    let feed_title = feeds()[i % 3].title.clone();
    ItemSummary {
        id: ItemId(100_000 - i as i64),
        feed_id: FeedId(feed),
        feed_title,
        title: TITLES[i % TITLES.len()].to_string(),
        url: Some(format!("https://example.org/article/{i}")),
        published: now() - Duration::hours(i as i64 * 5) - Duration::minutes(7),
        dated: true,
        read: i % 4 == 1,
        starred: i % 5 == 2,
        also_in: vec![],
    }
}

/// `n` rows from position `offset`.
pub fn rows(offset: usize, n: usize) -> Vec<ItemSummary> {
    (offset..offset + n).map(row).collect()
}

/// The item of headline `summary`, by Ann, with `html` as its feed text.
pub fn item(summary: ItemSummary, html: &str) -> Item {
    Item {
        summary,
        author: Some("Ann".into()),
        summary_html: None,
        content_html: Some(html.into()),
        enclosures: vec![],
    }
}

/// The article extracted from the page at `url`: `title`, `html` and `related` links.
pub fn article(url: &str, title: &str, html: &str, related: Vec<RelatedLink>) -> Article {
    Article {
        title: Some(title.into()),
        page_title: None,
        byline: None,
        published: None,
        lang: None,
        url: url.into(),
        lead_image: None,
        content_html: html.into(),
        related,
        source: Source::Extracted,
    }
}

/// A state at `size` with no data loaded yet.
pub fn empty_state(size: (u16, u16)) -> State {
    let settings = Settings {
        refresh_on_start: false,
        ..Settings::default()
    };
    State::new(settings, now(), size)
}

/// The worker's answer to the list load `generation`: `rows` as the whole list, `selected`
/// selected; what `update` asks for next.
pub fn answer_list(
    state: &mut State,
    generation: u64,
    rows: Vec<ItemSummary>,
    selected: Option<usize>,
) -> Vec<Effect> {
    answer_window(state, generation, rows.len(), rows, selected)
}

/// [`answer_list`] with `rows` the first window of a list of `total`.
fn answer_window(
    state: &mut State,
    generation: u64,
    total: usize,
    rows: Vec<ItemSummary>,
    selected: Option<usize>,
) -> Vec<Effect> {
    let window = Action::ListLoaded(ListWindow {
        generation,
        total,
        offset: 0,
        rows,
        selected,
    });
    update(state, window)
}

/// The generation of the headline list that `effects` ask to load.
pub fn list_generation(effects: &[Effect]) -> u64 {
    let generation = effects.iter().find_map(|e| match e {
        Effect::LoadList(request) => Some(request.generation),
        _ => None,
    });
    generation.unwrap_or_else(|| panic!("no list load in {effects:?}"))
}

/// Start `state` (`init`) and answer what it asks for: `feeds` with `unread_total`, then the
/// first window of a list of `total` fixture headlines with `selected` selected.
pub fn start_and_load(
    state: &mut State,
    feeds: Vec<Feed>,
    unread_total: i64,
    total: usize,
    selected: Option<usize>,
) {
    let generation = list_generation(&init(state));
    let feeds_loaded = Action::FeedsLoaded {
        feeds,
        unread_total,
    };
    update(state, feeds_loaded);
    answer_window(
        state,
        generation,
        total,
        rows(0, total.min(WINDOW)),
        selected,
    );
}

/// Open the selected headline in the reader: its row, and the id of the page it opened.
pub fn open_selected(state: &mut State) -> (ItemSummary, u64) {
    let row = state
        .list
        .selected_row()
        .cloned()
        .expect("a selected headline");
    update(state, Action::Open);
    let page = state.page().map(|p| p.id).expect("an open page");
    (row, page)
}

/// A state at `size` after start-up: [`feeds`], and the first window of a list of `total`
/// headlines, the first selected.
pub fn loaded(size: (u16, u16), total: usize) -> State {
    let mut state = empty_state(size);
    start_and_load(&mut state, feeds(), 55, total, Some(0));
    state
}
