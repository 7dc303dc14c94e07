//! Plain data shared by every layer: ids, feeds, items, enclosures, links. No I/O here.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Row id of a subscribed feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FeedId(pub i64);

/// Row id of a stored item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ItemId(pub i64);

impl std::fmt::Display for FeedId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for ItemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A media file attached to an item (podcast audio, image…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Enclosure {
    pub url: String,
    pub mime_type: Option<String>,
    pub length: Option<u64>,
    /// Playing time in whole seconds (`itunes:duration`, `media:content duration`). Items
    /// stored before this field existed read as `None`.
    #[serde(default)]
    pub duration: Option<u64>,
}

/// What the parser produced from one feed document, before it is stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedFeed {
    /// Feed title, sanitised; `None` when the document has none.
    pub title: Option<String>,
    /// The site's home page, absolute.
    pub site_url: Option<String>,
    pub items: Vec<ParsedItem>,
}

/// One entry of a parsed feed, normalised (clean title, absolute links, stable key).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedItem {
    /// Stable across parses of the same document: guid, else link, else a hash of title and date.
    pub dedupe_key: String,
    /// Plain text, sanitised, never empty (falls back to a snippet of the content or "(untitled)").
    pub title: String,
    /// Absolute http(s) URL of the article page.
    pub url: Option<String>,
    pub author: Option<String>,
    /// `None` when the feed gives no parseable date: the store then uses the first-seen time.
    pub published: Option<DateTime<Utc>>,
    /// HTML (links made absolute).
    pub summary_html: Option<String>,
    /// HTML (links made absolute).
    pub content_html: Option<String>,
    pub enclosures: Vec<Enclosure>,
}

/// A subscription as stored, with its fetch state and counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feed {
    pub id: FeedId,
    pub url: String,
    pub title: String,
    pub site_url: Option<String>,
    pub tags: Vec<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetched: Option<DateTime<Utc>>,
    /// HTTP status of the last fetch, if one got an answer.
    pub status: Option<u16>,
    /// Why the last fetch failed, if it did.
    pub error: Option<String>,
    /// Not to be fetched before this time by the automatic refresh (Retry-After, backoff).
    pub next_due: Option<DateTime<Utc>>,
    /// Not to be fetched before this time at all: the server said so (429/503 Retry-After).
    pub retry_after: Option<DateTime<Utc>>,
    /// Set when the server answered 410 Gone: no longer fetched.
    pub disabled: bool,
    pub unread: i64,
    pub total: i64,
    /// This feed's own settings (`None`: as the config says).
    pub settings: FeedSettings,
}

/// Settings of one feed, stored with it; `None` means "as the config says".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedSettings {
    /// Minutes between automatic refreshes of this feed.
    pub refresh_minutes: Option<u32>,
    /// `false`: the reader shows the feed's own content and never fetches the page.
    pub extract: bool,
    /// Days read, unstarred items are kept after they left the feed.
    pub keep_days: Option<u32>,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            refresh_minutes: None,
            extract: true,
            keep_days: None,
        }
    }
}

/// One headline as the lists show it (no HTML bodies: those are loaded on open).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSummary {
    pub id: ItemId,
    pub feed_id: FeedId,
    pub feed_title: String,
    pub title: String,
    pub url: Option<String>,
    /// Published date, else first-seen time.
    pub published: DateTime<Utc>,
    /// False when the feed gave no date: `published` is then the time kiosque first saw it.
    pub dated: bool,
    pub read: bool,
    pub starred: bool,
    /// Titles of the other feeds that carry the same story (empty when none).
    pub also_in: Vec<String>,
}

/// A whole stored item, for the reading pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub summary: ItemSummary,
    pub author: Option<String>,
    pub summary_html: Option<String>,
    pub content_html: Option<String>,
    pub enclosures: Vec<Enclosure>,
}

/// A link the article itself offers as further reading ("À lire", "See also", "Via"…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RelatedLink {
    /// The label as the page wrote it, trimmed of punctuation ("A lire", "Sur le même thème", "via").
    pub label: String,
    pub title: String,
    /// Absolute URL.
    pub url: String,
}

/// A link left in the cleaned text, numbered in reading order (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Link {
    pub n: usize,
    pub text: String,
    pub url: String,
}
