//! The Google Reader API client (FreshRSS, Miniflux, The Old Reader, BazQux, Inoreader) over
//! the shared HTTP client: ClientLogin, the `T` action token for writes (fetched again when
//! stale), item ids in long and short form, continuation as an opaque string or a number,
//! `edit-tag` with many ids per request, and answers bounded in size before they are parsed.
//! The login token (never the password) may be cached in a file (mode 0600) and is reused
//! until the server refuses it.

use super::{IdPage, IdStream, RemoteItem, RemoteItemId, StateFlag, Subscription, SyncError};
use crate::error::FetchError;
use crate::fetch::{ApiResponse, Fetcher, parse_http_url};
use crate::text::sanitize_line;
use chrono::DateTime;
use reqwest::header::{self, HeaderValue};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use url::Url;

/// Ids asked for per `stream/items/ids` page: 50,000 unread ids (about 1.4 MB of JSON) come
/// in one page (FreshRSS then answers an empty last page), so a sync with nothing new stays
/// within 8 requests. Servers that cap `n` lower page with their continuation.
pub const IDS_PAGE_SIZE: usize = 50_000;
/// Ids carried by one `edit-tag` request (5,000 read marks: 2 requests; about 150 kB of
/// form). A server refusing that much (413) gets halves.
pub const EDIT_BATCH: usize = 2_500;
/// Items asked for per `stream/items/contents` request.
pub const CONTENTS_BATCH: usize = 250;
/// An item body longer than this is cut (FreshRSS itself cuts at 500 kB).
pub const MAX_CONTENT_BYTES: usize = 1_000_000;
/// Titles and names longer than this are cut.
const MAX_TITLE_CHARS: usize = 1_000;

const READING_LIST: &str = "user/-/state/com.google/reading-list";
const READ: &str = "user/-/state/com.google/read";
const STARRED: &str = "user/-/state/com.google/starred";
const LABEL_PREFIX: &str = "user/-/label/";

/// Where and as whom to log in. The password lives only in memory.
#[derive(Clone)]
pub struct Credentials {
    /// The API root: FreshRSS `https://HOST/api/greader.php`, Miniflux its root URL.
    pub url: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// A Google Reader API session.
pub struct GReaderClient {
    fetcher: Fetcher,
    /// The API root, without a trailing slash.
    base: String,
    username: String,
    /// Known once given or asked for; only a login needs it.
    password: Option<String>,
    /// Asked for the password when a login needs it and none is known.
    password_source: Option<PasswordSource>,
    auth: Option<String>,
    token: Option<String>,
    requests: u64,
    cap: u64,
    /// Where the login token is kept between runs.
    auth_cache: Option<PathBuf>,
}

/// Gives the password when a login needs it (runs `password_command`, reads the environment):
/// with a cached login token, most runs never ask.
pub type PasswordSource = Box<dyn FnMut() -> Result<String, SyncError> + Send>;

/// The cached login token, valid only for the server and user it was issued by.
#[derive(Serialize, Deserialize)]
struct CachedAuth {
    url: String,
    username: String,
    auth: String,
}

/// A login token as a server may give it: one header-safe line of bounded length.
fn plausible_auth(auth: &str) -> bool {
    !auth.is_empty() && auth.len() < 4_096 && !auth.chars().any(char::is_control)
}

impl std::fmt::Debug for GReaderClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GReaderClient")
            .field("base", &self.base)
            .field("username", &self.username)
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

/// A request body (form fields) or none (GET).
type Form<'a> = Option<Vec<(&'a str, String)>>;

#[derive(Deserialize)]
struct SubscriptionListJson {
    subscriptions: Option<Vec<SubscriptionJson>>,
}

#[derive(Deserialize)]
struct SubscriptionJson {
    id: String,
    title: Option<String>,
    url: Option<String>,
    #[serde(rename = "htmlUrl")]
    html_url: Option<String>,
    categories: Option<Vec<CategoryJson>>,
}

#[derive(Deserialize)]
struct CategoryJson {
    id: String,
    label: Option<String>,
}

#[derive(Deserialize)]
struct IdsJson {
    #[serde(rename = "itemRefs")]
    item_refs: Option<Vec<ItemRefJson>>,
    continuation: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ItemRefJson {
    id: serde_json::Value,
}

#[derive(Deserialize)]
struct ContentsJson {
    items: Option<Vec<ItemJson>>,
}

#[derive(Deserialize)]
struct LinkJson {
    href: Option<String>,
}

#[derive(Deserialize)]
struct BodyJson {
    content: Option<String>,
}

#[derive(Deserialize)]
struct OriginJson {
    #[serde(rename = "streamId")]
    stream_id: Option<String>,
}

#[derive(Deserialize)]
struct ItemJson {
    id: serde_json::Value,
    title: Option<String>,
    published: Option<serde_json::Value>,
    canonical: Option<Vec<LinkJson>>,
    alternate: Option<Vec<LinkJson>>,
    summary: Option<BodyJson>,
    content: Option<BodyJson>,
    author: Option<String>,
    origin: Option<OriginJson>,
    categories: Option<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
struct QuickAddJson {
    #[serde(rename = "numResults")]
    num_results: Option<serde_json::Value>,
    #[serde(rename = "streamId")]
    stream_id: Option<String>,
    error: Option<String>,
}

/// A string or a number, as a string (ids and continuations come as either).
fn value_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// FreshRSS writes `&` `<` `>` in titles as fullwidth forms: give them back.
fn clean_title(raw: &str) -> String {
    let mapped: String = raw
        .chars()
        .map(|c| match c {
            '＆' => '&',
            '＜' => '<',
            '＞' => '>',
            other => other,
        })
        .take(MAX_TITLE_CHARS)
        .collect();
    sanitize_line(&mapped)
}

fn cut_to(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// Only http(s) links are kept.
fn http_link(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    parse_http_url(raw).ok().map(|u| u.to_string())
}

fn item_from_json(json: ItemJson) -> Option<RemoteItem> {
    let id = value_text(&json.id).and_then(|s| RemoteItemId::parse(&s))?;
    let categories: Vec<String> = json
        .categories
        .unwrap_or_default()
        .iter()
        .filter_map(value_text)
        .collect();
    let has = |state: &str| {
        categories.iter().any(|c| {
            c == state
                || c.strip_prefix("user/")
                    .and_then(|rest| rest.split_once('/'))
                    .is_some_and(|(_, tail)| state.strip_prefix("user/-/") == Some(tail))
        })
    };
    let link = json
        .canonical
        .iter()
        .chain(json.alternate.iter())
        .flatten()
        .find_map(|l| http_link(l.href.as_deref()));
    let published = json
        .published
        .as_ref()
        .and_then(|v| match v {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
        .and_then(|secs| DateTime::from_timestamp(secs, 0));
    let content = json
        .content
        .and_then(|c| c.content)
        .filter(|c| !c.trim().is_empty())
        .or_else(|| json.summary.and_then(|s| s.content))
        .filter(|c| !c.trim().is_empty())
        .map(|c| cut_to(c, MAX_CONTENT_BYTES));
    let title = clean_title(json.title.as_deref().unwrap_or_default());
    Some(RemoteItem {
        id,
        feed: json
            .origin
            .and_then(|o| o.stream_id)
            .unwrap_or_default()
            .chars()
            .take(2_000)
            .collect(),
        title: if title.is_empty() {
            "(untitled)".into()
        } else {
            title
        },
        url: link,
        author: json
            .author
            .map(|a| clean_title(&a))
            .filter(|a| !a.is_empty()),
        published,
        content_html: content,
        read: has(READ),
        starred: has(STARRED),
    })
}

fn subscription_from_json(json: SubscriptionJson) -> Option<Subscription> {
    let url = json
        .url
        .as_deref()
        .and_then(|u| http_link(Some(u)))
        .or_else(|| http_link(json.id.strip_prefix("feed/")))?;
    let folders = json
        .categories
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| {
            let name = c
                .label
                .filter(|l| !l.trim().is_empty())
                .or_else(|| label_name(&c.id).map(str::to_string))?;
            let name = clean_title(&name);
            (!name.is_empty()).then_some(name)
        })
        .collect();
    Some(Subscription {
        title: clean_title(json.title.as_deref().unwrap_or_default()),
        id: json.id.chars().take(2_000).collect(),
        url,
        site_url: http_link(json.html_url.as_deref()),
        folders,
    })
}

/// An item id that is an arrival time in µs (FreshRSS: the crawl time, made unique), between
/// 2001 and a day from `now`.
fn id_is_arrival_micros(id: RemoteItemId, now: chrono::DateTime<chrono::Utc>) -> bool {
    let latest = u64::try_from(now.timestamp_micros()).unwrap_or(0) + 86_400_000_000;
    (1_000_000_000_000_000..=latest).contains(&id.0)
}

/// `user/-/label/NAME` or `user/<user>/label/NAME` → NAME.
fn label_name(id: &str) -> Option<&str> {
    let rest = id.strip_prefix("user/")?;
    let (_, tail) = rest.split_once('/')?;
    tail.strip_prefix("label/")
}

impl GReaderClient {
    /// A client over the shared HTTP client. Nothing is sent until the first call.
    pub fn new(fetcher: Fetcher, credentials: Credentials) -> Result<GReaderClient, SyncError> {
        let url = parse_http_url(&credentials.url).map_err(|e| {
            SyncError::NotConfigured(format!("[sync] url: {}", sanitize_line(&e.to_string())))
        })?;
        let cap = fetcher.max_body_bytes();
        Ok(GReaderClient {
            fetcher,
            base: url.as_str().trim_end_matches('/').to_string(),
            username: credentials.username,
            password: Some(credentials.password),
            password_source: None,
            auth: None,
            token: None,
            requests: 0,
            cap,
            auth_cache: None,
        })
    }

    /// A client that asks `source` for the password only when it has to log in.
    pub fn with_password_source(
        fetcher: Fetcher,
        url: &str,
        username: &str,
        source: PasswordSource,
    ) -> Result<GReaderClient, SyncError> {
        let mut client = GReaderClient::new(
            fetcher,
            Credentials {
                url: url.to_string(),
                username: username.to_string(),
                password: String::new(),
            },
        )?;
        client.password = None;
        client.password_source = Some(source);
        Ok(client)
    }

    /// The password, asked for the first time it is needed.
    fn password(&mut self) -> Result<String, SyncError> {
        if let Some(p) = &self.password {
            return Ok(p.clone());
        }
        let source = self
            .password_source
            .as_mut()
            .ok_or_else(|| SyncError::NotConfigured("no password for the sync server".into()))?;
        let password = source()?;
        self.password = Some(password.clone());
        Ok(password)
    }

    /// Keep the login token in `path` between runs: a token cached there for this server
    /// and user is used instead of logging in, until the server refuses it.
    pub fn with_auth_cache(mut self, path: PathBuf) -> GReaderClient {
        let cached = std::fs::read(&path)
            .ok()
            .filter(|bytes| bytes.len() < 16 * 1024)
            .and_then(|bytes| serde_json::from_slice::<CachedAuth>(&bytes).ok());
        if let Some(cached) = cached
            && cached.url == self.base
            && cached.username == self.username
            && plausible_auth(&cached.auth)
        {
            self.auth = Some(cached.auth);
        }
        self.auth_cache = Some(path);
        self
    }

    /// Write the login token to the cache file, readable by its owner only (written beside,
    /// then renamed: never half a file). A failure only costs a login next time.
    fn save_auth(&self, auth: &str) {
        let Some(path) = &self.auth_cache else {
            return;
        };
        let cached = CachedAuth {
            url: self.base.clone(),
            username: self.username.clone(),
            auth: auth.to_string(),
        };
        let tmp = path.with_extension("tmp");
        let written = serde_json::to_vec(&cached)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                // Created afresh so that the mode applies.
                let _ = std::fs::remove_file(&tmp);
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&tmp)?;
                std::io::Write::write_all(&mut file, &bytes)?;
                file.sync_all()
            })
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!("sync: cannot cache the login token: {e}");
        }
    }

    /// The server refused the login token: forget it, here and in the cache.
    fn drop_auth(&mut self) {
        self.auth = None;
        self.token = None;
        if let Some(path) = &self.auth_cache {
            let _ = std::fs::remove_file(path);
        }
    }

    fn endpoint_url(&self, path: &str, query: &[(&str, String)]) -> Result<Url, SyncError> {
        let mut url = Url::parse(&format!("{}/{path}", self.base)).map_err(|e| {
            SyncError::NotConfigured(format!("[sync] url: {}", sanitize_line(&e.to_string())))
        })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    fn form_body(form: &[(&str, String)]) -> String {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        body.extend_pairs(form).finish()
    }

    async fn send(
        &mut self,
        path: &str,
        query: &[(&str, String)],
        form: Option<&[(&str, String)]>,
        auth: Option<&str>,
    ) -> Result<ApiResponse, SyncError> {
        let url = self.endpoint_url(path, query)?;
        let client = self.fetcher.client();
        let mut request = match form {
            Some(fields) => client
                .post(url)
                .header(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(Self::form_body(fields)),
            None => client.get(url),
        };
        if let Some(auth) = auth {
            let value = HeaderValue::from_str(&format!("GoogleLogin auth={auth}"))
                .map_err(|_| self.bad(path, "the login token is not a valid header value"))?;
            request = request.header(header::AUTHORIZATION, value);
        }
        self.requests += 1;
        tracing::debug!(
            "sync: {} {path}",
            if form.is_some() { "POST" } else { "GET" }
        );
        self.fetcher
            .send_capped(request, self.cap)
            .await
            .map_err(|source| SyncError::Transport {
                endpoint: path.to_string(),
                source,
            })
    }

    fn bad(&self, endpoint: &str, detail: &str) -> SyncError {
        SyncError::BadAnswer {
            endpoint: endpoint.to_string(),
            detail: detail.to_string(),
        }
    }

    fn status_error(path: &str, response: &ApiResponse) -> SyncError {
        let text = String::from_utf8_lossy(&response.body[..response.body.len().min(200)]);
        let detail = sanitize_line(&text);
        SyncError::Status {
            endpoint: path.to_string(),
            status: response.status,
            detail: (!detail.is_empty() && !detail.starts_with('<')).then_some(detail),
        }
    }

    /// `POST accounts/ClientLogin`: keeps the `Auth=` token.
    async fn client_login(&mut self) -> Result<(), SyncError> {
        let form = vec![
            ("Email", self.username.clone()),
            ("Passwd", self.password()?),
        ];
        let path = "accounts/ClientLogin";
        let response = self.send(path, &[], Some(&form), None).await?;
        match response.status {
            200..=299 => {}
            401 | 403 => {
                return Err(SyncError::Auth {
                    username: sanitize_line(&self.username),
                    status: response.status,
                });
            }
            300..=399 | 404 | 405 => {
                return Err(SyncError::NotGoogleReader {
                    url: sanitize_line(&self.base),
                    detail: format!("{path} answered HTTP {}", response.status),
                });
            }
            _ => return Err(Self::status_error(path, &response)),
        }
        let text = String::from_utf8_lossy(&response.body);
        let auth = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Auth="))
            .map(str::trim)
            .filter(|a| plausible_auth(a));
        match auth {
            Some(a) => {
                self.auth = Some(a.to_string());
                self.token = None;
                self.save_auth(a);
                Ok(())
            }
            None => Err(SyncError::NotGoogleReader {
                url: sanitize_line(&self.base),
                detail: format!("{path} answered without an Auth= line"),
            }),
        }
    }

    /// `GET reader/api/0/token`: the action token for writes.
    async fn fetch_token(&mut self) -> Result<String, SyncError> {
        let path = "reader/api/0/token";
        for _ in 0..2 {
            if self.auth.is_none() {
                self.client_login().await?;
            }
            let auth = self.auth.clone();
            let response = self.send(path, &[], None, auth.as_deref()).await?;
            match response.status {
                200..=299 => {
                    let token = String::from_utf8_lossy(&response.body).trim().to_string();
                    if token.is_empty()
                        || token.len() > 4_096
                        || token.chars().any(char::is_control)
                    {
                        return Err(self.bad(path, "no token"));
                    }
                    self.token = Some(token.clone());
                    return Ok(token);
                }
                401 | 403 => self.drop_auth(),
                _ => return Err(Self::status_error(path, &response)),
            }
        }
        Err(SyncError::Auth {
            username: sanitize_line(&self.username),
            status: 401,
        })
    }

    /// One API call: logs in when needed; on 401 fetches a new action token (writes) or logs
    /// in again, and retries, at most twice. Answers the body of a 2xx.
    async fn call(
        &mut self,
        path: &str,
        query: &[(&str, String)],
        form: Form<'_>,
    ) -> Result<Vec<u8>, SyncError> {
        let mut last_status = 401;
        for attempt in 0..3 {
            if self.auth.is_none() {
                self.client_login().await?;
            }
            let mut fields = form.clone();
            if let Some(f) = fields.as_mut() {
                let token = match self.token.clone() {
                    Some(t) => t,
                    None => self.fetch_token().await?,
                };
                f.push(("T", token));
            }
            let auth = self.auth.clone();
            let response = self
                .send(path, query, fields.as_deref(), auth.as_deref())
                .await?;
            match response.status {
                200..=299 => return Ok(response.body),
                401 | 403 => {
                    last_status = response.status;
                    // A stale action token first; then the login itself.
                    if form.is_some() && attempt == 0 {
                        self.token = None;
                    } else {
                        self.drop_auth();
                    }
                }
                300..=399 => {
                    return Err(SyncError::NotGoogleReader {
                        url: sanitize_line(&self.base),
                        detail: format!("{path} answered with a redirect"),
                    });
                }
                _ => return Err(Self::status_error(path, &response)),
            }
        }
        Err(SyncError::Auth {
            username: sanitize_line(&self.username),
            status: last_status,
        })
    }

    fn parse_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &[u8],
    ) -> Result<T, SyncError> {
        serde_json::from_slice(body).map_err(|e| {
            let looks_html = body
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| *b == b'<');
            if looks_html {
                SyncError::NotGoogleReader {
                    url: sanitize_line(&self.base),
                    detail: format!("{path} answered an HTML page, not JSON"),
                }
            } else {
                self.bad(path, &format!("not the JSON expected ({e})"))
            }
        })
    }

    fn expect_ok(&self, path: &str, body: &[u8]) -> Result<(), SyncError> {
        let text = String::from_utf8_lossy(&body[..body.len().min(64)]);
        if text.trim().eq_ignore_ascii_case("ok") {
            Ok(())
        } else {
            Err(self.bad(
                path,
                &format!("expected OK, got {:?}", sanitize_line(&text)),
            ))
        }
    }

    /// One `stream/items/contents` request.
    async fn contents(&mut self, ids: &[RemoteItemId]) -> Result<Vec<RemoteItem>, SyncError> {
        let path = "reader/api/0/stream/items/contents";
        let form: Vec<(&str, String)> = ids.iter().map(|id| ("i", id.long_form())).collect();
        let body = self
            .call(path, &[("output", "json".to_string())], Some(form))
            .await?;
        let parsed: ContentsJson = self.parse_json(path, &body)?;
        Ok(parsed
            .items
            .unwrap_or_default()
            .into_iter()
            .filter_map(item_from_json)
            .collect())
    }
}

impl super::SyncService for GReaderClient {
    async fn login(&mut self) -> Result<(), SyncError> {
        // A cached token is tried first; the first call it fails logs in again.
        if self.auth.is_some() {
            return Ok(());
        }
        self.client_login().await
    }

    async fn subscriptions(&mut self) -> Result<Vec<Subscription>, SyncError> {
        let path = "reader/api/0/subscription/list";
        let body = self
            .call(path, &[("output", "json".to_string())], None)
            .await?;
        let parsed: SubscriptionListJson = self.parse_json(path, &body)?;
        let Some(subscriptions) = parsed.subscriptions else {
            return Err(self.bad(path, "no subscriptions list"));
        };
        Ok(subscriptions
            .into_iter()
            .filter_map(subscription_from_json)
            .collect())
    }

    async fn subscribe(&mut self, url: &str, folder: Option<&str>) -> Result<String, SyncError> {
        let path = "reader/api/0/subscription/quickadd";
        let body = self
            .call(path, &[], Some(vec![("quickadd", url.to_string())]))
            .await?;
        let parsed: QuickAddJson = self.parse_json(path, &body)?;
        let found = parsed
            .num_results
            .as_ref()
            .and_then(value_text)
            .is_some_and(|n| n.trim() != "0");
        let stream = match (found, parsed.stream_id) {
            (true, Some(id)) if !id.is_empty() => id,
            _ => {
                return Err(SyncError::Refused {
                    what: format!("the subscription to {}", sanitize_line(url)),
                    detail: sanitize_line(parsed.error.as_deref().unwrap_or("no feed found there")),
                });
            }
        };
        if let Some(folder) = folder.filter(|f| !f.trim().is_empty()) {
            let path = "reader/api/0/subscription/edit";
            let form = vec![
                ("ac", "edit".to_string()),
                ("s", stream.clone()),
                ("a", format!("{LABEL_PREFIX}{folder}")),
            ];
            let body = self.call(path, &[], Some(form)).await?;
            self.expect_ok(path, &body)?;
        }
        Ok(stream)
    }

    async fn unsubscribe(&mut self, feed: &str) -> Result<(), SyncError> {
        let path = "reader/api/0/subscription/edit";
        let stream = if feed.starts_with("feed/") {
            feed.to_string()
        } else {
            format!("feed/{feed}")
        };
        let form = vec![("ac", "unsubscribe".to_string()), ("s", stream)];
        let body = self.call(path, &[], Some(form)).await?;
        self.expect_ok(path, &body)
    }

    async fn item_ids(
        &mut self,
        stream: IdStream,
        continuation: Option<&str>,
    ) -> Result<IdPage, SyncError> {
        let path = "reader/api/0/stream/items/ids";
        let (stream_id, narrowed) = match stream {
            IdStream::All => (READING_LIST, None),
            IdStream::Unread => (READING_LIST, Some(("xt", READ.to_string()))),
            IdStream::Starred => (STARRED, None),
            IdStream::Since(t) => (READING_LIST, Some(("ot", t.timestamp().max(0).to_string()))),
        };
        let mut query = vec![
            ("output", "json".to_string()),
            ("n", IDS_PAGE_SIZE.to_string()),
            ("s", stream_id.to_string()),
        ];
        query.extend(narrowed);
        if let Some(c) = continuation {
            query.push(("c", c.to_string()));
        }
        let body = self.call(path, &query, None).await?;
        let parsed: IdsJson = self.parse_json(path, &body)?;
        let mut ids = Vec::new();
        for r in parsed.item_refs.unwrap_or_default() {
            match value_text(&r.id).and_then(|s| RemoteItemId::parse(&s)) {
                Some(id) => ids.push(id),
                None => return Err(self.bad(path, "an item id that is not a number")),
            }
        }
        let continuation = parsed
            .continuation
            .as_ref()
            .and_then(value_text)
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty() && c.len() <= 256 && !c.chars().any(char::is_control));
        Ok(IdPage { ids, continuation })
    }

    async fn items(&mut self, ids: &[RemoteItemId]) -> Result<Vec<RemoteItem>, SyncError> {
        // A batch whose answer is over the size cap is split; a single item over it is skipped.
        let mut out = Vec::new();
        let mut pending: Vec<Vec<RemoteItemId>> = ids
            .chunks(CONTENTS_BATCH)
            .rev()
            .map(<[RemoteItemId]>::to_vec)
            .collect();
        while let Some(batch) = pending.pop() {
            match self.contents(&batch).await {
                Ok(items) => out.extend(items),
                Err(SyncError::Transport {
                    source: FetchError::TooLarge { limit_bytes },
                    ..
                }) => {
                    if batch.len() == 1 {
                        tracing::warn!(
                            "sync: item {} is larger than {limit_bytes} bytes; skipped",
                            batch[0]
                        );
                    } else {
                        let (a, b) = batch.split_at(batch.len() / 2);
                        pending.push(b.to_vec());
                        pending.push(a.to_vec());
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    async fn edit_state(
        &mut self,
        flag: StateFlag,
        on: bool,
        ids: &[RemoteItemId],
    ) -> Result<(), SyncError> {
        let path = "reader/api/0/edit-tag";
        let tag = match flag {
            StateFlag::Read => READ,
            StateFlag::Starred => STARRED,
        };
        let mut pending: Vec<&[RemoteItemId]> = ids.chunks(EDIT_BATCH).rev().collect();
        while let Some(batch) = pending.pop() {
            let mut form: Vec<(&str, String)> =
                batch.iter().map(|id| ("i", id.long_form())).collect();
            form.push((if on { "a" } else { "r" }, tag.to_string()));
            match self.call(path, &[], Some(form)).await {
                Ok(body) => self.expect_ok(path, &body)?,
                Err(SyncError::Status { status: 413, .. }) if batch.len() > 1 => {
                    let (a, b) = batch.split_at(batch.len() / 2);
                    pending.push(b);
                    pending.push(a);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn mark_feed_read(
        &mut self,
        feed: &str,
        newest: RemoteItemId,
    ) -> Result<bool, SyncError> {
        // `ts` is compared with arrival times in µs: on FreshRSS an item id is its crawl time
        // in µs, so the newest id marks exactly what was seen here. Ids that are no such time
        // (Miniflux's entry numbers, Inoreader's) give no exact `ts`: the ids are sent instead.
        if !id_is_arrival_micros(newest, chrono::Utc::now()) {
            return Ok(false);
        }
        let path = "reader/api/0/mark-all-as-read";
        let form = vec![("s", feed.to_string()), ("ts", newest.decimal())];
        match self.call(path, &[], Some(form)).await {
            Ok(body) => self.expect_ok(path, &body).map(|()| true),
            // No such endpoint, or the feed unknown there: the ids go by edit-tag.
            Err(SyncError::Status {
                status: 400 | 404 | 405 | 501,
                ..
            }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn account(&self) -> super::Account {
        super::Account {
            url: self.base.clone(),
            username: self.username.clone(),
        }
    }

    fn requests(&self) -> u64 {
        self.requests
    }

    fn max_edit_batch(&self) -> usize {
        EDIT_BATCH
    }

    fn max_items_per_request(&self) -> usize {
        CONTENTS_BATCH
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(json: &str) -> Option<RemoteItem> {
        item_from_json(serde_json::from_str(json).unwrap())
    }

    fn subscription(json: &str) -> Option<Subscription> {
        subscription_from_json(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn a_freshrss_item_reads_with_its_state_and_fullwidth_title() {
        let it = item(
            r#"{"id": "tag:google.com,2005:reader/item/0006617dcb7af9b4", "crawlTimeMsec": "1796042772904",
            "timestampUsec": "1796042772904372", "published": 1728867600, "title": "Q＆A ＜live＞ \u001b[31mred",
            "canonical": [{"href": "http://127.0.0.1:47919/delta/5.html"}], "alternate": [{"href": "javascript:x"}],
            "categories": ["user/-/state/com.google/reading-list", "user/-/label/World News",
                           "user/-/state/com.google/read", "user/1234/state/com.google/starred"],
            "origin": {"streamId": "feed/4", "htmlUrl": "http://127.0.0.1:47919/delta/", "title": "Delta Wire"},
            "summary": {"content": "<p>Body</p>"}, "author": "Fixture Author"}"#,
        )
        .unwrap();
        assert_eq!(it.id, RemoteItemId(1_796_042_772_904_372));
        assert_eq!(it.title, "Q&A <live> red");
        assert_eq!(it.feed, "feed/4");
        assert_eq!(
            it.url.as_deref(),
            Some("http://127.0.0.1:47919/delta/5.html")
        );
        assert_eq!(it.content_html.as_deref(), Some("<p>Body</p>"));
        assert!(it.read && it.starred);
        assert_eq!(it.published.unwrap().timestamp(), 1_728_867_600);
    }

    #[test]
    fn hostile_items_are_bounded_or_dropped() {
        assert!(item(r#"{"id": "not an id"}"#).is_none());
        assert!(item(r#"{"id": {"deep": 1}}"#).is_none());
        let long = "x".repeat(MAX_CONTENT_BYTES + 10);
        let it = item(&format!(
            r#"{{"id": "12", "title": "{}", "content": {{"content": "{long}"}}}}"#,
            "t".repeat(5_000)
        ))
        .unwrap();
        assert_eq!(it.content_html.unwrap().len(), MAX_CONTENT_BYTES);
        assert_eq!(it.title.chars().count(), MAX_TITLE_CHARS);
        assert!(!it.read && !it.starred);
        assert_eq!(
            item(r#"{"id": 7, "title": ""}"#).unwrap().title,
            "(untitled)"
        );
    }

    #[test]
    fn subscriptions_keep_folders_and_need_an_http_url() {
        let s = subscription(
            r#"{"id":"feed/3","title":"Gamma Daily ＆ Co","categories":[{"id":"user/-/label/World News","label":"World News"}],
            "url":"http://127.0.0.1:47919/gamma.xml","htmlUrl":"http://127.0.0.1:47919/gamma/"}"#,
        )
        .unwrap();
        assert_eq!(s.title, "Gamma Daily & Co");
        assert_eq!(s.folders, vec!["World News".to_string()]);
        let no_label =
            r#"{"id":"feed/http://a.example/f.xml","categories":[{"id":"user/7/label/Tech"}]}"#;
        let s = subscription(no_label).unwrap();
        assert_eq!(s.url, "http://a.example/f.xml");
        assert_eq!(s.folders, vec!["Tech".to_string()]);
        assert!(subscription(r#"{"id":"feed/9","url":"file:///etc/passwd"}"#).is_none());
    }

    #[test]
    fn only_ids_that_are_arrival_times_give_a_mark_all_timestamp() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(id_is_arrival_micros(
            RemoteItemId(1_796_042_772_904_372),
            now
        ));
        // Miniflux entry numbers, and ids from far in the future (Inoreader's 64-bit ids).
        assert!(!id_is_arrival_micros(RemoteItemId(4_005), now));
        assert!(!id_is_arrival_micros(RemoteItemId(u64::MAX), now));
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let c = Credentials {
            url: "http://127.0.0.1/".into(),
            username: "alice".into(),
            password: "s3cret-pass".into(),
        };
        assert!(!format!("{c:?}").contains("s3cret"));
        let client =
            GReaderClient::new(Fetcher::new(&crate::config::Config::default()).unwrap(), c)
                .unwrap();
        assert!(!format!("{client:?}").contains("s3cret"));
    }
}
