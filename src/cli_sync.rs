//! The `kiosque sync` command: one sync with the aggregator `[sync]` names (`--json`: the
//! contract's counts), or `--status` from the store alone. Errors end as one line.

use crate::cli::{RunContext, print_json, runtime};
use crate::fetch::Fetcher;
use crate::store::Store;
use crate::sync::engine::SyncReport;
use crate::text::sanitize_line;
use anyhow::{Result, anyhow};
use chrono::Utc;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize)]
struct SyncJson {
    pushed: usize,
    pulled_items: usize,
    state_changes: usize,
    feeds: usize,
    pending: usize,
    requests: u64,
}

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

/// `kiosque sync [--json]` and `kiosque sync --status [--json]`.
pub fn sync_command(ctx: &RunContext, json: bool, status: bool) -> Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
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
            println!(
                "{pending} changes pending; last sync: {}{}",
                last_sync.as_deref().unwrap_or("never"),
                last_error
                    .map(|e| format!("; last error: {e}"))
                    .unwrap_or_default()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(config) = &ctx.config.sync else {
        return Err(not_configured(ctx));
    };
    let fetcher = Fetcher::new(&ctx.config)?;
    let mut service = crate::sync::service_for(config, fetcher)?;
    let rt = runtime()?;
    let report: SyncReport = rt
        .block_on(crate::sync::engine::sync(
            &mut service,
            &mut store,
            Utc::now(),
        ))
        .map_err(|e| anyhow!("sync with {} failed: {e}", sanitize_line(&config.url)))?;
    for refusal in &report.refused {
        eprintln!("kiosque: {refusal}");
    }
    for title in &report.removed_feeds {
        eprintln!(
            "kiosque: removed {}: no longer subscribed on the server",
            sanitize_line(title)
        );
    }
    if json {
        print_json(&SyncJson {
            pushed: report.pushed,
            pulled_items: report.pulled_items,
            state_changes: report.state_changes,
            feeds: report.feeds,
            pending: report.pending,
            requests: report.requests,
        })?;
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
