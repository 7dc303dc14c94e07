//! The TUI's state: plain data with one owner (the loop) and one writer (`update`).
//! Only a window of the headline list is held; the worker pages rows in from the store.

use chrono::{DateTime, Utc};

use crate::article::render::StyledSpan;
use crate::model::{Feed, FeedId, ItemId, ItemSummary, Link, RelatedLink};

/// How many headline rows are kept around the viewport.
pub const WINDOW: usize = 300;
/// When the selection comes this close to the window's edge, the next window is paged in.
pub const WINDOW_MARGIN: usize = 60;

/// Settings from the config that change behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub mark_read_on_open: bool,
    pub refresh_on_start: bool,
    /// 0 disables the timer.
    pub refresh_minutes: u64,
    /// Unread articles of a selected feed fetched ahead into the cache (0: none).
    pub prefetch: usize,
    /// `[sync]` is set: a refresh (key, start-up, timer) is a sync with the server.
    pub sync: bool,
    /// Colours (or none, under NO_COLOR).
    pub theme: crate::tui::view::theme::Theme,
    /// Links in the reader are written as OSC 8 hyperlinks (the terminal is known to
    /// support them, or the config says so).
    pub hyperlinks: bool,
    /// Pictures are drawn in the reader (the config's `images`, and the terminal can).
    pub images: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mark_read_on_open: true,
            refresh_on_start: true,
            refresh_minutes: 30,
            prefetch: 0,
            sync: false,
            theme: crate::tui::view::theme::Theme::default(),
            hyperlinks: false,
            images: false,
        }
    }
}

/// Which keymap applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing into the search field.
    Search,
    /// The help overlay is shown.
    Help,
    /// The list of every link of the article is shown.
    Links,
    /// Typing into a feed prompt (add, rename, tags) or answering a confirmation.
    Prompt,
}

/// What a feed prompt asks for (`State::prompt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// The URL of a feed (or of a page that advertises one) to subscribe to.
    AddFeed,
    /// A new title for this feed.
    RenameFeed(FeedId),
    /// This feed's tags, comma-separated.
    EditTags(FeedId),
    /// Remove this feed (and its items)? y/n.
    ConfirmRemove(FeedId),
    /// Delete this saved search (its row id)? y/n.
    ConfirmDeleteSearch(i64),
}

/// A feed prompt in the status line: what it asks, the text typed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPrompt {
    pub kind: PromptKind,
    /// The feed's title, for the question.
    pub feed_title: String,
    pub input: String,
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    Feeds,
    #[default]
    Headlines,
    Reader,
}

/// What the headline list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListSource {
    #[default]
    All,
    Unread,
    Starred,
    Feed(FeedId),
    /// A saved search: its index in [`State::smart_feeds`] (its query is in [`ListQuery`]).
    Smart(usize),
}

/// The list's filter, as the worker turns it into a store query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    pub source: ListSource,
    /// The search typed after `/`, in the query language (it parses).
    pub search: Option<String>,
    /// The query of the saved search shown ([`ListSource::Smart`]), in the query language.
    pub smart: Option<String>,
}

/// A saved search in the sidebar: from `[[smart_feeds]]` or saved from the search prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartFeed {
    pub name: String,
    pub query: String,
    /// Unread items it matches.
    pub unread: usize,
    /// Its row in the database when it was saved from the search prompt (`None`: from the
    /// config file, which only the user edits).
    pub saved_id: Option<i64>,
}

/// The headline list: its length and a window of loaded rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListState {
    pub query: ListQuery,
    /// Generation of the latest list request; older answers are dropped.
    pub generation: u64,
    /// Offset of the window the latest request asked for (to avoid asking twice).
    pub requested_offset: Option<usize>,
    /// Rows in the whole list.
    pub total: usize,
    /// Position of `rows[0]` in the list.
    pub offset: usize,
    pub rows: Vec<ItemSummary>,
    /// Selected position in the whole list.
    pub selected: usize,
    /// First visible position.
    pub top: usize,
    /// The first answer arrived.
    pub loaded: bool,
    /// The query whose answer the rows are (`None` before the first answer): when it differs
    /// from `query`, a newer list is on its way.
    pub shown_query: Option<ListQuery>,
    /// Enter was pressed while a newer list was on its way: open its selected row on arrival.
    pub open_on_arrival: bool,
}

impl ListState {
    /// The row at a list position, if it is in the window.
    pub fn row(&self, position: usize) -> Option<&ItemSummary> {
        position
            .checked_sub(self.offset)
            .and_then(|i| self.rows.get(i))
    }

    /// The selected row, if loaded.
    pub fn selected_row(&self) -> Option<&ItemSummary> {
        self.row(self.selected)
    }

    /// Mutable access to a row by id, if it is in the window.
    pub fn row_by_id_mut(&mut self, id: ItemId) -> Option<&mut ItemSummary> {
        self.rows.iter_mut().find(|r| r.id == id)
    }
}

/// What kind of line of a reader page this is (the theme styles each kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Title,
    Meta,
    Note,
    Body,
    /// "Links" / "Related" headings.
    Section,
    /// One entry of the link or related list.
    LinkEntry,
}

/// One laid-out line of a reader page.
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderLine {
    pub kind: LineKind,
    pub spans: Vec<StyledSpan>,
}

/// A reader page laid out at one width: computed once per (page content, width) by the worker.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReaderLayout {
    pub lines: Vec<ReaderLine>,
    /// Every link of the text, numbered as the text shows them.
    pub links: Vec<Link>,
    /// The article's images, where they go (rows 0: not drawn, or not loaded yet).
    pub images: Vec<ImagePlacement>,
}

/// Where an image of a laid-out page goes: `rows` blank lines from `line` are kept for it
/// (above its `[image: …]` placeholder, which stays as its caption).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePlacement {
    pub line: usize,
    pub rows: u16,
    pub key: crate::tui::images::ImageKey,
}

/// One page of the reader: an item, or an article reached by following a link.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReaderPage {
    /// Unique id; worker answers carry it.
    pub id: u64,
    pub item_id: Option<ItemId>,
    pub url: Option<String>,
    pub title: String,
    pub feed_title: Option<String>,
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// The HTML shown now (the feed's, then the extracted article's).
    pub html: Option<String>,
    pub related: Vec<RelatedLink>,
    pub note: Option<String>,
    /// The item's media files (podcast audio, video), as the feed gave them.
    pub enclosures: Vec<crate::model::Enclosure>,
    /// Waiting for the stored item.
    pub item_loading: bool,
    /// Waiting for the extracted article (spinner).
    pub article_loading: bool,
    /// The extracted article replaced the feed content.
    pub extracted: bool,
    /// A followed link whose page could not be loaded (there is no feed text to show).
    pub unavailable: bool,
    /// Laid-out lines and the width they were laid out at.
    pub lines: Option<ReaderLayout>,
    pub rendered_width: u16,
    /// Width of the latest layout request (0: none).
    pub requested_width: u16,
    /// First visible line.
    pub scroll: usize,
    /// Selected entry in the link list.
    pub link_cursor: usize,
}

/// One entry of the `l` link list: a link of the text (`[3]`) or a related link (`2.`),
/// labelled as the reading pane numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEntry {
    pub label: String,
    pub text: String,
    pub url: String,
    /// A media file of the item (`▶N`): Enter plays it rather than loading it as a page.
    pub media: bool,
}

impl ReaderPage {
    /// Every link of the page for the `l` list: the text's links, then the related links.
    pub fn link_entries(&self) -> Vec<LinkEntry> {
        let text_links = self
            .lines
            .iter()
            .flat_map(|l| &l.links)
            .map(|link| LinkEntry {
                label: format!("[{}]", link.n),
                text: link.text.clone(),
                url: link.url.clone(),
                media: false,
            });
        let related = self.related.iter().enumerate().map(|(i, link)| LinkEntry {
            label: format!("{}.", i + 1),
            text: if link.label.is_empty() {
                link.title.clone()
            } else {
                format!("{}: {}", link.label, link.title)
            },
            url: link.url.clone(),
            media: false,
        });
        let media = self
            .enclosures
            .iter()
            .enumerate()
            .map(|(i, enclosure)| LinkEntry {
                label: format!("▶{}", i + 1),
                text: crate::media::describe(enclosure),
                url: enclosure.url.clone(),
                media: true,
            });
        text_links.chain(related).chain(media).collect()
    }

    /// How many entries the `l` list has.
    pub fn link_count(&self) -> usize {
        self.lines.as_ref().map_or(0, |l| l.links.len())
            + self.related.len()
            + self.enclosures.len()
    }

    /// The `l` list's entry at `index`.
    pub fn link_entry(&self, index: usize) -> Option<LinkEntry> {
        self.link_entries().into_iter().nth(index)
    }
}

/// The status line's data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Status {
    pub unread_total: i64,
    /// (done, total) while a refresh runs.
    pub refresh: Option<(usize, usize)>,
    pub last_error: Option<String>,
    /// A sync with the server runs.
    pub syncing: bool,
    /// Local changes queued for the sync server.
    pub sync_pending: usize,
    /// Why the last sync failed (`None` after a success).
    pub sync_error: Option<String>,
    /// A passing message ("copied", "3 new items").
    pub notice: Option<String>,
}

/// The whole TUI state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub settings: Settings,
    /// "Now" from the injected clock, refreshed on every tick.
    pub now: DateTime<Utc>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub mode: Mode,
    pub focus: Focus,
    pub show_feeds: bool,
    pub feeds: Vec<Feed>,
    /// The feeds arrived at least once (an empty `feeds` then means no subscriptions).
    pub feeds_loaded: bool,
    /// What tells feeds with the same title apart (their host, else their path), by feed.
    pub feed_qualifiers: std::collections::HashMap<FeedId, String>,
    /// Cursor in the sidebar: 0 All, 1 Unread, 2 Starred, then the smart feeds, then the feeds.
    pub feed_cursor: usize,
    /// Saved searches shown in the sidebar between "Starred" and the feeds.
    pub smart_feeds: Vec<SmartFeed>,
    pub list: ListState,
    /// The reader's page stack; empty when no article is open.
    pub pages: Vec<ReaderPage>,
    pub next_page_id: u64,
    pub status: Status,
    /// The search field while typing.
    pub search_input: String,
    /// Ids changed by the last bulk change, for `u`.
    pub undo: Option<Vec<ItemId>>,
    /// When the timer refresh is due next.
    pub next_refresh: Option<DateTime<Utc>>,
    pub refreshing: bool,
    /// Generation of the latest next/previous-unread request.
    pub unread_generation: u64,
    /// Open this item once its row is paged in (after a jump to an unread item).
    pub pending_open: Option<ItemId>,
    /// Where the last `n`/`N` landed: the next `n` goes past it.
    pub unread_landed: Option<ItemId>,
    /// The direction of the latest next/previous-unread request (true: `n`, older items).
    pub unread_forward: bool,
    /// The help overlay's rows, generated from the keymap.
    pub help: Vec<crate::tui::keymap::HelpRow>,
    /// First shown line of the help overlay when it does not fit the screen.
    pub help_scroll: usize,
    pub spinner: usize,
    pub quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// The feed whose unread articles were last handed to the prefetcher (once per visit).
    pub prefetched_feed: Option<crate::model::FeedId>,
    /// The open pages' images at the reader's size: loading, ready to draw, or refused.
    pub images:
        std::collections::HashMap<crate::tui::images::ImageKey, crate::tui::images::ImageStatus>,
    /// How the feeds sidebar groups, hides and sorts feeds (`tui::sidebar`).
    pub sidebar: crate::tui::sidebar::SidebarView,
    /// The feed prompt shown in the status line (`Mode::Prompt`).
    pub prompt: Option<FeedPrompt>,
}

impl State {
    pub fn new(settings: Settings, now: DateTime<Utc>, size: (u16, u16)) -> State {
        State {
            settings,
            now,
            size,
            mode: Mode::Normal,
            focus: Focus::Headlines,
            show_feeds: false,
            feeds: Vec::new(),
            feeds_loaded: false,
            feed_qualifiers: std::collections::HashMap::new(),
            feed_cursor: 0,
            smart_feeds: Vec::new(),
            list: ListState::default(),
            pages: Vec::new(),
            next_page_id: 1,
            status: Status::default(),
            search_input: String::new(),
            undo: None,
            next_refresh: None,
            refreshing: false,
            unread_generation: 0,
            pending_open: None,
            unread_landed: None,
            unread_forward: true,
            help: crate::tui::keymap::Keymap::default().help().to_vec(),
            help_scroll: 0,
            spinner: 0,
            quit: false,
            dirty: true,
            prefetched_feed: None,
            images: std::collections::HashMap::new(),
            sidebar: crate::tui::sidebar::SidebarView {
                folders: true,
                ..Default::default()
            },
            prompt: None,
        }
    }

    /// The page the reader shows, if an article is open.
    pub fn page(&self) -> Option<&ReaderPage> {
        self.pages.last()
    }

    pub fn page_mut(&mut self) -> Option<&mut ReaderPage> {
        self.pages.last_mut()
    }

    /// Number of sidebar rows (three virtual ones, then folders and feeds).
    pub fn sidebar_len(&self) -> usize {
        crate::tui::sidebar::rows(self).len()
    }

    /// The sidebar row under the cursor.
    pub fn sidebar_row(&self) -> Option<crate::tui::sidebar::SidebarRow> {
        crate::tui::sidebar::rows(self)
            .into_iter()
            .nth(self.feed_cursor)
    }

    /// The title of a feed by id.
    pub fn feed_title(&self, id: FeedId) -> Option<&str> {
        self.feeds
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.title.as_str())
    }

    /// A feed's name as shown: its title, with its host when another feed has the same title.
    pub fn feed_label(&self, id: FeedId, title: &str) -> String {
        match self.feed_qualifiers.get(&id) {
            Some(qualifier) => format!("{title} ({qualifier})"),
            None => title.to_string(),
        }
    }
}

/// For every feed whose title another feed also has: what tells it apart, its host ("www."
/// dropped), or its URL's path when the host is shared too ("feeds/main"; "host/feeds/main"
/// `with_host`, as `kiosque list` says it). The TUI's labels and the CLI's list use this one rule.
pub fn feed_qualifiers(
    feeds: &[Feed],
    with_host: bool,
) -> std::collections::HashMap<FeedId, String> {
    use std::collections::HashMap;
    // Grouped once by title, then by host (a pairwise comparison took a second at 3,000 feeds).
    let mut by_title: HashMap<String, Vec<&Feed>> = HashMap::new();
    for feed in feeds {
        by_title
            .entry(feed.title.trim().to_lowercase())
            .or_default()
            .push(feed);
    }
    let mut qualifiers = HashMap::new();
    for group in by_title.values().filter(|g| g.len() > 1) {
        let parsed: Vec<(FeedId, String, String)> = group
            .iter()
            .map(|f| {
                let url = url::Url::parse(&f.url).ok();
                let host = url
                    .as_ref()
                    .and_then(|u| u.host_str())
                    .map(|h| h.strip_prefix("www.").unwrap_or(h).to_string())
                    .unwrap_or_else(|| f.url.clone());
                let path = url
                    .as_ref()
                    .map(|u| {
                        let path = u.path().trim_matches('/');
                        match u.query() {
                            Some(q) => format!("{path}?{q}"),
                            None => path.to_string(),
                        }
                    })
                    .unwrap_or_default();
                (f.id, host, path)
            })
            .collect();
        let mut per_host: HashMap<&str, usize> = HashMap::new();
        for (_, host, _) in &parsed {
            *per_host.entry(host.as_str()).or_default() += 1;
        }
        for (id, host, path) in &parsed {
            let qualifier = match (per_host[host.as_str()] > 1 && !path.is_empty(), with_host) {
                (false, _) => host.clone(),
                (true, false) => path.clone(),
                (true, true) => format!("{host}/{path}"),
            };
            qualifiers.insert(*id, qualifier);
        }
    }
    qualifiers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_sharing_a_title_are_told_apart_by_host_then_path() {
        let feed = |id, title: &str, url: &str| Feed {
            id: FeedId(id),
            url: url.into(),
            title: title.into(),
            ..Default::default()
        };
        let feeds = [
            feed(1, "Daring Fireball", "https://a.example/feed"),
            feed(2, "daring fireball ", "https://www.a.example/links?x=1"),
            feed(3, "Daring Fireball", "https://b.example/rss"),
            feed(4, "Elsewhere", "https://a.example/other"),
        ];
        let said = |with_host| {
            let qualifiers = feed_qualifiers(&feeds, with_host);
            feeds
                .iter()
                .map(|f| qualifiers.get(&f.id).cloned())
                .collect::<Vec<_>>()
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            said(true),
            [
                some("a.example/feed"),
                some("a.example/links?x=1"),
                some("b.example"),
                None
            ]
        );
        assert_eq!(
            said(false),
            [some("feed"), some("links?x=1"), some("b.example"), None]
        );
    }
}
