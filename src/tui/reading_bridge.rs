//! The reader's article loading until `crate::reading::load_article` lands on main: cache
//! first, else fetch and extract (bounded time), cache it; on failure the feed's content.

use std::path::Path;
use std::time::Duration;

use crate::article::Article;
use crate::fetch::Fetcher;
use crate::model::Item;
use crate::store::Store;
use crate::tui::worker::feed_fallback;

/// How long a page may take before the reader keeps the feed's text.
const LOAD_TIMEOUT: Duration = Duration::from_secs(20);

pub async fn load_article(
    db_path: &Path,
    fetcher: &Fetcher,
    url: &str,
    fallback: Option<&Item>,
) -> Article {
    let path = db_path.to_path_buf();
    let key = url.to_string();
    let cached = tokio::task::spawn_blocking(move || {
        Store::open(&path).and_then(|s| s.cached_article(&key))
    })
    .await;
    if let Ok(Ok(Some(article))) = cached {
        return article;
    }
    let page = match tokio::time::timeout(LOAD_TIMEOUT, fetcher.get_page(url)).await {
        Ok(Ok(page)) => page,
        Ok(Err(e)) => return feed_article(url, fallback, Some(&e.to_string())),
        Err(_) => return feed_article(url, fallback, Some("timed out")),
    };
    let final_url = page.final_url.clone();
    let extracted = tokio::task::spawn_blocking(move || {
        crate::article::extract::extract_article(&page.html, &final_url)
    })
    .await;
    match extracted {
        Ok(Ok(article)) => {
            let path = db_path.to_path_buf();
            let key = url.to_string();
            let to_cache = article.clone();
            let _ = tokio::task::spawn_blocking(move || {
                Store::open(&path).and_then(|mut s| s.cache_article(&key, &to_cache))
            })
            .await;
            article
        }
        Ok(Err(e)) => feed_article(url, fallback, Some(&e.to_string())),
        Err(e) => feed_article(url, fallback, Some(&e.to_string())),
    }
}

/// The feed's own content as the article (extraction not possible).
pub fn feed_article(url: &str, fallback: Option<&Item>, _why: Option<&str>) -> Article {
    feed_fallback(url, fallback)
}
