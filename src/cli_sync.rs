//! The `kiosque sync` command: one sync with the aggregator `[sync]` names (`--json`: the
//! contract's counts), or `--status` from the store alone; and `add`, `remove` and `import`
//! when `[sync]` is set: the server is asked at once (its refusal is an error that changes
//! nothing here), and only when it cannot be reached is the change queued for the next sync.
//! Errors end as one line.

use crate::cli::{RunContext, print_json, runtime};
use crate::config::SyncConfig;
use crate::error::StoreError;
use crate::fetch::Fetcher;
use crate::model::Feed;
use crate::store::{NewFeed, Store};
use crate::sync::engine::{SyncOptions, SyncReport, SyncStore};
use crate::sync::{SyncError, SyncService};
use crate::text::sanitize_line;
use anyhow::{Result, anyhow};
use chrono::Utc;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize)]
struct StatusJson {
    pending: usize,
    last_sync: Option<String>,
    last_error: Option<String>,
}

/// What to tell a user who runs `sync` without a `[sync]` table.
fn not_configured(ctx: &RunContext) -> anyhow::Error {
    let file = ctx.config.path.as_ref().map_or_else(
        || "the config file".to_string(),
        |p| p.display().to_string(),
    );
    anyhow!(
        "sync is not configured: add to {file} a [sync] table with service = \"greader\", url (FreshRSS: https://HOST/api/greader.php, Miniflux: its root URL), username and password_command (or set $KIOSQUE_SYNC_PASSWORD)"
    )
}

/// The service `[sync]` names, to change the server's subscriptions; refused from a data
/// dir that synced with another server or account (its server ids would be mixed up).
fn service_for_changes(
    ctx: &RunContext,
    config: &SyncConfig,
    store: &Store,
) -> Result<crate::sync::greader::GReaderClient> {
    let service =
        crate::sync::service_for(config, Fetcher::new(&ctx.config)?, Some(&ctx.data_dir))?;
    service.account().may_follow(store.sync_account()?)?;
    Ok(service)
}

/// `kiosque sync [--json] [--reset-server-ids] [--upload-subscriptions]` and
/// `kiosque sync --status [--json]`.
pub fn sync_command(
    ctx: &RunContext,
    json: bool,
    status: bool,
    options: SyncOptions,
) -> Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    store.set_arrival_rules(crate::store::ArrivalRule::from_config(&ctx.config.rules));
    if status {
        let meta = store.sync_meta()?;
        let pending = store.pending_count()?;
        let last_sync = meta.last_sync.map(|t| t.to_rfc3339());
        let last_error = meta.last_error.as_deref().map(sanitize_line);
        if json {
            print_json(&StatusJson {
                pending,
                last_sync,
                last_error,
            })?;
        } else {
            let local_only = if ctx.config.sync.is_some() {
                store.local_only_feeds()?.len()
            } else {
                0
            };
            println!(
                "{pending} changes pending; last sync: {}{}{}",
                last_sync.as_deref().unwrap_or("never"),
                last_error
                    .map(|e| format!("; last error: {e}"))
                    .unwrap_or_default(),
                if local_only > 0 {
                    format!(
                        "; {local_only} local feeds not on the server (`kiosque sync --upload-subscriptions` subscribes them there)"
                    )
                } else {
                    String::new()
                }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(config) = &ctx.config.sync else {
        return Err(not_configured(ctx));
    };
    let fetcher = Fetcher::new(&ctx.config)?;
    let mut service = crate::sync::service_for(config, fetcher, Some(&ctx.data_dir))?;
    let rt = runtime()?;
    let report: SyncReport = rt
        .block_on(crate::sync::engine::sync_through(
            &mut service,
            SyncStore::Here(&mut store),
            Utc::now(),
            options,
        ))
        .map_err(|e| anyhow!("sync with {} failed: {e}", sanitize_line(&config.url)))?;
    if options.reset_server_ids {
        eprintln!(
            "kiosque: this data dir now syncs with {} as {:?}; feeds and items were matched by URL{}",
            sanitize_line(&config.url),
            sanitize_line(&config.username),
            if report.dropped_for_reset > 0 {
                format!(
                    "; {} changes queued for the old server were dropped",
                    report.dropped_for_reset
                )
            } else {
                String::new()
            }
        );
    }
    for refusal in &report.refused {
        eprintln!("kiosque: {refusal}");
    }
    if report.uploaded_feeds > 0 {
        eprintln!(
            "kiosque: subscribed {} local feeds on the sync server",
            report.uploaded_feeds
        );
    }
    if report.first && report.local_only_feeds > 0 {
        eprintln!(
            "kiosque: {} local feeds are not on the sync server, and kiosque does not poll them while [sync] is set: `kiosque sync --upload-subscriptions` subscribes them there (first tag as folder), or `kiosque remove` them",
            report.local_only_feeds
        );
    }
    for title in &report.removed_feeds {
        eprintln!(
            "kiosque: removed {}: no longer subscribed on the server",
            sanitize_line(title)
        );
    }
    if json {
        print_json(&report)?;
    } else {
        println!(
            "Synced: {} changes pushed, {} new items, {} state changes; {} feeds, {} pending ({} requests)",
            report.pushed,
            report.pulled_items,
            report.state_changes,
            report.feeds,
            report.pending,
            report.requests
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What to say when the server cannot be reached and a change waits in the queue.
fn queued_note(error: &SyncError) -> String {
    format!(
        "kiosque: {}; queued: the next `kiosque sync` pushes it",
        sanitize_line(&error.to_string())
    )
}

/// `kiosque add` with `[sync]`: subscribe on the server (in the first tag as its folder),
/// then here with the server's id; its items come with the next sync. A refusal is an error
/// and changes nothing; an unreachable server gets the subscription queued.
pub fn add_on_server(
    ctx: &RunContext,
    config: &SyncConfig,
    store: &mut Store,
    rt: &tokio::runtime::Runtime,
    new: &NewFeed,
) -> Result<ExitCode> {
    let mut service = service_for_changes(ctx, config, store)?;
    let folder = new.tags.first().map(String::as_str);
    let title = sanitize_line(new.title.as_deref().unwrap_or(&new.url));
    match rt.block_on(service.subscribe(&new.url, folder)) {
        Ok(server_id) => {
            store.add_feed_synced(new, &server_id, Utc::now())?;
            println!(
                "Subscribed to {title} ({}) on the sync server; its items come with the next sync",
                new.url
            );
        }
        Err(e) if e.is_unreachable() => {
            store.add_feed_queued(new, Utc::now())?;
            println!("Subscribed to {title} ({}) here", new.url);
            eprintln!("{}", queued_note(&e));
        }
        Err(e) => return Err(anyhow!("{}", sanitize_line(&e.to_string()))),
    }
    Ok(ExitCode::SUCCESS)
}

/// `kiosque remove` with `[sync]`: a synced feed is unsubscribed on the server, then here
/// (starred items stay, as local ones); a refusal is an error and changes nothing; an
/// unreachable server gets the unsubscription queued, so the feed does not come back.
/// Returns how many starred items were kept.
pub fn remove_on_server(
    ctx: &RunContext,
    config: &SyncConfig,
    store: &mut Store,
    feed: &Feed,
) -> Result<usize> {
    let Some(server_id) = store.feed_server_id(feed.id)? else {
        // Never on the server (or its subscription still queued: taken back).
        return Ok(store.remove_feed_queued(feed.id, Utc::now())?);
    };
    let mut service = service_for_changes(ctx, config, store)?;
    let rt = runtime()?;
    match rt.block_on(service.unsubscribe(&server_id)) {
        // The server no longer has it: done.
        Ok(())
        | Err(SyncError::Status {
            status: 400 | 404, ..
        }) => Ok(store.remove_feed_unsubscribed(feed.id, Utc::now())?),
        Err(e) if e.is_unreachable() => {
            let kept = store.remove_feed_queued(feed.id, Utc::now())?;
            eprintln!("{}", queued_note(&e));
            Ok(kept)
        }
        Err(e) => Err(anyhow!("{}", sanitize_line(&e.to_string()))),
    }
}

/// What `import` did on the server.
#[derive(Debug, Default)]
pub struct ServerImport {
    pub added: usize,
    pub skipped: usize,
    /// Subscribed here and queued: the server could not be reached.
    pub queued: usize,
    /// The server's refusals, one line each.
    pub refused: Vec<String>,
}

/// `kiosque import` with `[sync]`: subscribe to each feed on the server (its first tag as the
/// folder), then here. A refused feed is left out and said; once the server cannot be
/// reached, the rest are subscribed here and queued.
pub fn import_on_server(
    ctx: &RunContext,
    config: &SyncConfig,
    store: &mut Store,
    news: &[NewFeed],
) -> Result<ServerImport> {
    let mut service = service_for_changes(ctx, config, store)?;
    let rt = runtime()?;
    let mut done = ServerImport::default();
    let mut unreachable: Option<SyncError> = None;
    for new in news {
        if store.find_feed(&new.url).is_ok() {
            done.skipped += 1;
            continue;
        }
        if unreachable.is_none() {
            match rt.block_on(service.subscribe(&new.url, new.tags.first().map(String::as_str))) {
                Ok(server_id) => {
                    match store.add_feed_synced(new, &server_id, Utc::now()) {
                        Ok(_) => done.added += 1,
                        Err(StoreError::AlreadySubscribed { .. }) => done.skipped += 1,
                        Err(e) => return Err(e.into()),
                    }
                    continue;
                }
                Err(e @ SyncError::Refused { .. }) => {
                    done.refused.push(sanitize_line(&e.to_string()));
                    continue;
                }
                Err(e) if e.is_unreachable() => unreachable = Some(e),
                Err(e) => {
                    return Err(anyhow!(
                        "import stopped after {} feeds: {}",
                        done.added,
                        sanitize_line(&e.to_string())
                    ));
                }
            }
        }
        match store.add_feed_queued(new, Utc::now()) {
            Ok(_) => done.queued += 1,
            Err(StoreError::AlreadySubscribed { .. }) => done.skipped += 1,
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(e) = unreachable {
        eprintln!("{}", queued_note(&e));
    }
    Ok(done)
}
