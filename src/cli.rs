//! The command line: clap definitions, logging set-up, and the headless subcommands
//! (add, remove, list, import, export, refresh, items, read, mark, extract). Errors end here as
//! one line on stderr and a non-zero exit.

use crate::article::{Article, ArticleView};
use crate::config::{self, Config};
use crate::feed::discover::{discover_feeds, looks_like_feed};
use crate::feed::opml;
use crate::fetch::{Conditional, Fetcher, parse_http_url};
use crate::model::{FeedId, ItemId, ParsedFeed};
use crate::refresh::{
    FeedRefreshResult, RefreshOptions, RefreshOutcome, RefreshSummary, RefreshTrigger,
    refresh_feeds_on,
};
use crate::store::{FetchRecord, ItemFilter, NewFeed, Store};
use crate::text::sanitize_line;
use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One line on stdout; an error (a closed pipe, say) goes up instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)?
    };
}

/// kiosque: a terminal news reader that shows the cleaned article and its related links.
#[derive(Debug, Parser)]
#[command(name = "kiosque", version = env!("KIOSQUE_VERSION"), about, long_about = None)]
pub struct Cli {
    /// Data directory (database, log); $KIOSQUE_DATA_DIR wins over this.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file; $KIOSQUE_CONFIG wins over this.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run the TUI on bundled demo feeds served from a loopback server, with a throw-away data dir.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Subscribe to a feed (or to the feed a web page advertises).
    Add {
        url: String,
        /// Use this title instead of the feed's own.
        #[arg(long)]
        title: Option<String>,
        /// Tag the feed (repeatable).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Unsubscribe (by URL or id); its items go too, except starred ones, which stay.
    Remove {
        #[arg(value_name = "URL-OR-ID")]
        feed: String,
    },
    /// Show or change one feed: its title, tags and own settings (by URL or id).
    Feed(FeedArgs),
    /// List subscriptions.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Subscribe to every feed of an OPML file (folders become tags).
    Import { file: PathBuf },
    /// Write the subscriptions as OPML 2.0 (to stdout, or FILE).
    Export { file: Option<PathBuf> },
    /// Fetch every feed once, then exit.
    Refresh {
        #[arg(long)]
        json: bool,
    },
    /// Headlines, newest first.
    Items(ItemsArgs),
    /// Print an item as the reading pane shows it, and mark it read.
    Read {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Change the state of items.
    Mark(MarkArgs),
    /// Fetch (or read) an article page and print its cleaned text and related links.
    Extract {
        /// An http(s) URL, or a local HTML file (then give --url).
        #[arg(value_name = "URL-OR-FILE")]
        target: String,
        /// The page's address, to resolve its links (with a FILE).
        #[arg(long, value_name = "BASE")]
        url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `kiosque man | man -l -`.
    Man,
    /// Sync with the aggregator in [sync]: push local changes, pull subscriptions, items, state.
    Sync {
        #[arg(long)]
        json: bool,
        /// Show pending changes and the last sync, without contacting the server.
        #[arg(long)]
        status: bool,
        /// Sync with the server and account [sync] names although this data dir synced with
        /// another (feeds, items and their state stay; changes queued for the old one go).
        #[arg(long, conflicts_with = "status")]
        reset_server_ids: bool,
        /// Subscribe on the server to the local feeds it does not have (first tag as folder).
        #[arg(long, conflicts_with = "status")]
        upload_subscriptions: bool,
    },
}

/// `kiosque feed URL-OR-ID [--rename T] [--tag T]... [--refresh-minutes N] [--extract B]
/// [--keep-days N] [--json]`: without a change, prints the feed.
#[derive(Debug, Args)]
pub struct FeedArgs {
    #[arg(value_name = "URL-OR-ID")]
    pub feed: String,
    /// A new title (kept over the feed's own from then on).
    #[arg(long, value_name = "TITLE")]
    pub rename: Option<String>,
    /// Its tags (repeatable): they replace the feed's tags.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Remove every tag.
    #[arg(long, conflicts_with = "tags")]
    pub no_tags: bool,
    /// Minutes between automatic refreshes of this feed, or "default" (the config's).
    #[arg(long, value_name = "N|default")]
    pub refresh_minutes: Option<String>,
    /// false: show the feed's own content, never fetch the article page; or "default".
    #[arg(long, value_name = "true|false|default")]
    pub extract: Option<String>,
    /// Days read, unstarred items are kept after they left the feed, or "default".
    #[arg(long, value_name = "N|default")]
    pub keep_days: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// `kiosque items [--unread] [--feed ID] [--limit N] [--query QUERY] [--hidden] [--json]`.
#[derive(Debug, Args)]
pub struct ItemsArgs {
    #[arg(long)]
    pub unread: bool,
    #[arg(long, value_name = "ID")]
    pub feed: Option<i64>,
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long)]
    pub json: bool,
    /// Only items matching a query (title:, feed:, is:unread, words, "phrases", OR, -…).
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Only the items a [[rules]] "hide" rule hid (left out of every other list).
    #[arg(long)]
    pub hidden: bool,
}

/// `kiosque mark ID... --read|--unread|--star|--unstar`.
#[derive(Debug, Args)]
pub struct MarkArgs {
    #[arg(required_unless_present = "query", value_name = "ID")]
    pub ids: Vec<i64>,
    /// Every item matching this query instead of listed ids.
    #[arg(
        long,
        value_name = "QUERY",
        conflicts_with = "ids",
        allow_hyphen_values = true
    )]
    pub query: Option<String>,
    #[arg(long, conflicts_with_all = ["unread", "star", "unstar"])]
    pub read: bool,
    #[arg(long, conflicts_with_all = ["star", "unstar"])]
    pub unread: bool,
    #[arg(long, conflicts_with = "unstar")]
    pub star: bool,
    #[arg(long)]
    pub unstar: bool,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    crate::startup::begin();
    install_panic_hook();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`kiosque items | head`): stop quietly, as
        // Unix tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = format!("{e}");
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(": ");
                    message.push_str(&cause);
                }
            }
            eprintln!("kiosque: error: {}", sanitize_line(&message));
            ExitCode::FAILURE
        }
    }
}

/// Whether an error is a write to a closed pipe (directly, or inside serde_json's error).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Where this run keeps its files, and its configuration.
pub struct RunContext {
    pub data_dir: PathBuf,
    pub db_path: PathBuf,
    pub config: Config,
}

/// The config for this run, checked whole (its `[keys]` too) whatever the command.
fn load_config(cli: &Cli) -> Result<Config> {
    let config = Config::load_for(cli.config.as_deref())?;
    crate::tui::check_keymap(&config).with_context(|| match &config.path {
        Some(path) => format!("bad config file {}", path.display()),
        None => "bad config".to_string(),
    })?;
    Ok(config)
}

fn load_context(cli: &Cli) -> Result<RunContext> {
    let config = load_config(cli)?;
    let data_dir = config::data_dir(cli.data_dir.as_deref())?;
    std::fs::create_dir_all(&data_dir).with_context(|| {
        format!(
            "cannot create the data directory {} (set --data-dir or $KIOSQUE_DATA_DIR to a writable place)",
            data_dir.display()
        )
    })?;
    Ok(RunContext {
        db_path: config::database_path(&data_dir),
        data_dir,
        config,
    })
}

/// Lines the log queue holds before it drops new ones (see [`init_logging`]).
const LOG_QUEUE_LINES: usize = 4096;

/// Log to `kiosque.log` in the data directory; never to the terminal.
fn init_logging(data_dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    // An unwritable log file means running without a log, never failing the command.
    let appender = tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::NEVER)
        .filename_prefix(config::LOG_FILE_NAME)
        .build(data_dir)
        .ok()?;
    // The default queue holds 128,000 lines, and its slots are written when it is made: 4 MB
    // resident before the first frame. A few thousand lines cover a refresh's burst; past
    // that a line is dropped rather than making a task wait for the disk.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("KIOSQUE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Panics never print raw text (a parser's message may quote a hostile feed): on the main
/// thread, one sanitised line on stderr; on other threads (where kiosque catches parser
/// panics per feed), only the log.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = sanitize_line(&info.to_string());
        if std::thread::current().name() == Some("main") {
            eprintln!("kiosque: internal error: {message}");
        }
        tracing::error!("panic: {message}");
    }));
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Parsing is CPU-bound: more blocking threads than a few only add malloc arenas
        // (peak memory) without adding speed.
        .max_blocking_threads(6)
        .build()
        .context("cannot start the async runtime")
}

fn run(cli: Cli) -> Result<ExitCode> {
    // Completions and the man page need no config, data directory or database.
    match &cli.command {
        Some(Command::Completions { shell }) => return crate::packaging::completions(*shell),
        Some(Command::Man) => return crate::packaging::man_page(),
        _ => {}
    }
    if cli.demo {
        return crate::demo::run_demo(cli.config.as_deref());
    }
    // `extract` needs no data directory or database (and a local file no config).
    if let Some(Command::Extract { target, url, json }) = &cli.command {
        return extract(&cli, target, url.as_deref(), *json);
    }
    let ctx = load_context(&cli)?;
    crate::startup::mark("config");
    // `list` only reads the feed rows and logs nothing: starting the log writer (its thread
    // and filter) cost more CPU than listing 3,000 feeds, and more wall time on a busy
    // machine (issue 12: `list --json` at 3,000 feeds).
    if let Some(Command::List { json }) = &cli.command {
        return list(&ctx, *json);
    }
    let _log = init_logging(&ctx.data_dir);
    crate::startup::mark("log");
    let Some(command) = cli.command else {
        return run_tui(ctx);
    };
    match command {
        Command::Add { url, title, tags } => add(&ctx, &url, title, tags),
        Command::Remove { feed } => remove(&ctx, &feed),
        Command::Feed(args) => feed_command(&ctx, &args),
        Command::List { json } => list(&ctx, json),
        Command::Import { file } => import(&ctx, &file),
        Command::Export { file } => export(&ctx, file.as_deref()),
        // With [sync] the server polls the feeds: a refresh is a sync.
        Command::Refresh { json } if ctx.config.sync.is_some() => {
            crate::cli_sync::sync_command(&ctx, json, false, Default::default())
        }
        Command::Refresh { json } => refresh(&ctx, json),
        Command::Items(args) => items(&ctx, &args),
        Command::Read { id, json } => read(&ctx, id, json),
        Command::Mark(args) => mark(&ctx, &args),
        Command::Sync {
            json,
            status,
            reset_server_ids,
            upload_subscriptions,
        } => crate::cli_sync::sync_command(
            &ctx,
            json,
            status,
            crate::sync::engine::SyncOptions {
                reset_server_ids,
                upload_subscriptions,
            },
        ),
        Command::Extract { .. } | Command::Completions { .. } | Command::Man => {
            bail!("internal error: this command is handled before the data directory")
        }
    }
}

fn run_tui(ctx: RunContext) -> Result<ExitCode> {
    // The keymap was checked with the config (`load_config`). Fail before the screen opens
    // if the database is unusable; the store thread then keeps this connection.
    let store = Store::open(&ctx.db_path)?;
    crate::startup::mark("store");
    let rt = runtime()?;
    crate::startup::mark("runtime");
    rt.block_on(crate::tui::run_with_store(
        crate::tui::TuiContext {
            config: ctx.config,
            db_path: ctx.db_path,
            clock: std::sync::Arc::new(crate::clock::SystemClock),
            remove_if_stuck: None,
        },
        Some(store),
    ))?;
    Ok(ExitCode::SUCCESS)
}

// ---- add / remove / import / export ---------------------------------------------------------

/// What fetching a URL for `add` found: the feed's URL, its document and validators.
pub(crate) struct Discovered {
    pub(crate) url: String,
    pub(crate) parsed: ParsedFeed,
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
    pub(crate) status: u16,
}

impl Discovered {
    /// The subscription to store: `title` is the user's when given (kept by refreshes), else
    /// the feed's own.
    pub(crate) fn new_feed(&self, title: Option<String>, tags: Vec<String>) -> NewFeed {
        NewFeed {
            url: self.url.clone(),
            title_is_users: title.is_some(),
            title: title.or_else(|| self.parsed.title.clone()),
            site_url: self.parsed.site_url.clone(),
            tags,
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// The feed at `url`, or the one its page advertises (`add`, and the TUI's add prompt).
pub(crate) async fn discover_feed(fetcher: &Fetcher, url: &str) -> Result<Discovered> {
    let (first, advertised) = fetch_feed_document(fetcher, url).await?;
    match advertised {
        None => Ok(first),
        Some(feed_url) => {
            let (doc, again) = fetch_feed_document(fetcher, &feed_url).await?;
            if again.is_some() {
                bail!(
                    "{}, advertised by {}, is a page, not a feed",
                    sanitize_line(&feed_url),
                    sanitize_line(url)
                );
            }
            Ok(doc)
        }
    }
}

/// Subscribe to a discovered feed and store the items it came with; (id, new items).
pub(crate) fn store_discovered(
    store: &mut Store,
    found: Discovered,
    new: &NewFeed,
) -> Result<(FeedId, usize)> {
    let id = store.add_feed(new, Utc::now())?;
    let record = FetchRecord {
        status: Some(found.status),
        etag: found.etag,
        last_modified: found.last_modified,
        ..Default::default()
    };
    let new_items = store.record_fetch(id, Utc::now(), &record, Some(&found.parsed))?;
    Ok((id, new_items))
}

async fn fetch_feed_document(fetcher: &Fetcher, url: &str) -> Result<(Discovered, Option<String>)> {
    let response = fetcher
        .get(url, &Conditional::default())
        .await
        .with_context(|| format!("cannot fetch {}", sanitize_line(url)))?;
    if !response.is_success() {
        bail!(
            "cannot fetch {}: HTTP {}",
            sanitize_line(url),
            response.status
        );
    }
    let final_url = response.final_url.to_string();
    if looks_like_feed(&response.body) {
        let parsed = crate::feed::parse_feed(
            &response.body,
            response.content_type.as_deref(),
            &response.final_url,
        )
        .with_context(|| format!("{} is not a readable feed", sanitize_line(&final_url)))?;
        return Ok((
            Discovered {
                url: if response.moved_permanently {
                    final_url
                } else {
                    url.to_string()
                },
                parsed,
                etag: response.etag,
                last_modified: response.last_modified,
                status: response.status,
            },
            None,
        ));
    }
    let html = crate::charset::decode_html(&response.body, response.content_type.as_deref());
    let feeds = discover_feeds(&html, &response.final_url);
    let Some(first) = feeds.first() else {
        bail!(
            "no feed at {}: the page is not a feed and advertises none (look for an RSS or Atom link on the site)",
            sanitize_line(url)
        );
    };
    Ok((
        Discovered {
            url: first.to_string(),
            parsed: ParsedFeed::default(),
            etag: None,
            last_modified: None,
            status: 0,
        },
        Some(first.to_string()),
    ))
}

fn add(ctx: &RunContext, url: &str, title: Option<String>, tags: Vec<String>) -> Result<ExitCode> {
    let url = parse_http_url(url)?;
    let mut store = Store::open(&ctx.db_path)?;
    if store.find_feed(url.as_str()).is_ok() {
        bail!("already subscribed to {url}");
    }
    let fetcher = Fetcher::new(&ctx.config)?;
    let rt = runtime()?;
    let found = rt.block_on(discover_feed(&fetcher, url.as_str()))?;
    if store.find_feed(&found.url).is_ok() {
        bail!("already subscribed to {}", found.url);
    }
    let user_title = title.map(|t| sanitize_line(&t)).filter(|t| !t.is_empty());
    let tags = tags.iter().map(|t| sanitize_line(t));
    let new = found.new_feed(user_title, tags.filter(|t| !t.is_empty()).collect());
    // With [sync] the server polls the feed: its items come from there, never stored twice.
    if let Some(config) = &ctx.config.sync {
        return crate::cli_sync::add_on_server(ctx, config, &mut store, &rt, &new);
    }
    // The first items are new items too: the rules apply to them as to a refresh's.
    store.set_arrival_rules(crate::store::ArrivalRule::from_config(&ctx.config.rules));
    let (id, new_items) = store_discovered(&mut store, found, &new)?;
    let feed = store.feed(id)?;
    say!(
        "Subscribed to {} ({}), {}",
        sanitize_line(&feed.title),
        feed.url,
        count(new_items, "item", "items")
    );
    Ok(ExitCode::SUCCESS)
}

fn remove(ctx: &RunContext, which: &str) -> Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    let feed = store.find_feed(which)?;
    let kept = match &ctx.config.sync {
        Some(config) => crate::cli_sync::remove_on_server(ctx, config, &mut store, &feed)?,
        None => store.remove_feed(feed.id)?,
    };
    if kept == 0 {
        say!("Removed {} ({})", sanitize_line(&feed.title), feed.url);
    } else {
        say!(
            "Removed {} ({}); kept its {} (under Starred)",
            sanitize_line(&feed.title),
            feed.url,
            count(kept, "starred item", "starred items")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn import(ctx: &RunContext, file: &Path) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = crate::charset::decode_xml(&bytes, None);
    let doc =
        opml::parse_opml(&text).with_context(|| format!("cannot import {}", file.display()))?;
    let mut store = Store::open(&ctx.db_path)?;
    let news: Vec<NewFeed> = doc
        .feeds
        .iter()
        .map(|f| {
            // The OPML's title is the user's (given in this or another reader): a refresh
            // keeps it. An export writes the URL for a feed with no title yet: not a title.
            let title = f
                .title
                .clone()
                .filter(|t| !t.trim().is_empty() && *t != f.url);
            NewFeed {
                url: f.url.clone(),
                title_is_users: title.is_some(),
                title,
                site_url: f.site_url.clone(),
                tags: f.tags.clone(),
                ..Default::default()
            }
        })
        .collect();
    match &ctx.config.sync {
        Some(config) => {
            let done = crate::cli_sync::import_on_server(ctx, config, &mut store, &news)?;
            say!(
                "Imported {} from {} on the sync server ({} already subscribed, {} refused{}); their items come with the next sync",
                count(done.added, "feed", "feeds"),
                file.display(),
                done.skipped,
                doc.refused.len() + done.refused.len(),
                if done.queued > 0 {
                    format!(", {} queued for the server", done.queued)
                } else {
                    String::new()
                }
            );
            for refusal in &done.refused {
                eprintln!("kiosque: {refusal}");
            }
        }
        None => {
            let (added, skipped) = store.add_feeds(&news, Utc::now())?;
            say!(
                "Imported {} from {} ({skipped} already subscribed, {} refused)",
                count(added, "feed", "feeds"),
                file.display(),
                doc.refused.len()
            );
        }
    }
    for refused in &doc.refused {
        eprintln!(
            "kiosque: refused {}: {}",
            sanitize_line(&refused.url),
            sanitize_line(&refused.reason)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn export(ctx: &RunContext, file: Option<&Path>) -> Result<ExitCode> {
    let store = Store::open(&ctx.db_path)?;
    let text = opml::export_opml(&store.feeds()?, Utc::now());
    match file {
        None => {
            std::io::stdout().write_all(text.as_bytes())?;
        }
        Some(path) => {
            // Write beside, then rename: an interrupted export never leaves half a file. Errors
            // name the file the user gave, not the temporary one.
            let tmp = path.with_extension("opml.partial");
            std::fs::write(&tmp, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---- feed -------------------------------------------------------------------------------------

/// A per-feed number setting: a whole number, or "default" (`None`, the config's value).
fn setting_number(name: &str, value: &str, max: u32) -> Result<Option<u32>> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("default") {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
        _ => bail!(
            "--{name} {}: give a whole number from 1 to {max}, or \"default\"",
            sanitize_line(value)
        ),
    }
}

fn feed_command(ctx: &RunContext, args: &FeedArgs) -> Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    let feed = store.find_feed(&args.feed)?;
    // Every value is checked before anything changes.
    let title = match &args.rename {
        Some(t) => {
            let t = sanitize_line(t);
            if t.is_empty() {
                bail!("--rename: the title is empty");
            }
            Some(t)
        }
        None => None,
    };
    let tags = if args.no_tags {
        Some(Vec::new())
    } else if args.tags.is_empty() {
        None
    } else {
        Some(clean_tags(&args.tags))
    };
    let change = crate::store::FeedChange {
        title,
        tags,
        refresh_minutes: args
            .refresh_minutes
            .as_deref()
            .map(|v| setting_number("refresh-minutes", v, 525_600))
            .transpose()?,
        extract: match args.extract.as_deref().map(str::trim) {
            None => None,
            Some("true") | Some("default") => Some(true),
            Some("false") => Some(false),
            Some(other) => bail!(
                "--extract {}: give true, false or default",
                sanitize_line(other)
            ),
        },
        keep_days: args
            .keep_days
            .as_deref()
            .map(|v| setting_number("keep-days", v, 36_500))
            .transpose()?,
    };
    let feed = if change == crate::store::FeedChange::default() {
        feed
    } else {
        store.update_feed(feed.id, &change)?
    };
    if args.json {
        print_json(&feed_json(&feed))?;
    } else {
        let or_default = |v: Option<u32>, unit: &str| {
            v.map_or_else(|| "default".to_string(), |n| format!("{n} {unit}"))
        };
        say!(
            "{} {} <{}>\n  tags: {}\n  refresh: {}\n  extract: {}\n  keep: {}",
            feed.id,
            sanitize_line(&feed.title),
            sanitize_line(&feed.url),
            if feed.tags.is_empty() {
                "none".to_string()
            } else {
                sanitize_line(&feed.tags.join(", "))
            },
            or_default(feed.settings.refresh_minutes, "minutes"),
            feed.settings.extract,
            or_default(feed.settings.keep_days, "days"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Tags as given on the command line or in a prompt: trimmed, cleaned, empty ones and repeats
/// dropped.
pub(crate) fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| sanitize_line(t)) {
        if !tag.is_empty() && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

// ---- list / items -----------------------------------------------------------------------------

#[derive(Serialize)]
struct FeedJson {
    id: FeedId,
    title: String,
    url: String,
    tags: Vec<String>,
    unread: i64,
    total: i64,
    status: Option<u16>,
    error: Option<String>,
    last_fetched: Option<String>,
    /// This feed's own settings (null: the config's value).
    refresh_minutes: Option<u32>,
    extract: bool,
    keep_days: Option<u32>,
}

fn feed_json(f: &crate::model::Feed) -> FeedJson {
    FeedJson {
        id: f.id,
        title: sanitize_line(&f.title),
        url: sanitize_line(&f.url),
        tags: f.tags.iter().map(|t| sanitize_line(t)).collect(),
        unread: f.unread,
        total: f.total,
        status: f.status,
        error: f.error.as_deref().map(sanitize_line),
        last_fetched: f.last_fetched.map(|t| t.to_rfc3339()),
        refresh_minutes: f.settings.refresh_minutes,
        extract: f.settings.extract,
        keep_days: f.settings.keep_days,
    }
}

pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<()> {
    // Stdout is line-buffered: unbuffered, pretty JSON costs one write(2) per line (33,000 for
    // 3,000 feeds).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

fn list(ctx: &RunContext, json: bool) -> Result<ExitCode> {
    let store = Store::open(&ctx.db_path)?;
    let feeds = store.feeds()?;
    if json {
        let rows: Vec<FeedJson> = feeds.iter().map(feed_json).collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if feeds.is_empty() {
        say!("No subscriptions yet: `kiosque add URL` or `kiosque import FILE.opml`.");
    }
    let told_apart = crate::tui::state::feed_qualifiers(&feeds, true);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for f in &feeds {
        let host = told_apart
            .get(&f.id)
            .map(|h| format!(" ({})", sanitize_line(h)))
            .unwrap_or_default();
        let state = match (&f.error, f.status) {
            (Some(e), _) => format!("  ! {}", sanitize_line(e)),
            _ => String::new(),
        };
        let tags = if f.tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", sanitize_line(&f.tags.join(", ")))
        };
        writeln!(
            out,
            "{:>4}  {:>4}/{:<5} {}{}{} <{}>{}",
            f.id,
            f.unread,
            f.total,
            sanitize_line(&f.title),
            host,
            tags,
            sanitize_line(&f.url),
            state
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ItemJson {
    id: ItemId,
    feed_id: FeedId,
    feed_title: String,
    title: String,
    url: Option<String>,
    /// RFC 3339; null when the feed gave no date.
    published: Option<String>,
    read: bool,
    starred: bool,
    /// Titles of the other feeds that carry the same story ([] when none).
    also_in: Vec<String>,
}

fn items(ctx: &RunContext, args: &ItemsArgs) -> Result<ExitCode> {
    // A bad query is reported before the database is even opened.
    let query = parse_query(args.query.as_deref())?;
    let store = Store::open(&ctx.db_path)?;
    let filter = ItemFilter {
        query,
        hidden: args.hidden,
        feed: match args.feed {
            Some(id) => Some(store.feed(FeedId(id))?.id),
            None => None,
        },
        unread_only: args.unread,
        ..Default::default()
    };
    let limit = args.limit.unwrap_or(usize::MAX / 2);
    let rows = store.items(&filter, 0, limit)?;
    if args.json {
        let rows: Vec<ItemJson> = rows
            .into_iter()
            .map(|i| ItemJson {
                id: i.id,
                feed_id: i.feed_id,
                feed_title: sanitize_line(&i.feed_title),
                title: sanitize_line(&i.title),
                url: i.url.as_deref().map(sanitize_line),
                published: i.dated.then(|| i.published.to_rfc3339()),
                read: i.read,
                starred: i.starred,
                also_in: i.also_in.iter().map(|t| sanitize_line(t)).collect(),
            })
            .collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    // An undated item shows when kiosque first saw it, said so; the column stays aligned.
    let when = |i: &crate::model::ItemSummary| {
        if i.dated {
            shown_time(i.published)
        } else {
            format!("seen {}", shown_time(i.published))
        }
    };
    let width = rows.iter().map(|i| when(i).len()).max().unwrap_or(0);
    for i in &rows {
        let marks = format!(
            "{}{}",
            if i.read { ' ' } else { 'N' },
            if i.starred { '*' } else { ' ' }
        );
        let also_in = if i.also_in.is_empty() {
            String::new()
        } else {
            format!("  (also in: {})", sanitize_line(&i.also_in.join(", ")))
        };
        writeln!(
            out,
            "{:>6} {marks} {:<width$}  {} — {}{also_in}",
            i.id,
            when(i),
            sanitize_line(&i.feed_title),
            sanitize_line(&i.title)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn mark(ctx: &RunContext, args: &MarkArgs) -> Result<ExitCode> {
    if !(args.read || args.unread || args.star || args.unstar) {
        bail!("say what to do: --read, --unread, --star or --unstar");
    }
    let query = parse_query(args.query.as_deref())?;
    let mut store = Store::open(&ctx.db_path)?;
    let ids: Vec<ItemId> = match &query {
        Some(_) => store
            .items(
                &ItemFilter {
                    query,
                    ..Default::default()
                },
                0,
                usize::MAX / 2,
            )?
            .into_iter()
            .map(|i| i.id)
            .collect(),
        None => args.ids.iter().map(|i| ItemId(*i)).collect(),
    };
    // Items that came from a sync server get the change queued in the same transaction.
    if args.read || args.unread {
        store.set_read(&ids, args.read)?;
    } else {
        store.set_starred(&ids, args.star)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A `--query` argument parsed; a bad one is one line naming the position.
fn parse_query(text: Option<&str>) -> Result<Option<crate::query::Query>> {
    text.map(|t| {
        crate::query::Query::parse(t).map_err(|e| {
            // A short query is quoted back; a long (hostile) one only by its position.
            if t.chars().count() <= 80 {
                anyhow!("bad query {t:?}: {e}")
            } else {
                anyhow!("bad query: {e}")
            }
        })
    })
    .transpose()
}

// ---- refresh ---------------------------------------------------------------------------------

/// "1 item", "2 items".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A date and time as `items` and `read` print them: local, "2026-11-22 10:00".
fn shown_time(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A time as the user's clock shows it: "14:05" today, else "2026-11-23 14:05".
fn local_time(t: chrono::DateTime<Utc>) -> String {
    let local = t.with_timezone(&chrono::Local);
    if local.date_naive() == chrono::Local::now().date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// The summary's words for skipped feeds: those a server asked to wait (said with the time),
/// and, in an automatic refresh, those backing off after failures.
fn skipped_phrases(outcomes: &[RefreshOutcome]) -> Vec<String> {
    let mut server_until = Vec::new();
    let mut not_due = 0;
    for o in outcomes {
        match &o.result {
            FeedRefreshResult::Skipped {
                until,
                server_asked: true,
            } => server_until.push(*until),
            FeedRefreshResult::Skipped { .. } => not_due += 1,
            _ => {}
        }
    }
    let mut phrases = Vec::new();
    if let Some(latest) = server_until.iter().max() {
        let times: std::collections::BTreeSet<String> =
            server_until.iter().map(|t| local_time(*t)).collect();
        phrases.push(if times.len() == 1 {
            format!(
                "{} skipped until {} (the server asked)",
                server_until.len(),
                local_time(*latest)
            )
        } else {
            format!(
                "{} skipped until {} at the latest (the servers asked)",
                server_until.len(),
                local_time(*latest)
            )
        });
    }
    if not_due > 0 {
        phrases.push(format!("{not_due} not due yet"));
    }
    phrases
}

#[derive(Serialize)]
struct OutcomeJson {
    id: FeedId,
    url: String,
    status: Option<u16>,
    result: &'static str,
    new_items: usize,
    error: Option<String>,
    /// RFC 3339, for a skipped feed: when it is next asked.
    skipped_until: Option<String>,
}

#[derive(Serialize)]
struct RefreshJson {
    feeds: usize,
    ok: usize,
    not_modified: usize,
    failed: usize,
    skipped: usize,
    new_items: usize,
    outcomes: Vec<OutcomeJson>,
}

fn refresh(ctx: &RunContext, json: bool) -> Result<ExitCode> {
    // Opened once: this connection reads the feeds, then writes the refresh.
    let store = Store::open(&ctx.db_path)?;
    let feeds = store.feeds()?;
    let fetcher = Fetcher::new(&ctx.config)?;
    // The user asked for this refresh: feeds backing off after failures are fetched too.
    let opts = RefreshOptions {
        trigger: RefreshTrigger::Manual,
        ..RefreshOptions::from_config(&ctx.config)
    };
    let total = feeds.len() as u64;
    let bar = (!json && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("refreshing {pos}/{len} {wide_bar} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let rt = runtime()?;
    let outcomes = rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<RefreshOutcome>();
        let ticker_bar = bar.clone();
        let ticker = tokio::spawn(async move {
            while let Some(o) = rx.recv().await {
                if let Some(b) = &ticker_bar {
                    b.inc(1);
                    b.set_message(sanitize_line(&o.url));
                }
            }
        });
        let result = refresh_feeds_on(store, &fetcher, feeds, &opts, Some(tx)).await;
        let _ = ticker.await;
        result
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let summary = RefreshSummary::of(&outcomes);
    if json {
        let rows = outcomes
            .iter()
            .map(|o| {
                let (result, new_items, error, skipped_until) = match &o.result {
                    FeedRefreshResult::Updated { new_items } => ("updated", *new_items, None, None),
                    FeedRefreshResult::NotModified => ("not_modified", 0, None, None),
                    FeedRefreshResult::Failed { error } => {
                        ("failed", 0, Some(sanitize_line(error)), None)
                    }
                    FeedRefreshResult::Skipped {
                        until,
                        server_asked,
                    } => {
                        let until = until.to_rfc3339();
                        let why = if *server_asked {
                            format!("the server asked to wait until {until}")
                        } else {
                            format!("not due before {until}")
                        };
                        ("skipped", 0, Some(why), Some(until))
                    }
                };
                OutcomeJson {
                    id: o.feed_id,
                    url: sanitize_line(&o.url),
                    status: o.status,
                    result,
                    new_items,
                    error,
                    skipped_until,
                }
            })
            .collect();
        print_json(&RefreshJson {
            feeds: outcomes.len(),
            ok: summary.updated,
            not_modified: summary.not_modified,
            failed: summary.failed,
            skipped: summary.skipped,
            new_items: summary.new_items,
            outcomes: rows,
        })?;
    } else {
        let mut err = std::io::stderr().lock();
        for o in &outcomes {
            // stderr closed too: nothing to tell, the summary still goes to stdout.
            let _ = match &o.result {
                FeedRefreshResult::Failed { error } => writeln!(
                    err,
                    "failed: {} — {}",
                    sanitize_line(&o.url),
                    sanitize_line(error)
                ),
                FeedRefreshResult::Skipped {
                    until,
                    server_asked: true,
                } => writeln!(
                    err,
                    "skipped until {} (the server asked): {}",
                    local_time(*until),
                    sanitize_line(&o.url)
                ),
                _ => Ok(()),
            };
        }
        drop(err);
        let mut parts = vec![
            format!("{} ok", summary.updated),
            format!("{} not modified", summary.not_modified),
            format!("{} failed", summary.failed),
        ];
        parts.extend(skipped_phrases(&outcomes));
        say!(
            "{}: {}; {}",
            count(outcomes.len(), "feed", "feeds"),
            parts.join(", "),
            count(summary.new_items, "new item", "new items")
        );
    }
    Ok(ExitCode::SUCCESS)
}

// ---- read / extract --------------------------------------------------------------------------

/// `read --json`: the article view, then the item's enclosures (`[]` when none).
#[derive(Serialize)]
struct ReadJson<'a> {
    #[serde(flatten)]
    view: &'a ArticleView,
    enclosures: Vec<crate::media::EnclosureJson>,
}

/// The item's media files, one line each, above the text (`read` only).
fn write_enclosures(
    out: &mut impl Write,
    enclosures: &[crate::model::Enclosure],
) -> std::io::Result<()> {
    for e in enclosures {
        writeln!(
            out,
            "Media: {} <{}>",
            crate::media::describe(e),
            sanitize_line(&e.url)
        )?;
    }
    Ok(())
}

/// `media`: the item's enclosures for `read` (`None` for `extract`, which has no item).
fn print_view_with_media(
    view: &ArticleView,
    note: Option<&str>,
    json: bool,
    media: Option<&[crate::model::Enclosure]>,
) -> Result<()> {
    if json {
        return match media {
            Some(enclosures) => print_json(&ReadJson {
                view,
                enclosures: enclosures.iter().map(Into::into).collect(),
            }),
            None => print_json(view),
        };
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", sanitize_line(&view.title))?;
    let mut meta: Vec<String> = Vec::new();
    if let Some(b) = &view.byline {
        meta.push(sanitize_line(b));
    }
    if let Some(p) = &view.published {
        // The same format as `items`; a date that does not parse is shown as it came.
        meta.push(match chrono::DateTime::parse_from_rfc3339(p) {
            Ok(t) => shown_time(t.with_timezone(&Utc)),
            Err(_) => sanitize_line(p),
        });
    }
    if !view.url.is_empty() {
        meta.push(sanitize_line(&view.url));
    }
    if !meta.is_empty() {
        writeln!(out, "{}", meta.join(" · "))?;
    }
    if let Some(note) = note {
        writeln!(out, "({})", sanitize_line(note))?;
    }
    write_enclosures(&mut out, media.unwrap_or_default())?;
    writeln!(out)?;
    writeln!(out, "{}", crate::text::sanitize_multiline(&view.text))?;
    if !view.related.is_empty() {
        writeln!(out, "\nRelated")?;
        for (i, r) in view.related.iter().enumerate() {
            writeln!(
                out,
                "  {}. {} : {} <{}>",
                i + 1,
                sanitize_line(&r.label),
                sanitize_line(&r.title),
                sanitize_line(&r.url)
            )?;
        }
    }
    if !view.links.is_empty() {
        writeln!(out, "\nLinks")?;
        for l in &view.links {
            writeln!(
                out,
                "  [{}] {} <{}>",
                l.n,
                sanitize_line(&l.text),
                sanitize_line(&l.url)
            )?;
        }
    }
    Ok(())
}

/// The view printed: every image marked for a person, only image links for `--json`.
fn view_of(article: &Article, json: bool) -> ArticleView {
    article.view_with(if json {
        crate::article::plaintext::ImageMarkers::LinksOnly
    } else {
        crate::article::plaintext::ImageMarkers::Everywhere
    })
}

fn read(ctx: &RunContext, id: i64, json: bool) -> Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    let item = store.item(ItemId(id))?;
    // A feed set to extract = false shows its own content, never the page.
    let own_content = (!store.feed_extracts(item.summary.feed_id)?)
        .then(|| crate::article_loader::feed_content_only(&item));
    let cached = own_content.or_else(|| {
        item.summary
            .url
            .as_deref()
            .and_then(|url| crate::article_loader::cached_for_item(&store, url, &item))
    });
    let loaded = match (cached, item.summary.url.clone()) {
        // A cached article needs neither the runtime nor the TLS set-up.
        (Some(loaded), _) => loaded,
        (None, Some(url)) => {
            let fetcher = Fetcher::new(&ctx.config)?;
            let rt = runtime()?;
            // The cache write goes through a store writer, as in the TUI.
            let writer = crate::store::StoreWriter::start(&ctx.db_path)?;
            rt.block_on(crate::article_loader::load_article(
                &writer,
                &fetcher,
                &url,
                Some(&item),
            ))
        }
        (None, None) => crate::article_loader::LoadedArticle {
            article: crate::article_loader::article_from_item(&item),
            note: Some("the item has no link: showing the feed's content".into()),
        },
    };
    store.set_read(&[item.summary.id], true)?;
    print_view_with_media(
        &view_of(&loaded.article, json),
        loaded.note.as_deref(),
        json,
        Some(&item.enclosures),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn extract(cli: &Cli, target: &str, base: Option<&str>, json: bool) -> Result<ExitCode> {
    let is_url = url::Url::parse(target).is_ok_and(|u| crate::url_safety::is_web(&u));
    // "ftp://x/" or "gopher:x" is neither an http(s) URL nor a file the user has.
    let other_scheme = !is_url
        && !Path::new(target).exists()
        && url::Url::parse(target).is_ok_and(|u| u.scheme().len() > 1);
    if other_scheme {
        bail!(
            "cannot extract {}: give an http(s) URL or a local HTML file",
            sanitize_line(target)
        );
    }
    let article = if is_url {
        // Only a fetch reads the config (user agent, timeouts): a local file is extracted
        // without parsing the config file and checking its keymap (a tenth of `extract`'s
        // fixed cost on a small page).
        let config = load_config(cli)?;
        let fetcher = Fetcher::new(&config)?;
        runtime()?
            .block_on(crate::article_loader::fetch_and_extract(&fetcher, target))
            .map_err(|e| anyhow!("cannot extract {}: {e}", sanitize_line(target)))?
    } else {
        let bytes = std::fs::read(target).with_context(|| format!("cannot read {target}"))?;
        let base = match base {
            Some(b) => parse_http_url(b)?,
            None => {
                let absolute = std::fs::canonicalize(target)
                    .with_context(|| format!("cannot read {target}"))?;
                url::Url::from_file_path(&absolute)
                    .map_err(|()| anyhow!("give the page's address with --url BASE"))?
            }
        };
        let html = crate::charset::decode_html(&bytes, None);
        // A local file needs no async runtime, no TLS and no store: one thread, bounded.
        crate::article_loader::extract_bounded_blocking(html, base)
            .map_err(|e| anyhow!("cannot extract {target}: {e}"))?
    };
    print_view_with_media(&view_of(&article, json), None, json, None)?;
    Ok(ExitCode::SUCCESS)
}
