//! The article behind an item, for the reading pane and `kiosque read/extract`: the cache
//! first, else fetch the page and extract it within a time bound, cache it; on any failure the
//! feed's own content, saying why.

use crate::article::extract::extract_article;
use crate::article::Article;
use crate::fetch::Fetcher;
use crate::model::Item;
use crate::store::Store;
use std::path::Path;
use std::time::Duration;
use url::Url;

/// The longest one page's extraction may take before we give up and show the feed content.
pub const EXTRACTION_TIME_LIMIT: Duration = Duration::from_secs(3);

/// An article and, when it is not the extracted page, why.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedArticle {
    pub article: Article,
    /// Why the feed content is shown instead of the page (fetch failed, too little text…).
    pub note: Option<String>,
}

/// The feed's own content as an article (`source: feed`).
pub fn article_from_item(item: &Item) -> Article {
    let s = &item.summary;
    let html = item
        .content_html
        .clone()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| item.summary_html.clone())
        .unwrap_or_default();
    Article::from_feed(
        Some(s.title.clone()),
        s.url.clone().unwrap_or_default(),
        item.author.clone(),
        Some(s.published.to_rfc3339()),
        html,
    )
}

/// Extract an already-fetched page, bounded in time (CPU work on a blocking thread).
pub async fn extract_bounded(html: String, page_url: Url) -> Result<Article, String> {
    let work = tokio::task::spawn_blocking(move || extract_article(&html, &page_url));
    match tokio::time::timeout(EXTRACTION_TIME_LIMIT, work).await {
        Ok(Ok(Ok(article))) => Ok(article),
        Ok(Ok(Err(e))) => Err(e.to_string()),
        Ok(Err(e)) => Err(format!("the extractor crashed: {e}")),
        Err(_) => Err(format!(
            "extraction took longer than {} s",
            EXTRACTION_TIME_LIMIT.as_secs()
        )),
    }
}

fn cached(db_path: &Path, url: &str) -> Option<Article> {
    Store::open(db_path)
        .and_then(|s| s.cached_article(url))
        .map_err(|e| tracing::warn!("article cache unreadable: {e}"))
        .ok()
        .flatten()
}

fn remember(db_path: &Path, url: &str, article: &Article) {
    if let Err(e) = Store::open(db_path).and_then(|mut s| s.cache_article(url, article)) {
        tracing::warn!("could not cache the article {url}: {e}");
    }
}

/// Fetch and extract `url` with no cache and no fallback.
pub async fn fetch_and_extract(fetcher: &Fetcher, url: &str) -> Result<Article, String> {
    let page = fetcher.get_page(url).await.map_err(|e| e.to_string())?;
    if let Some(ct) = &page.content_type {
        let ct = ct.to_ascii_lowercase();
        if !(ct.contains("html") || ct.contains("xml") || ct.starts_with("text/")) {
            return Err(format!(
                "the page is not HTML ({})",
                crate::text::sanitize_line(&ct)
            ));
        }
    }
    extract_bounded(page.html, page.final_url).await
}

/// The article for `url`: cached copy, else fetched and extracted (then cached), else the
/// fallback item's feed content with a note. Blocking store access happens off the async
/// threads.
pub async fn load_article(
    db_path: &Path,
    fetcher: &Fetcher,
    url: &str,
    fallback: Option<&Item>,
) -> LoadedArticle {
    let path = db_path.to_path_buf();
    let key = url.to_string();
    if let Ok(Some(article)) = tokio::task::spawn_blocking(move || cached(&path, &key)).await {
        return LoadedArticle {
            article,
            note: None,
        };
    }
    match fetch_and_extract(fetcher, url).await {
        Ok(article) => {
            let path = db_path.to_path_buf();
            let key = url.to_string();
            let copy = article.clone();
            let _ = tokio::task::spawn_blocking(move || remember(&path, &key, &copy)).await;
            LoadedArticle {
                article,
                note: None,
            }
        }
        Err(why) => {
            let note = Some(format!(
                "showing the feed's content: {}",
                crate::text::sanitize_line(&why)
            ));
            match fallback {
                Some(item) => LoadedArticle {
                    article: article_from_item(item),
                    note,
                },
                None => LoadedArticle {
                    article: Article::from_feed(None, url.to_string(), None, None, String::new()),
                    note,
                },
            }
        }
    }
}
