//! Feed documents: parsing and normalising (RSS, Atom, JSON Feed), discovering the feed behind
//! a page, and OPML subscription lists.

pub mod discover;
pub mod opml;
pub mod parse;

pub use parse::parse_feed;
