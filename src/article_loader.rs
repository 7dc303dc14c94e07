//! The article behind an item, for the reading pane and `kiosque read/extract`: the cache
//! first, else fetch the page and extract it within a time bound, cache it; on any failure the
//! feed's own content, saying why.

use crate::article::Article;
use crate::article::extract::extract_article;
use crate::fetch::Fetcher;
use crate::model::Item;
use crate::store::{Store, StoreWriter};
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
        s.dated.then(|| s.published.to_rfc3339()),
        html,
    )
}

/// What the page leaves out, taken from the item: a page with no headline gets the item's
/// title (not its `<title>` with the site name), one with no date the item's date. The
/// reading pane and `kiosque read` then say what the headline list says.
pub fn with_item_metadata(mut article: Article, item: Option<&Item>) -> Article {
    let Some(item) = item else {
        return article;
    };
    let s = &item.summary;
    if article.title.as_deref().is_none_or(|t| t.trim().is_empty()) && !s.title.is_empty() {
        article.title = Some(s.title.clone());
    }
    if article.published.is_none() && s.dated {
        article.published = Some(s.published.to_rfc3339());
    }
    article
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

/// [`extract_bounded`] for callers with no async runtime (`kiosque extract FILE`, which then
/// starts none): the same time bound, on a plain thread. A page still running at the bound is
/// left to the process's exit.
pub fn extract_bounded_blocking(html: String, page_url: Url) -> Result<Article, String> {
    let (sender, answer) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("kiosque-extract".into())
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                extract_article(&html, &page_url)
            }));
            let _ = sender.send(result);
        })
        .map_err(|e| format!("cannot start the extractor: {e}"))?;
    match answer.recv_timeout(EXTRACTION_TIME_LIMIT) {
        Ok(Ok(Ok(article))) => Ok(article),
        Ok(Ok(Err(e))) => Err(e.to_string()),
        Ok(Err(_)) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err("the extractor crashed".into())
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "extraction took longer than {} s",
            EXTRACTION_TIME_LIMIT.as_secs()
        )),
    }
}

/// The cached article for `url` with the item's metadata, if the cache has it: `kiosque read`
/// then needs no network set-up at all.
pub fn cached_for_item(store: &Store, url: &str, item: &Item) -> Option<LoadedArticle> {
    let article = store
        .cached_article(url)
        .map_err(|e| tracing::warn!("article cache unreadable: {e}"))
        .ok()
        .flatten()?;
    Some(LoadedArticle {
        article: with_item_metadata(article, Some(item)),
        note: None,
    })
}

/// The cached article for `url`, read on a read-only connection of its own.
fn cached(db_path: &Path, url: &str) -> Option<Article> {
    Store::open_read_only(db_path)
        .and_then(|s| s.cached_article(url))
        .map_err(|e| tracing::warn!("article cache unreadable: {e}"))
        .ok()
        .flatten()
}

/// Cache the article: one upsert in the store writer's queue (the process's one write
/// connection).
async fn remember(writer: &StoreWriter, url: String, article: Article) {
    let written = writer
        .run_async(move |store| store.cache_article(&url, &article).map_err(|e| (url, e)))
        .await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err((url, e))) => tracing::warn!("could not cache the article {url}: {e}"),
        Err(e) => tracing::warn!("could not cache an article: {e}"),
    }
}

/// The feed's own content for an item of a feed set to `extract = false`: no fetch.
pub fn feed_content_only(item: &Item) -> LoadedArticle {
    LoadedArticle {
        article: article_from_item(item),
        note: Some("the feed's own content (extraction is off for this feed)".into()),
    }
}

/// Fetch and extract `url` with no cache and no fallback.
pub async fn fetch_and_extract(fetcher: &Fetcher, url: &str) -> Result<Article, String> {
    let page = fetcher.get_page(url).await.map_err(|e| brief_reason(&e))?;
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
/// fallback item's feed content with a note. Reads on read-only connections off the async
/// threads; the cache write goes through `writer`.
pub async fn load_article(
    writer: &StoreWriter,
    fetcher: &Fetcher,
    url: &str,
    fallback: Option<&Item>,
) -> LoadedArticle {
    let db_path = writer.path();
    if let Some(item) = fallback {
        let path = db_path.to_path_buf();
        let feed = item.summary.feed_id;
        let extracts = tokio::task::spawn_blocking(move || {
            Store::open_read_only(&path).and_then(|s| s.feed_extracts(feed))
        })
        .await;
        if let Ok(Ok(false)) = extracts {
            return feed_content_only(item);
        }
    }
    let path = db_path.to_path_buf();
    let key = url.to_string();
    if let Ok(Some(article)) = tokio::task::spawn_blocking(move || cached(&path, &key)).await {
        return LoadedArticle {
            article: with_item_metadata(article, fallback),
            note: None,
        };
    }
    match fetch_and_extract(fetcher, url).await {
        Ok(article) => {
            remember(writer, url.to_string(), article.clone()).await;
            LoadedArticle {
                article: with_item_metadata(article, fallback),
                note: None,
            }
        }
        Err(why) => {
            let why = crate::text::sanitize_line(&why);
            let note = Some(match fallback {
                Some(_) => format!("showing the feed's content: {why}"),
                // A linked page has no feed content to fall back on: say so, not "feed text".
                None => format!("could not load this page: {why}"),
            });
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

/// A fetch failure in one short line: the client's nested errors (which repeat the URL) are
/// cut to their root cause ("could not connect (Connection refused (os error 111))").
fn brief_reason(error: &crate::error::FetchError) -> String {
    use crate::error::FetchError;
    let root = |detail: &str| {
        detail
            .rsplit(": ")
            .next()
            .unwrap_or(detail)
            .trim()
            .to_string()
    };
    match error {
        FetchError::Connect { detail } => format!("could not connect ({})", root(detail)),
        FetchError::Network { detail } => format!("network error ({})", root(detail)),
        FetchError::Tls { detail } => format!("TLS error ({})", root(detail)),
        other => other.to_string(),
    }
}

/// Fetch, extract and cache the articles of `urls` that are not cached yet, in the background
/// of the reader: at most `concurrency` pages at once and one page per host at a time, so a
/// prefetch never hammers a site. Returns how many were newly cached.
pub async fn prefetch_articles(
    writer: &StoreWriter,
    fetcher: &Fetcher,
    urls: Vec<String>,
    concurrency: usize,
) -> usize {
    use std::collections::HashMap;
    use std::sync::Arc;
    use tokio::sync::Semaphore;
    let global = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut per_host: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    for url in urls {
        let Ok(parsed) = crate::fetch::parse_http_url(&url) else {
            continue;
        };
        let host = per_host
            .entry(parsed.host_str().unwrap_or_default().to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(1)))
            .clone();
        let (global, fetcher, writer) = (global.clone(), fetcher.clone(), writer.clone());
        let path = writer.path().to_path_buf();
        tasks.spawn(async move {
            let _host = host.acquire_owned().await;
            let _slot = global.acquire_owned().await;
            let (p, key) = (path.clone(), url.clone());
            if let Ok(Some(_)) = tokio::task::spawn_blocking(move || cached(&p, &key)).await {
                return false;
            }
            match fetch_and_extract(&fetcher, &url).await {
                Ok(article) => {
                    remember(&writer, url, article).await;
                    true
                }
                Err(e) => {
                    tracing::debug!("prefetch of {url} failed: {e}");
                    false
                }
            }
        });
    }
    let mut cached_now = 0;
    while let Some(done) = tasks.join_next().await {
        if matches!(done, Ok(true)) {
            cached_now += 1;
        }
    }
    cached_now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::demo::{LoopbackServer, Resource};
    use std::collections::HashMap;

    const PAGE: &str = "<html><head><title>T - Site</title></head><body><article><h1>Headline here</h1>\
        <p>First paragraph of a reasonably long article body that says something useful about the topic at hand.</p>\
        <p>Second paragraph with more words so that the extractor finds enough text to keep it as an article.</p>\
        <p>Third paragraph, to be sure: readers want the whole story, not a teaser, and this is the story.</p>\
        </article></body></html>";

    #[tokio::test]
    async fn an_unreachable_linked_page_says_so_in_one_short_line() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let db = StoreWriter::start(&dir.path().join("kiosque.db")).unwrap();
        let fetcher = Fetcher::new(&Config::default()).unwrap();
        let url = format!("http://127.0.0.1:{port}/gone.html");
        let loaded = load_article(&db, &fetcher, &url, None).await;
        let note = loaded.note.expect("a note");
        assert!(note.starts_with("could not load this page: "), "{note}");
        assert!(!note.contains("feed"), "{note}");
        assert!(!note.contains(&url), "the URL is shown elsewhere: {note}");
        assert!(note.chars().count() <= 80, "one short line: {note}");
    }

    #[tokio::test]
    async fn prefetch_caches_once_and_load_then_reads_the_cache() {
        let server = LoopbackServer::start_with(|_| {
            HashMap::from([(
                "/a.html".to_string(),
                Resource {
                    content_type: "text/html".into(),
                    body: PAGE.as_bytes().to_vec(),
                },
            )])
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = StoreWriter::start(&dir.path().join("kiosque.db")).unwrap();
        let fetcher = Fetcher::new(&Config::default()).unwrap();
        let url = format!("{}/a.html", server.base_url());
        let missing = format!("{}/missing.html", server.base_url());
        let n = prefetch_articles(
            &db,
            &fetcher,
            vec![url.clone(), missing, "javascript:x".into()],
            2,
        )
        .await;
        assert_eq!(n, 1);
        assert_eq!(
            prefetch_articles(&db, &fetcher, vec![url.clone()], 2).await,
            0,
            "already cached"
        );
        drop(server);
        // The server is gone: the article still loads, from the cache (offline).
        let loaded = load_article(&db, &fetcher, &url, None).await;
        assert!(loaded.note.is_none(), "{:?}", loaded.note);
        assert_eq!(loaded.article.source, crate::article::Source::Extracted);
        assert!(loaded.article.view().text.contains("Second paragraph"));
    }

    #[tokio::test]
    async fn a_local_page_extracts_the_same_with_or_without_a_runtime() {
        let url = Url::parse("https://example.org/a.html").unwrap();
        let threaded = extract_bounded_blocking(PAGE.to_string(), url.clone()).unwrap();
        let pooled = extract_bounded(PAGE.to_string(), url).await.unwrap();
        assert_eq!(threaded, pooled);
        assert!(threaded.view().text.contains("Second paragraph"));
        let refused =
            extract_bounded_blocking("<p>hi</p>".into(), Url::parse("https://e.org/").unwrap());
        assert!(refused.is_err(), "too little text is an error, not a crash");
    }

    #[test]
    fn a_cached_article_is_found_without_any_network_set_up() {
        let mut store = Store::open_in_memory().unwrap();
        let url = "https://example.org/a.html";
        let article = extract_article(PAGE, &Url::parse(url).unwrap()).expect("the page extracts");
        store.cache_article(url, &article).unwrap();
        store.add_test_feed("https://example.org/feed", 1).unwrap();
        let id = store
            .items(&crate::store::ItemFilter::default(), 0, 1)
            .unwrap()[0]
            .id;
        let item = store.item(id).unwrap();
        let loaded = cached_for_item(&store, url, &item).expect("cached");
        assert!(loaded.note.is_none());
        assert_eq!(loaded.article.view().text, article.view().text);
        assert!(cached_for_item(&store, "https://example.org/other", &item).is_none());
    }
}
