//! Everything that can change the TUI's state: user intents (verbs) and worker outcomes
//! (past tense). `update` is the only consumer.

use chrono::{DateTime, Utc};

use crate::article::Article;
use crate::model::{Feed, Item, ItemId};
use crate::tui::effect::ListWindow;
use crate::tui::state::ReaderLayout;

/// One message for [`crate::tui::update::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // ---- user intents (bindable from the config by their snake_case name) ----
    /// Move the selection down one row (in the reader: scroll one line).
    MoveDown,
    /// Move the selection up one row (in the reader: scroll one line).
    MoveUp,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Open the selected item in the reader (or show the selected feed).
    Open,
    /// Move the focus to the next pane.
    SwitchPane,
    /// Scroll the reader down one page.
    PageDown,
    /// Scroll the reader up one page.
    PageUp,
    /// Scroll the reader down one line.
    ScrollDown,
    /// Scroll the reader up one line.
    ScrollUp,
    /// Select the next unread item (older), across feeds.
    NextUnread,
    /// Select the previous unread item (newer), across feeds.
    PrevUnread,
    /// Flip the read mark of the selected item.
    ToggleRead,
    /// Flip the star of the selected item.
    ToggleStar,
    /// Mark every item of the current list read.
    MarkAllRead,
    /// Undo the last bulk change (mark all read).
    Undo,
    /// Refresh every feed.
    RefreshAll,
    /// Refresh the feed of the current list (or of the selected item).
    RefreshFeed,
    /// Start typing a search.
    Search,
    /// Clear the search, close the overlay or the link list.
    Clear,
    /// Open the item (or selected link) in the web browser.
    OpenInBrowser,
    /// Copy the item's URL to the clipboard (OSC 52).
    CopyUrl,
    /// Play the open item's first media file (podcast, video) with the configured player.
    PlayMedia,
    /// Follow related link N (1-9) inside the reader.
    FollowRelated(u8),
    /// List every link of the article to follow one.
    ListLinks,
    /// Go back to the previous page of the reader.
    Back,
    /// Show or hide the feeds sidebar.
    ToggleFeeds,
    /// Hide the feeds with nothing unread from the sidebar, or list them again.
    ToggleReadFeeds,
    /// Sort the sidebar's feeds by name, or by unread count.
    ToggleFeedSort,
    /// Subscribe to a feed: asks for its URL (or a page's).
    AddFeed,
    /// Unsubscribe from the feed under the cursor (or of the list, or of the item): asks first.
    RemoveFeed,
    /// Rename that feed: asks for the title.
    RenameFeed,
    /// Change that feed's tags: asks for them, comma-separated.
    EditFeedTags,
    /// Turn article extraction off (the feed's own content) or on again for that feed.
    ToggleFeedExtract,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Close the open article, then quit.
    Quit,
    /// Quit at once, whatever is open (Ctrl-C).
    Exit,
    // ---- raw input that is not bound by name ----
    /// A character typed into the search field.
    SearchInput(char),
    /// Delete the last character of the search field.
    SearchDeleteChar,
    /// Keep the typed search and leave the search field.
    SearchSubmit,
    /// Save the current search as a smart feed (from the search field or the list).
    SaveSearch,
    /// A character typed into a feed prompt.
    PromptInput(char),
    /// Delete the last character of a feed prompt.
    PromptDeleteChar,
    /// Answer a feed prompt with what was typed.
    PromptSubmit,
    /// A left click at this cell.
    Click { column: u16, row: u16 },
    /// A mouse wheel turn at this cell.
    Wheel { column: u16, row: u16, down: bool },
    /// The terminal was resized.
    Resize { width: u16, height: u16 },
    /// Time passed (drives the spinner, relative ages and the refresh timer).
    Tick(DateTime<Utc>),
    // ---- worker outcomes ----
    /// The feeds and the unread total were (re)loaded.
    FeedsLoaded { feeds: Vec<Feed>, unread_total: i64 },
    /// The saved searches (config, then saved in the TUI) with their unread counts.
    SmartFeedsLoaded {
        smart_feeds: Vec<crate::tui::state::SmartFeed>,
    },
    /// A search was saved as a smart feed.
    SearchSaved { name: String },
    /// A saved search was deleted.
    SearchDeleted { name: String },
    /// A window of the headline list was loaded.
    ListLoaded(ListWindow),
    /// The next/previous unread item was looked up.
    UnreadFound {
        generation: u64,
        /// Its position in the list and its id, or `None` when there is none.
        found: Option<(usize, ItemId)>,
        /// Nothing in the current list: the search went on in "All".
        switched_to_all: bool,
    },
    /// The item behind a reader page was loaded from the store.
    ItemLoaded { page: u64, item: Box<Item> },
    /// The extracted article for a reader page arrived (or the feed fallback with a note).
    ArticleReady {
        page: u64,
        article: Box<Article>,
        /// Why the feed's content is shown instead of the page, when it is.
        note: Option<String>,
    },
    /// A reader page was laid out at `width`.
    PageRendered {
        page: u64,
        width: u16,
        lines: ReaderLayout,
    },
    /// The read mark of these items was saved.
    ReadSaved { ids: Vec<ItemId>, read: bool },
    /// The star of these items was saved.
    StarSaved { ids: Vec<ItemId>, starred: bool },
    /// "Mark all read" was saved; these ids changed (kept for undo).
    AllMarkedRead { ids: Vec<ItemId> },
    /// The undo of a bulk change was saved.
    UndoSaved { ids: Vec<ItemId> },
    /// A refresh started on this many feeds.
    RefreshStarted { total: usize },
    /// One more feed of the refresh is done; `error` when it failed.
    RefreshProgress {
        feed_title: String,
        error: Option<String>,
    },
    /// The refresh is over.
    RefreshFinished { new_items: usize, failed: usize },
    /// The sync queue and the last sync error, read with the feeds when `[sync]` is set.
    SyncStatusLoaded {
        pending: usize,
        last_error: Option<String>,
    },
    /// A sync is over; `error` when it failed (its queued changes are kept).
    SyncFinished {
        new_items: usize,
        pushed: usize,
        pending: usize,
        error: Option<String>,
    },
    /// A feed was added, removed or changed: `notice` says what; `show` is a new feed to list.
    FeedsChanged {
        notice: String,
        show: Option<crate::model::FeedId>,
        /// A feed that went (its list, if shown, gives way to All).
        removed: Option<crate::model::FeedId>,
    },
    /// Background work failed; shown in the status line.
    Failed { doing: String, error: String },
    /// An image of the open page is ready to draw, or refused (why).
    ImageLoaded {
        key: crate::tui::images::ImageKey,
        image: Result<crate::tui::images::SharedImage, String>,
    },
}

impl Action {
    /// [`Action::Failed`]: what was being done, and the error.
    pub fn failed(doing: &str, error: impl ToString) -> Action {
        Action::Failed {
            doing: doing.into(),
            error: error.to_string(),
        }
    }
}
