//! A Google Reader API server on 127.0.0.1 for sync tests, faithful to what FreshRSS and
//! Miniflux do (../shared/sync/PROTOCOL.md, GREADER.md): ClientLogin and the
//! `GoogleLogin auth=` header (401 + `Google-Bad-Token` otherwise), the `T` action token
//! (optional on FreshRSS, required on Miniflux, and expirable), item ids (FreshRSS: crawl time
//! in µs, decimal in `items/ids`; Miniflux: small numbers, and a bare id read as hex as older
//! versions do), continuation (FreshRSS: the last id, first row of the next page dropped;
//! Miniflux: a numeric offset), `ot` (FreshRSS: crawl time; Miniflux: published date),
//! `edit-tag` with its body-only parameters, and faults (an error status or a hang on an
//! endpoint, an item forgotten). Blocking threads; stops when dropped.

#![allow(dead_code, reason = "each test uses a different part of the server")]

// Also a module of `common` where a test has both (the same code, compiled twice).
#[allow(clippy::duplicate_mod)]
#[path = "http.rs"]
mod http;

use http::hang;
use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// Which server to behave like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    FreshRss,
    Miniflux,
}

#[derive(Clone, Debug)]
pub struct ServerFeed {
    pub id: u64,
    pub title: String,
    pub url: String,
    pub folder: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ServerItem {
    pub feed: u64,
    pub title: String,
    /// Seconds.
    pub published: i64,
    /// Seconds.
    pub crawled: i64,
    pub read: bool,
    pub starred: bool,
    /// The item's HTML; a default sentence when `None`.
    pub body: Option<String>,
    /// The item's link; `http://127.0.0.1:9/item/<id>.html` when `None`.
    pub link: Option<String>,
}

/// A fault injected on the next requests whose path contains `endpoint`.
#[derive(Clone, Debug)]
enum Fault {
    Status(u16),
    Hang,
    /// Do what was asked, then never answer (the client dies before it hears OK).
    ApplyThenHang,
    /// 200 with this body (hostile or broken answers).
    Body(Vec<u8>),
}

struct State {
    flavor: Flavor,
    username: String,
    password: String,
    auth: String,
    token: String,
    feeds: Vec<ServerFeed>,
    items: BTreeMap<u64, ServerItem>,
    last_item: u64,
    page_cap: Option<usize>,
    expire_on_next_write: bool,
    max_edit_ids: Option<usize>,
    faults: Vec<(String, Fault, usize)>,
    /// Down: every connection is closed without an answer (and not logged).
    down: bool,
    /// "METHOD /path" of every request, the base path removed.
    log: Vec<String>,
}

/// The server.
pub struct GReaderServer {
    pub addr: SocketAddr,
    pub flavor: Flavor,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

fn now_micros() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH);
    since_epoch.map(|d| d.as_micros() as u64).unwrap_or(0)
}

fn now_secs() -> i64 {
    (now_micros() / 1_000_000) as i64
}

/// The id a new feed gets: one past the highest (ids of removed feeds are not given again).
fn next_feed_id(s: &State) -> u64 {
    s.feeds.iter().map(|f| f.id).max().unwrap_or(0) + 1
}

const READING_LIST: &str = "user/-/state/com.google/reading-list";

/// `user/-/state/com.google/read` or `user/1/state/...` → `read`.
fn state_name(tag: &str) -> Option<&str> {
    let rest = tag.strip_prefix("user/")?;
    let (_, tail) = rest.split_once('/')?;
    tail.strip_prefix("state/com.google/")
}

impl GReaderServer {
    /// A server for user `alice` with password `api-pass`.
    pub fn start(flavor: Flavor) -> GReaderServer {
        let state = Arc::new(Mutex::new(State {
            flavor,
            username: "alice".into(),
            password: "api-pass".into(),
            auth: match flavor {
                Flavor::FreshRss => "alice/8f4e1c2a9b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f".into(),
                Flavor::Miniflux => "mf-3b2c1d0e9f8a7b6c5d4e3f".into(),
            },
            token: String::new(),
            feeds: Vec::new(),
            items: BTreeMap::new(),
            last_item: 0,
            page_cap: None,
            expire_on_next_write: false,
            max_edit_ids: None,
            faults: Vec::new(),
            down: false,
            log: Vec::new(),
        }));
        let served = state.clone();
        let (addr, stop) = http::serve(move |socket, stop| handle(socket, &served, stop));
        let server = GReaderServer {
            addr,
            flavor,
            state,
            stop,
        };
        server.expire_action_token();
        server
    }

    /// What `[sync] url` should say.
    pub fn api_url(&self) -> String {
        format!("http://{}{}", self.addr, base_path(self.flavor))
    }

    /// The bare host, which is not the API on FreshRSS.
    pub fn root_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A feed at `http://127.0.0.1:9/feed<id>.xml`; returns its id.
    pub fn add_feed(&self, title: &str, folder: Option<&str>) -> u64 {
        let id = next_feed_id(&self.state.lock().unwrap());
        self.add_feed_at(title, folder, &format!("http://127.0.0.1:9/feed{id}.xml"))
    }

    /// A new item (crawled now, published `age_secs` ago); returns its id.
    pub fn add_item(&self, feed: u64, title: &str, age_secs: i64) -> u64 {
        let mut s = self.state.lock().unwrap();
        let id = match s.flavor {
            // Crawl time in µs, made unique: ids only grow.
            Flavor::FreshRss => now_micros().max(s.last_item + 1),
            // Entry ids of a database in use: decimal and hex differ.
            Flavor::Miniflux => s.last_item.max(4_000) + 1,
        };
        s.last_item = id;
        s.items.insert(
            id,
            ServerItem {
                feed,
                title: title.into(),
                published: now_secs() - age_secs,
                crawled: now_secs(),
                read: false,
                starred: false,
                body: None,
                link: None,
            },
        );
        id
    }

    /// A feed whose URL is `url` (a feed server the test runs), as subscribed on the web.
    pub fn add_feed_at(&self, title: &str, folder: Option<&str>, url: &str) -> u64 {
        let mut s = self.state.lock().unwrap();
        let id = next_feed_id(&s);
        s.feeds.push(ServerFeed {
            id,
            title: title.into(),
            url: url.into(),
            folder: folder.map(str::to_string),
        });
        id
    }

    /// Change the item `id`.
    fn change_item(&self, id: u64, change: impl FnOnce(&mut ServerItem)) {
        change(
            self.state
                .lock()
                .unwrap()
                .items
                .get_mut(&id)
                .expect("known item"),
        );
    }

    /// The item's link (the article's URL).
    pub fn set_link(&self, id: u64, url: &str) {
        self.change_item(id, |item| item.link = Some(url.into()));
    }

    /// Read and starred state changed "elsewhere" (another client, the web UI).
    pub fn set_state(&self, id: u64, read: bool, starred: bool) {
        self.change_item(id, |item| (item.read, item.starred) = (read, starred));
    }

    /// The item was crawled `age_secs` ago (a server in use has a history).
    pub fn set_crawled_ago(&self, id: u64, age_secs: i64) {
        self.change_item(id, |item| item.crawled = now_secs() - age_secs);
    }

    /// (read, starred) of an item.
    pub fn state_of(&self, id: u64) -> (bool, bool) {
        let s = self.state.lock().unwrap();
        let item = &s.items[&id];
        (item.read, item.starred)
    }

    /// Title → (read, starred) of every item.
    pub fn states(&self) -> BTreeMap<String, (bool, bool)> {
        let s = self.state.lock().unwrap();
        s.items
            .values()
            .map(|i| (i.title.clone(), (i.read, i.starred)))
            .collect()
    }

    /// `edit-tag` with more ids than this answers 413 (a proxy's body limit).
    pub fn set_max_edit_ids(&self, n: Option<usize>) {
        self.state.lock().unwrap().max_edit_ids = n;
    }

    /// The item's HTML body.
    pub fn set_body(&self, id: u64, html: String) {
        self.change_item(id, |item| item.body = Some(html));
    }

    /// The next `times` requests whose path contains `endpoint` answer 200 with `body`.
    pub fn answer_next(&self, endpoint: &str, body: &[u8], times: usize) {
        self.fault_next(endpoint, Fault::Body(body.to_vec()), times);
    }

    /// The next `times` requests whose path contains `endpoint` meet `fault`.
    fn fault_next(&self, endpoint: &str, fault: Fault, times: usize) {
        let mut s = self.state.lock().unwrap();
        s.faults.push((endpoint.into(), fault, times));
    }

    /// The next request whose path contains `endpoint` is carried out but never answered.
    pub fn apply_then_hang_next(&self, endpoint: &str) {
        self.fault_next(endpoint, Fault::ApplyThenHang, 1);
    }

    /// Down (`true`: every connection closed unanswered, as a server being restarted) or
    /// back up, at the same URL.
    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    /// Forget the faults not yet triggered.
    pub fn clear_faults(&self) {
        self.state.lock().unwrap().faults.clear();
    }

    /// Feeds on the server: (title, url, folder).
    pub fn feeds(&self) -> Vec<(String, String, Option<String>)> {
        let s = self.state.lock().unwrap();
        s.feeds
            .iter()
            .map(|f| (f.title.clone(), f.url.clone(), f.folder.clone()))
            .collect()
    }

    /// Whether the server has the feed at `url` in `folder` (`None`: in no folder).
    pub fn has_feed_in(&self, url: &str, folder: Option<&str>) -> bool {
        let s = self.state.lock().unwrap();
        s.feeds
            .iter()
            .any(|f| f.url == url && f.folder.as_deref() == folder)
    }

    /// Unsubscribed elsewhere: FreshRSS deletes the feed's items, starred ones too.
    pub fn remove_feed(&self, id: u64) {
        let mut s = self.state.lock().unwrap();
        s.feeds.retain(|f| f.id != id);
        s.items.retain(|_, item| item.feed != id);
    }

    /// The server purges an item.
    pub fn forget(&self, id: u64) {
        self.state.lock().unwrap().items.remove(&id);
    }

    /// Answer at most `n` ids a page, whatever the client asks.
    pub fn set_page_cap(&self, n: Option<usize>) {
        self.state.lock().unwrap().page_cap = n;
    }

    /// The login token is revoked (the API password changed, a session expired): requests
    /// with the old one get 401 from now on; ClientLogin gives the new one.
    pub fn revoke_login_token(&self) {
        let mut s = self.state.lock().unwrap();
        s.auth = format!("{}-renewed", s.auth);
    }

    /// A new action token: the old one is refused from now on.
    pub fn expire_action_token(&self) {
        rotate_token(&mut self.state.lock().unwrap());
    }

    /// The action token expires just before the next write arrives.
    pub fn expire_token_on_next_write(&self) {
        self.state.lock().unwrap().expire_on_next_write = true;
    }

    /// The next `times` requests whose path contains `endpoint` answer `status` (an HTML page).
    pub fn fail_next(&self, endpoint: &str, status: u16, times: usize) {
        self.fault_next(endpoint, Fault::Status(status), times);
    }

    /// The next request whose path contains `endpoint` never answers.
    pub fn hang_next(&self, endpoint: &str) {
        self.fault_next(endpoint, Fault::Hang, 1);
    }

    /// Requests whose "METHOD /path" contains `what`.
    pub fn count(&self, what: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.log.iter().filter(|l| l.contains(what)).count()
    }

    /// Assert that `n` requests whose "METHOD /path" contains `what` came (the log if not).
    #[track_caller]
    pub fn assert_count(&self, what: &str, n: usize) {
        assert_eq!(self.count(what), n, "{what}: {:?}", self.log());
    }

    pub fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }
}

impl Drop for GReaderServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A request as the API reads it: its target split into path (decoded) and query, its body
/// read as a form.
struct Request {
    /// Method and headers as they came.
    http: http::Request,
    path: String,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
}

fn pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    all(params, key).first().copied()
}

fn last<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    all(params, key).last().copied()
}

fn all<'a>(params: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    params
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn read_request(socket: &mut TcpStream) -> Option<Request> {
    let http = http::read_request(socket)?;
    let (path, query) = match http.target.split_once('?') {
        Some((p, q)) => (p.to_string(), pairs(q)),
        None => (http.target.clone(), Vec::new()),
    };
    let path = url::form_urlencoded::parse(format!("p={path}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or(path);
    let form = pairs(&String::from_utf8_lossy(&http.body));
    Some(Request {
        http,
        path,
        query,
        form,
    })
}

type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// Where the API is below the server's root.
fn base_path(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::FreshRss => "/api/greader.php",
        Flavor::Miniflux => "",
    }
}

fn typed(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
    let headers = vec![("Content-Type".into(), content_type.into())];
    (status, headers, body.into())
}

fn text(status: u16, body: &str) -> Answer {
    typed(status, "text/plain; charset=UTF-8", body)
}

/// FreshRSS answers most endpoints as text/html whatever the body is.
fn html(status: u16, body: &str) -> Answer {
    typed(status, "text/html; charset=UTF-8", body)
}

fn json(value: serde_json::Value) -> Answer {
    typed(200, "application/json; charset=UTF-8", value.to_string())
}

/// JSON with FreshRSS's text/html content type.
fn json_as_html(value: serde_json::Value) -> Answer {
    html(200, &value.to_string())
}

fn unauthorized() -> Answer {
    (
        401,
        vec![
            ("Content-Type".into(), "text/plain; charset=UTF-8".into()),
            ("Google-Bad-Token".into(), "true".into()),
        ],
        b"Unauthorized!".to_vec(),
    )
}

fn write_answer(socket: &mut TcpStream, (status, headers, body): Answer) {
    http::write_fixed(socket, status, &headers, &body);
}

fn handle(mut socket: TcpStream, state: &Mutex<State>, stop: &AtomicBool) {
    let Some(request) = read_request(&mut socket) else {
        return;
    };
    let fault = {
        let mut s = state.lock().unwrap();
        if s.down {
            return;
        }
        let inner = request
            .path
            .strip_prefix(base_path(s.flavor))
            .unwrap_or(&request.path);
        let line = format!("{} {inner}", request.http.method);
        s.log.push(line);
        let found = s
            .faults
            .iter_mut()
            .find(|(endpoint, _, left)| *left > 0 && request.path.contains(endpoint.as_str()));
        found.map(|(_, fault, left)| {
            *left -= 1;
            fault.clone()
        })
    };
    match fault {
        Some(Fault::Status(status)) => {
            let page = format!(
                "<html><body><h1>{status}</h1>The server is having a bad day.</body></html>"
            );
            write_answer(&mut socket, html(status, &page));
        }
        Some(Fault::Body(body)) => write_answer(&mut socket, typed(200, "application/json", body)),
        Some(Fault::ApplyThenHang) => {
            let _ = route(&mut state.lock().unwrap(), &request);
            hang(&mut socket, stop);
        }
        Some(Fault::Hang) => hang(&mut socket, stop),
        None => {
            let answer = route(&mut state.lock().unwrap(), &request);
            write_answer(&mut socket, answer);
        }
    }
}

fn rotate_token(s: &mut State) {
    let generation = s.log.len();
    s.token = match s.flavor {
        Flavor::FreshRss => format!("{:040x}ZZZZZZZZZZZZZZZZZ", 0xfeed_0000 + generation),
        Flavor::Miniflux => format!("mftoken{generation:08}"),
    };
}

fn not_found(flavor: Flavor) -> Answer {
    match flavor {
        Flavor::FreshRss => text(400, "Bad Request!"),
        Flavor::Miniflux => text(404, "404 page not found"),
    }
}

fn route(s: &mut State, request: &Request) -> Answer {
    let Some(path) = request.path.strip_prefix(base_path(s.flavor)) else {
        // Outside the API: the web UI's HTML.
        return html(404, "<!DOCTYPE html><html><body>Not found</body></html>");
    };
    if path.is_empty() || path == "/" {
        return match s.flavor {
            Flavor::FreshRss => html(200, "OK"),
            Flavor::Miniflux => html(200, "<!DOCTYPE html><html><body>Miniflux</body></html>"),
        };
    }
    if path == "/accounts/ClientLogin" {
        let params: Vec<(String, String)> =
            request.query.iter().chain(&request.form).cloned().collect();
        let (Some(email), Some(passwd)) = (first(&params, "Email"), first(&params, "Passwd"))
        else {
            return text(400, "Bad Request!");
        };
        if email != s.username || passwd != s.password {
            return unauthorized();
        }
        return text(
            200,
            &format!("SID={}\nLSID=null\nAuth={}\n", s.auth, s.auth),
        );
    }
    let Some(api) = path.strip_prefix("/reader/api/0/") else {
        return not_found(s.flavor);
    };
    if request.http.header("authorization") != Some(&format!("GoogleLogin auth={}", s.auth)) {
        return unauthorized();
    }
    let post = request.http.method == "POST";
    if post && s.expire_on_next_write {
        s.expire_on_next_write = false;
        rotate_token(s);
    }
    if post {
        // Parameters of writes are read from the body only.
        let t = first(&request.form, "T");
        let ok = match (s.flavor, t) {
            (Flavor::FreshRss, None | Some("x")) => true,
            (_, Some(t)) => t == s.token,
            (Flavor::Miniflux, None) => false,
        };
        if !ok {
            return unauthorized();
        }
    }
    match (api, post) {
        ("token", false) => html(200, &format!("{}\n", s.token)),
        ("user-info", false) => json(serde_json::json!({
            "userId": s.username, "userName": s.username, "userProfileId": s.username, "userEmail": ""
        })),
        ("subscription/list", false) => {
            if s.flavor == Flavor::FreshRss && first(&request.query, "output") != Some("json") {
                return text(501, "Not Implemented!");
            }
            let subs: Vec<serde_json::Value> = s
                .feeds
                .iter()
                .map(|f| {
                    let categories: Vec<serde_json::Value> = f
                        .folder
                        .iter()
                        .map(|name| {
                            serde_json::json!({"id": format!("user/-/label/{name}"), "label": name})
                        })
                        .collect();
                    serde_json::json!({
                        "id": format!("feed/{}", f.id),
                        "title": title_out(s.flavor, &f.title, true),
                        "categories": categories,
                        "url": f.url,
                        "htmlUrl": f.url.replace(".xml", "/"),
                        "iconUrl": ""
                    })
                })
                .collect();
            json(serde_json::json!({ "subscriptions": subs }))
        }
        ("stream/items/ids", false) => item_ids(s, &request.query),
        ("stream/items/contents", true) => contents(s, &request.form),
        ("stream/items/contents", false) => text(400, "Bad Request!"),
        ("edit-tag", true) => edit_tag(s, &request.form),
        ("mark-all-as-read", true) => mark_all_as_read(s, &request.form),
        ("subscription/quickadd", true) => quickadd(s, &request.form),
        ("subscription/edit", true) => subscription_edit(s, &request.form),
        (stream, false) if stream.starts_with("stream/contents") => match s.flavor {
            // Miniflux serves no stream/contents: an empty list.
            Flavor::Miniflux => json(serde_json::json!({"id": READING_LIST, "items": []})),
            Flavor::FreshRss => not_found(s.flavor),
        },
        _ => not_found(s.flavor),
    }
}

/// FreshRSS escapes `& < >` in titles as fullwidth forms (and more in feed titles).
fn title_out(flavor: Flavor, title: &str, feed: bool) -> String {
    if flavor == Flavor::Miniflux {
        return title.to_string();
    }
    title
        .chars()
        .map(|c| match c {
            '&' => '＆',
            '<' => '＜',
            '>' => '＞',
            '?' if feed => '？',
            '/' if feed => '／',
            ',' if feed => '，',
            ';' if feed => '；',
            other => other,
        })
        .collect()
}

/// An id as a client sends it: long form is hex; FreshRSS reads an all-digit id (not
/// starting with 0) as decimal, else hex; older Miniflux reads every bare id as hex.
fn parse_id(flavor: Flavor, raw: &str) -> Option<u64> {
    if let Some(hex) = raw.strip_prefix("tag:google.com,2005:reader/item/") {
        return u64::from_str_radix(hex, 16).ok();
    }
    match flavor {
        Flavor::FreshRss if raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0') => {
            raw.parse().ok()
        }
        _ => u64::from_str_radix(raw, 16).ok(),
    }
}

fn item_ids(s: &State, query: &[(String, String)]) -> Answer {
    let stream = last(query, "s").unwrap_or(READING_LIST);
    let wanted_state = state_name(stream);
    let xt = first(query, "xt").and_then(state_name);
    let it = first(query, "it").and_then(state_name);
    let ot: Option<i64> = first(query, "ot").and_then(|v| v.parse().ok());
    let mut n: usize = first(query, "n").and_then(|v| v.parse().ok()).unwrap_or(20);
    if let Some(cap) = s.page_cap {
        n = n.min(cap);
    }
    let has = |item: &ServerItem, state: &str| match state {
        "read" => item.read,
        "unread" => !item.read,
        "starred" => item.starred,
        _ => true,
    };
    // Newest first (by id = crawl order).
    let ids: Vec<u64> = s
        .items
        .iter()
        .rev()
        .filter(|(_, item)| match wanted_state {
            // `read` is not a stream: the whole reading list.
            Some("starred") => item.starred,
            _ => true,
        })
        .filter(|(_, item)| xt.is_none_or(|x| !has(item, x)))
        .filter(|(_, item)| it.is_none_or(|i| has(item, i)))
        .filter(|(_, item)| {
            ot.is_none_or(|ot| match s.flavor {
                Flavor::FreshRss => item.crawled >= ot,
                Flavor::Miniflux => item.published >= ot,
            })
        })
        .map(|(id, _)| *id)
        .collect();
    let c = first(query, "c");
    let (page, continuation): (Vec<u64>, Option<serde_json::Value>) = match s.flavor {
        Flavor::FreshRss => {
            // c = the last id returned; the next page starts at it and drops its first row.
            let c: Option<u64> = c.and_then(|c| c.parse().ok());
            let rows: Vec<u64> = ids
                .iter()
                .filter(|id| c.is_none_or(|c| **id <= c))
                .take(if c.is_some() { n + 1 } else { n })
                .copied()
                .collect();
            let fetched = rows.len();
            let page: Vec<u64> = rows.into_iter().skip(usize::from(c.is_some())).collect();
            let continuation = (fetched >= n)
                .then(|| page.last().map(|id| serde_json::json!(id.to_string())))
                .flatten();
            (page, continuation)
        }
        Flavor::Miniflux => {
            let offset: usize = c.and_then(|c| c.parse().ok()).unwrap_or(0);
            let page: Vec<u64> = ids.iter().skip(offset).take(n).copied().collect();
            let continuation = (offset + n < ids.len()).then(|| serde_json::json!(offset + n));
            (page, continuation)
        }
    };
    let refs: Vec<serde_json::Value> = page
        .iter()
        .map(|id| serde_json::json!({"id": id.to_string()}))
        .collect();
    let mut body = serde_json::json!({ "itemRefs": refs });
    if let Some(c) = continuation {
        body["continuation"] = c;
    }
    json_as_html(body)
}

fn contents(s: &State, form: &[(String, String)]) -> Answer {
    let mut ids: Vec<u64> = all(form, "i")
        .into_iter()
        .filter_map(|raw| parse_id(s.flavor, raw))
        .filter(|id| s.items.contains_key(id))
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    let user = match s.flavor {
        Flavor::FreshRss => "-",
        Flavor::Miniflux => "1",
    };
    let items: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            let item = &s.items[id];
            let feed = s.feeds.iter().find(|f| f.id == item.feed);
            let mut categories = vec![format!("user/{user}/state/com.google/reading-list")];
            if let Some(folder) = feed.and_then(|f| f.folder.as_ref()) {
                categories.push(format!("user/{user}/label/{folder}"));
            }
            if item.read {
                categories.push(format!("user/{user}/state/com.google/read"));
            }
            if item.starred {
                categories.push(format!("user/{user}/state/com.google/starred"));
            }
            let link = item
                .link
                .clone()
                .unwrap_or_else(|| format!("http://127.0.0.1:9/item/{id}.html"));
            let body = item
                .body
                .clone()
                .unwrap_or_else(|| format!("<p>Body of {}.</p>", item.title.replace('<', "&lt;")));
            let mut value = serde_json::json!({
                "id": format!("tag:google.com,2005:reader/item/{id:016x}"),
                "crawlTimeMsec": (item.crawled * 1000).to_string(),
                "timestampUsec": (item.crawled * 1_000_000).to_string(),
                "published": item.published,
                "title": title_out(s.flavor, &item.title, false),
                "canonical": [{"href": link}],
                "alternate": [{"href": link, "type": "text/html"}],
                "categories": categories,
                "origin": {
                    "streamId": format!("feed/{}", item.feed),
                    "title": feed.map(|f| title_out(s.flavor, &f.title, true)).unwrap_or_default(),
                    "htmlUrl": feed.map(|f| f.url.clone()).unwrap_or_default(),
                },
                "author": "Fixture Author",
            });
            match s.flavor {
                Flavor::FreshRss => value["summary"] = serde_json::json!({"content": body}),
                Flavor::Miniflux => {
                    value["summary"] = serde_json::json!({"content": ""});
                    value["content"] = serde_json::json!({"direction": "ltr", "content": body});
                }
            }
            value
        })
        .collect();
    json(serde_json::json!({
        "id": READING_LIST,
        "updated": now_secs(),
        "items": items,
    }))
}

fn edit_tag(s: &mut State, form: &[(String, String)]) -> Answer {
    // Only one `a` and one `r` per request: the last wins.
    let add = last(form, "a").and_then(state_name).map(str::to_string);
    let remove = last(form, "r").and_then(state_name).map(str::to_string);
    let ids: Vec<u64> = all(form, "i")
        .into_iter()
        .filter_map(|raw| parse_id(s.flavor, raw))
        .collect();
    if s.max_edit_ids.is_some_and(|max| ids.len() > max) {
        return html(
            413,
            "<html><body>413 Request Entity Too Large</body></html>",
        );
    }
    for id in ids {
        // Unknown ids are ignored: the answer is OK anyway.
        let Some(item) = s.items.get_mut(&id) else {
            continue;
        };
        for (state, on) in [(add.as_deref(), true), (remove.as_deref(), false)] {
            match state {
                Some("read") => item.read = on,
                Some("starred") => item.starred = on,
                _ => {}
            }
        }
    }
    html(200, "OK")
}

/// `s=feed/N` (or a label, or the reading list) and `ts`: FreshRSS compares `ts` with item ids
/// (µs, inclusive; 0 or absent = now); Miniflux reads it as µs when 16 digits or more, else
/// seconds, and compares it with the published date. Unknown feed or label, non-digit `ts`:
/// 400.
fn mark_all_as_read(s: &mut State, form: &[(String, String)]) -> Answer {
    let stream = first(form, "s").unwrap_or_default().to_string();
    let ts: u64 = match first(form, "ts") {
        None | Some("") => 0,
        Some(t) => match t.parse() {
            Ok(t) => t,
            Err(_) => return text(400, "Bad Request!"),
        },
    };
    let feeds: Vec<u64> = if let Some(id) = stream.strip_prefix("feed/") {
        match id.parse::<u64>() {
            Ok(id) if s.feeds.iter().any(|f| f.id == id) => vec![id],
            _ => return text(400, "Bad Request!"),
        }
    } else if let Some(label) = stream.strip_prefix("user/-/label/") {
        let ids: Vec<u64> = s
            .feeds
            .iter()
            .filter(|f| f.folder.as_deref() == Some(label))
            .map(|f| f.id)
            .collect();
        if ids.is_empty() {
            return text(400, "Bad Request!");
        }
        ids
    } else if stream == READING_LIST {
        s.feeds.iter().map(|f| f.id).collect()
    } else {
        return text(400, "Bad Request!");
    };
    let flavor = s.flavor;
    for (id, item) in s.items.iter_mut().filter(|(_, i)| feeds.contains(&i.feed)) {
        let marked = match flavor {
            Flavor::FreshRss => ts == 0 || *id <= ts,
            Flavor::Miniflux => {
                let before = if ts == 0 {
                    now_secs()
                } else if ts.to_string().len() >= 16 {
                    (ts / 1_000_000) as i64
                } else {
                    ts as i64
                };
                item.published < before
            }
        };
        if marked {
            item.read = true;
        }
    }
    html(200, "OK")
}

/// `quickadd=<url>`: FreshRSS fetches the feed at once; failures are 200 with numResults 0.
/// Here a URL containing "missing" answers 404.
fn quickadd(s: &mut State, form: &[(String, String)]) -> Answer {
    let Some(raw) = first(form, "quickadd") else {
        return text(400, "Bad Request!");
    };
    let url = raw.strip_prefix("feed/").unwrap_or(raw).to_string();
    let error = if s.feeds.iter().any(|f| f.url == url) {
        Some(format!("Already subscribed! {url}"))
    } else if url.contains("missing") {
        Some(format!(
            "cURL error 22: The requested URL returned error: 404 [{url}]"
        ))
    } else {
        None
    };
    if let Some(error) = error {
        return json_as_html(serde_json::json!({"numResults": 0, "error": error}));
    }
    let id = next_feed_id(s);
    let title = format!("Feed at {}", url.rsplit('/').next().unwrap_or_default());
    s.feeds.push(ServerFeed {
        id,
        title: title.clone(),
        url: url.clone(),
        folder: (s.flavor == Flavor::FreshRss).then(|| "Uncategorized".to_string()),
    });
    json_as_html(serde_json::json!({
        "numResults": 1, "query": url, "streamId": format!("feed/{id}"), "streamName": title
    }))
}

/// `ac=edit` (folder with `a=`) and `ac=unsubscribe` (the feed's items go, starred ones too);
/// an unknown feed is 400.
fn subscription_edit(s: &mut State, form: &[(String, String)]) -> Answer {
    let ids: Vec<u64> = all(form, "s")
        .into_iter()
        .filter_map(|v| v.strip_prefix("feed/")?.parse().ok())
        .collect();
    if ids.is_empty() || !ids.iter().all(|id| s.feeds.iter().any(|f| f.id == *id)) {
        return text(400, "Bad Request!");
    }
    match first(form, "ac") {
        Some("edit") => {
            let folder = last(form, "a")
                .and_then(|a| a.strip_prefix("user/-/label/"))
                .map(str::to_string);
            for f in s.feeds.iter_mut().filter(|f| ids.contains(&f.id)) {
                if folder.is_some() {
                    f.folder = folder.clone();
                }
            }
        }
        Some("unsubscribe") => {
            s.feeds.retain(|f| !ids.contains(&f.id));
            s.items.retain(|_, item| !ids.contains(&item.feed));
        }
        _ => return text(400, "Bad Request!"),
    }
    html(200, "OK")
}
