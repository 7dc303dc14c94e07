//! Feed documents: parsing and normalising (RSS, Atom, JSON Feed), discovering the feed behind
//! a page, and OPML subscription lists.

pub mod dates;
pub mod discover;
pub(crate) mod markup;
pub mod opml;
pub mod parse;
mod repair;

pub use parse::parse_feed;
