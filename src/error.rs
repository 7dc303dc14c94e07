//! The library's error enums (thiserror). Messages are for users: they say what failed, on
//! what, and where it helps, what to do about it.

use thiserror::Error;

/// Fetching a URL over HTTP failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FetchError {
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("refusing {url:?}: only http and https URLs are fetched")]
    UnsupportedScheme { url: String },
    #[error("timed out after {seconds} s")]
    Timeout { seconds: u64 },
    #[error("response larger than the {limit_bytes}-byte limit")]
    TooLarge { limit_bytes: u64 },
    #[error("HTTP {status}{}", reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default())]
    Status { status: u16, reason: Option<String> },
    #[error("too many redirects (more than {limit})")]
    TooManyRedirects { limit: usize },
    #[error("could not connect: {detail}")]
    Connect { detail: String },
    #[error("TLS error: {detail}")]
    Tls { detail: String },
    #[error("network error: {detail}")]
    Network { detail: String },
}

/// A document could not be read as a feed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    #[error("not a feed: {detail}")]
    NotAFeed { detail: String },
    #[error("malformed feed: {detail}")]
    Malformed { detail: String },
    #[error("the feed parser crashed on this document ({detail}); the feed was skipped")]
    ParserPanic { detail: String },
}

/// An OPML file could not be imported.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum OpmlError {
    #[error("malformed OPML at byte {position}: {detail}")]
    Malformed { position: u64, detail: String },
    #[error("not an OPML file: {detail}")]
    NotOpml { detail: String },
    #[error("OPML nested deeper than {limit} levels")]
    TooDeep { limit: usize },
}

/// The database could not be read or written.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "the database {path} is locked by another kiosque (or another program); try again when it has finished"
    )]
    Locked { path: String },
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the database was written by a newer kiosque (schema {found}, this one knows {known}); upgrade kiosque"
    )]
    TooNew { found: i64, known: i64 },
    #[error("no feed matches {what:?}")]
    NoSuchFeed { what: String },
    #[error("no item with id {id}")]
    NoSuchItem { id: i64 },
    #[error("already subscribed to {url}")]
    AlreadySubscribed { url: String },
    #[error("database error while {doing}: {source}")]
    Sqlite {
        doing: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The store writer thread (the one write connection) has stopped.
    #[error("the database writer stopped")]
    WriterStopped,
}

/// Shorthand used with `map_err` to attach what we were doing to a rusqlite error.
#[allow(dead_code, reason = "used by the store, written next")]
pub(crate) fn sql(doing: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { doing, source }
}
