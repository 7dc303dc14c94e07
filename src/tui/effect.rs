//! Work that `update` asks for: IO the worker runs off the UI thread, reporting back as
//! [`crate::tui::action::Action`]s.

use crate::model::{Item, ItemId, ItemSummary, RelatedLink};
use crate::tui::state::ListQuery;

/// Which row the selection should land on after a list load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// Keep the selection on this item wherever it moved (refresh, filter change).
    Item(ItemId),
    /// Put the selection on this position.
    Position(usize),
    /// Only page rows in; the selection is already where it should be.
    None,
}

/// What a reader page is built from (title, meta line, HTML, related links).
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderDoc {
    pub title: String,
    /// `feed · author · date · link`.
    pub meta: String,
    pub html: String,
    pub related: Vec<RelatedLink>,
    /// A note shown above the text (e.g. "extraction failed: showing the feed's text").
    pub note: Option<String>,
    /// The item's media files, listed above the text.
    pub enclosures: Vec<crate::model::Enclosure>,
    /// `None`: no pictures. Else the rows each image takes (those known).
    pub images: Option<ImageSlots>,
}

/// What the layout needs to keep room for images.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageSlots {
    /// Rows an image may take at most (part of its [`crate::tui::images::ImageKey`]).
    pub max_rows: u16,
    /// Rows of each image ready to draw, by URL.
    pub rows: std::collections::HashMap<String, u16>,
}

/// Count the list and load `limit` rows centred on the anchor's position (else `around`); a
/// newer generation supersedes this one. Answered by a [`ListWindow`].
#[derive(Debug, Clone, PartialEq)]
pub struct ListRequest {
    pub generation: u64,
    pub query: ListQuery,
    pub anchor: Anchor,
    pub around: usize,
    pub limit: usize,
}

/// A window of the headline list, loaded for the request `generation`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListWindow {
    pub generation: u64,
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<ItemSummary>,
    /// Where the selection goes (the anchored item's new position), if the request asked.
    pub selected: Option<usize>,
}

/// One request to the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Load the feeds with their unread counts and the unread total.
    LoadFeeds,
    /// Subscribe to the feed at this URL (or the one the page advertises), with its items.
    AddFeed { url: String },
    /// Unsubscribe from a feed (its starred items stay).
    RemoveFeed { id: crate::model::FeedId },
    /// Change a feed's title, tags or settings.
    UpdateFeed {
        id: crate::model::FeedId,
        change: crate::store::FeedChange,
    },
    /// Load a window of the headline list.
    LoadList(ListRequest),
    /// Find the next (forward = older) or previous unread item from `from`.
    FindUnread {
        generation: u64,
        query: ListQuery,
        from: Option<ItemId>,
        forward: bool,
    },
    /// Load one stored item for reader page `page`.
    LoadItem { page: u64, id: ItemId },
    /// Load (cache, else fetch and extract) the article at `url` for reader page `page`.
    LoadArticle {
        page: u64,
        url: String,
        fallback: Option<Box<Item>>,
    },
    /// Lay out a reader page at `width` (off the UI thread).
    RenderPage {
        page: u64,
        width: u16,
        doc: Box<ReaderDoc>,
    },
    /// Save read marks.
    SetRead { ids: Vec<ItemId>, read: bool },
    /// Save stars.
    SetStarred { ids: Vec<ItemId>, starred: bool },
    /// Mark the whole list read.
    MarkAllRead { query: ListQuery },
    /// Undo a bulk "mark all read".
    UndoMarkAllRead { ids: Vec<ItemId> },
    /// Refresh all feeds, or one. `trigger`: the user asked (every feed fetched, failing
    /// ones too) or the timer did (feeds backing off wait).
    Refresh {
        feed: Option<crate::model::FeedId>,
        trigger: crate::refresh::RefreshTrigger,
    },
    /// Sync with the server `[sync]` names: push the queued changes, pull subscriptions,
    /// items and read/starred state (instead of a refresh when `[sync]` is set).
    Sync,
    /// Open a URL in the browser (http/https only).
    OpenUrl(String),
    /// Play a media URL with the configured player (else open it in the browser); the
    /// player's failure comes back as `Action::Failed`.
    PlayMedia(String),
    /// Copy a URL to the clipboard with OSC 52 (done by the loop, which owns the terminal).
    CopyToClipboard(String),
    /// Fetch and cache these articles in the background (politely: one page per host at once).
    Prefetch { urls: Vec<String> },
    /// Fetch, decode, scale and encode an image of the open page (answers
    /// [`crate::tui::action::Action::ImageLoaded`]).
    LoadImage(crate::tui::images::ImageKey),
    /// Save a search (its query text, valid) as a smart feed named `name`.
    SaveSearch { name: String, query: String },
    /// Forget a search saved from the prompt (its row id; the name for the notice).
    DeleteSavedSearch { id: i64, name: String },
}
