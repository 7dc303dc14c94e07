//! feed-rs → model: clean titles, absolute links, dates, stable dedupe keys, panics contained.

use crate::error::ParseError;
use crate::model::ParsedFeed;
use url::Url;

/// Parse one feed document. Never panics: a parser panic becomes [`ParseError::ParserPanic`].
/// CPU-bound: call it from a blocking thread.
pub fn parse_feed(
    bytes: &[u8],
    content_type: Option<&str>,
    feed_url: &Url,
) -> Result<ParsedFeed, ParseError> {
    let _ = (bytes, content_type, feed_url);
    Err(ParseError::NotAFeed {
        detail: "parser not written yet".into(),
    })
}
